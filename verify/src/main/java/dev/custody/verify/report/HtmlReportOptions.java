package dev.custody.verify.report;

import dev.custody.core.event.ArtifactKind;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.verify.lineage.Step;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * How {@link HtmlReportRenderer} draws a report. Immutable; start from {@link #defaults()}.
 *
 * @param signerLabel who signed a step, as the page shows it (escaped by the renderer). The
 *     default is the signing key's id prefix; a trust policy supplies the identity and organisation
 *     bound to the key instead, e.g. {@code acme/trainer (acme)}
 * @param maxNodes the most nodes (steps and root artifacts) the lineage picture and the timeline
 *     draw; beyond it the page says how many steps were left out, of which kinds (see
 *     {@link HtmlReportRenderer} for which steps are kept). Between 1 and {@link #MAX_NODES_LIMIT}
 * @param rootKinds artifact kinds whose unproduced uses are drawn as root nodes (declared
 *     external roots are always drawn); the kinds lineage requires to be backed, by default
 * @param generatedAt when the report was made, to print on the page; empty prints no time (the
 *     page is then a pure function of the evidence)
 */
public record HtmlReportOptions(Function<Step, String> signerLabel, int maxNodes, Set<ArtifactKind> rootKinds,
    Optional<Instant> generatedAt) {
  /**
   * Nodes drawn by default. The page of a 1,000- or 10,000-step lineage with 200 nodes drawn takes
   * 0.15-0.3 s of CPU, most of it ELK's layout (measured by {@code dev.custody.bench.HtmlReportBench};
   * README, HTML report); a picture of more nodes is not read anyway.
   */
  public static final int DEFAULT_MAX_NODES = 200;
  /** Upper bound of {@link #maxNodes}: the layout's time grows faster than linearly. */
  public static final int MAX_NODES_LIMIT = 2000;
  /** Hex digits of a key id shown by the default signer label. */
  static final int KEY_ID_PREFIX_HEX = dev.custody.verify.VerificationReport.KEY_ID_PREFIX_HEX;

  public HtmlReportOptions {
    Objects.requireNonNull(signerLabel, "signerLabel");
    if (maxNodes < 1 || maxNodes > MAX_NODES_LIMIT) {
      throw new IllegalArgumentException("maxNodes must be between 1 and " + MAX_NODES_LIMIT + ", got " + maxNodes);
    }
    rootKinds = rootKinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(rootKinds));
    Objects.requireNonNull(generatedAt, "generatedAt");
  }

  /** Key id prefixes as signers, {@value #DEFAULT_MAX_NODES} nodes, the default backed kinds, no time. */
  public static HtmlReportOptions defaults() {
    return new HtmlReportOptions(HtmlReportOptions::keyIdLabel, DEFAULT_MAX_NODES,
        LineageSettings.DEFAULT_BACKED_KINDS, Optional.empty());
  }

  /** The default signer label: {@code key } and the first {@value #KEY_ID_PREFIX_HEX} hex digits of the key id. */
  public static String keyIdLabel(Step step) {
    return keyLabel(step.keyId());
  }

  /** {@code key } and the first {@value #KEY_ID_PREFIX_HEX} hex digits of {@code keyId}. */
  static String keyLabel(String keyId) {
    return "key " + (keyId.length() > KEY_ID_PREFIX_HEX ? keyId.substring(0, KEY_ID_PREFIX_HEX) : keyId);
  }

  /** A copy that labels signers with {@code label} (e.g. the identity a policy binds the key to). */
  public HtmlReportOptions withSignerLabel(Function<Step, String> label) {
    return new HtmlReportOptions(label, maxNodes, rootKinds, generatedAt);
  }

  /** A copy that draws at most {@code n} nodes. */
  public HtmlReportOptions withMaxNodes(int n) {
    return new HtmlReportOptions(signerLabel, n, rootKinds, generatedAt);
  }

  /** A copy that draws unproduced uses of {@code kinds} as roots. */
  public HtmlReportOptions withRootKinds(Set<ArtifactKind> kinds) {
    return new HtmlReportOptions(signerLabel, maxNodes, kinds, generatedAt);
  }

  /** A copy that prints {@code time} as the report's generation time. */
  public HtmlReportOptions withGeneratedAt(Instant time) {
    return new HtmlReportOptions(signerLabel, maxNodes, rootKinds, Optional.of(time));
  }
}
