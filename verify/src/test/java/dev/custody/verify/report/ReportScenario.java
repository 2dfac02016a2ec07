package dev.custody.verify.report;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.EventLedger;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.internal.lineage.LineageCollector;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.LineageSettings;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small, realistic lineage the report tests render: a real ledger of signed entries, replayed by
 * the real verifier with a {@link LineageCollector}, its lineage judged and its findings added to
 * the report — what {@code custody verify --format html} does.
 *
 * <pre>
 * acme/corpus:0 dataset-ingest ─ corpus ─► acme/base:0 fine-tune (base: llama-3-8b, declared external root)
 *   ─► acme/base:1 evaluation, acme/base:2 release 1.0 ◄─ acme/base:3 approval
 *   ─► beta/ft:0 fine-tune (also uses dataset 'instructions' nobody produced: LINEAGE_INPUT_UNPROVEN, ERROR)
 *   ─► beta/ft:1 conversion ─► beta/ft:2 release 2.0, beta/ft:4 custom red-team step
 *   beta/ft:3 release of weights nobody produced (RELEASE_UNPRODUCED, WARNING)
 * </pre>
 */
final class ReportScenario {
  static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");
  static final Digest CORPUS = digest("corpus");
  static final Digest LLAMA = digest("llama weights");
  static final Digest BASE = digest("acme base weights");
  static final Digest INSTRUCTIONS = digest("instructions");
  static final Digest TUNED = digest("beta tuned weights");
  static final Digest QUANT = digest("beta q4 weights");
  static final Digest FORGED = digest("weights nobody trained");
  static final ExternalRoot LLAMA_ROOT = new ExternalRoot(LLAMA, ArtifactKind.MODEL, "llama-3-8b",
      Optional.of("meta"), "policy.yaml:12:5");
  static final List<ExternalRoot> ROOTS = List.of(LLAMA_ROOT);
  /** Unproven inputs are errors, unproduced releases warnings: a policy may set each severity. */
  static final LineageSettings SETTINGS = settings();

  private static LineageSettings settings() {
    java.util.EnumMap<LineageSettings.Check, LineageSettings.Level> levels =
        new java.util.EnumMap<>(LineageSettings.strict().levels());
    levels.put(LineageSettings.Check.RELEASE_UNPRODUCED, LineageSettings.Level.WARNING);
    return new LineageSettings(levels, LineageSettings.strict().backedKinds());
  }

  final EventLedger.Key acme = EventLedger.Key.ed25519("acme trainer");
  final EventLedger.Key beta = EventLedger.Key.ed25519("beta trainer");
  final EventLedger ledger = new EventLedger();
  Digest acmeRelease;
  private long minutes;

  static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static ArtifactRef model(String name, Digest d) {
    return ArtifactRef.of(name, ArtifactKind.MODEL, d);
  }

  static ArtifactRef dataset(String name, Digest d) {
    return ArtifactRef.of(name, ArtifactKind.DATASET, d);
  }

  /** The ten steps above. */
  static ReportScenario standard() {
    ReportScenario s = new ReportScenario();
    s.add("acme/corpus", Event.builder(EventType.DATASET_INGEST).output(dataset("corpus", CORPUS))
        .parameter("license", "CC-BY-4.0").build(), s.acme);
    s.add("acme/base", Event.builder(EventType.FINE_TUNE).input(model("base", LLAMA)).input(dataset("train", CORPUS))
        .output(model("model", BASE)).parameter("epochs", "3").build(), s.acme);
    s.add("acme/base", Event.builder(EventType.EVALUATION).input(model("model", BASE))
        .details(new EventDetails.Evaluation(new TreeMap<>(Map.of("accuracy", new BigDecimal("0.91"))))).build(), s.acme);
    s.acmeRelease = s.add("acme/base", Event.builder(EventType.RELEASE).output(model("model", BASE))
        .details(new EventDetails.Release("1.0")).build(), s.acme);
    s.add("acme/base", Event.builder(EventType.APPROVAL)
        .details(new EventDetails.Decision(s.acmeRelease, "approved", Optional.of("meets the bar"))).build(), s.acme);
    s.add("beta/ft", Event.builder(EventType.FINE_TUNE).input(model("base", BASE))
        .input(dataset("instructions", INSTRUCTIONS)).output(model("model", TUNED)).build(), s.beta);
    s.add("beta/ft", Event.builder(EventType.CONVERSION).input(model("model", TUNED)).output(model("model", QUANT))
        .details(new EventDetails.Method(Optional.of("q4_k_m"))).build(), s.beta);
    s.add("beta/ft", Event.builder(EventType.RELEASE).output(model("model", QUANT))
        .details(new EventDetails.Release("2.0")).build(), s.beta);
    s.add("beta/ft", Event.builder(EventType.RELEASE).output(model("model", FORGED))
        .details(new EventDetails.Release("2.1")).build(), s.beta);
    s.add("beta/ft", Event.builder(EventType.of("urn:custody:test:red-team")).input(model("model", QUANT))
        .parameter("suite", "jailbreak-v2").build(), s.beta);
    return s;
  }

  /** Appends a step one minute after the previous one; returns its entry hash. */
  Digest add(String chain, Event event, EventLedger.Key key) {
    return ledger.append(chain, event, key, T0.plusSeconds(60 * minutes++));
  }

  /** What {@code custody verify} gives the renderer: the report with the lineage's findings, and the lineage. */
  record Verified(VerificationReport report, LineageGraph lineage) {}

  /**
   * Writes the ledger at {@code dir} and verifies it under a policy (written beside it) that binds
   * each key to an identity of its organisation, declares {@link #LLAMA_ROOT} and makes unproduced
   * releases warnings ({@link #SETTINGS}).
   */
  Verified verify(Path dir) throws Exception {
    return verify(dir, java.util.function.UnaryOperator.identity());
  }

  /** {@link #verify(Path)} under the policy as {@code edit} changes its YAML text (e.g. to add rules). */
  Verified verify(Path dir, java.util.function.UnaryOperator<String> edit) throws Exception {
    ledger.write(dir);
    Path policyFile = dir.resolveSibling(dir.getFileName() + "-policy.yaml");
    java.nio.file.Files.writeString(policyFile, edit.apply(String.join("\n",
        "version: custody/policy/v1",
        "organisations: {acme: {}, beta: {}}",
        "identities:",
        "  - {name: acme/trainer, organisation: acme, keys: [" + pemLiteral(acme) + "]}",
        "  - {name: beta/trainer, organisation: beta, keys: [" + pemLiteral(beta) + "]}",
        "roles:",
        "  - {identities: [\"acme/*\"], kinds: [\"*\"], chains: [\"acme/**\", \"big/**\"]}",
        "  - {identities: [\"beta/*\"], kinds: [\"*\"], chains: [\"beta/**\"]}",
        "externalRoots:",
        "  - {digest: \"" + LLAMA + "\", kind: model, name: llama-3-8b, publisher: meta}",
        "lineage: {releaseUnproduced: warning}",
        "")));
    VerificationReport report = LedgerVerifier.builder(dev.custody.verify.policy.TrustPolicy.load(policyFile))
        .build().verify(dir);
    return new Verified(report, report.lineage().orElseThrow());
  }

  /**
   * Verifies {@code ledgers} together, as {@code custody verify --ledger A --trust a --ledger B
   * --trust b} does: each ledger (in the map's order) under trust in its own key alone.
   */
  static VerificationReport verifyTogether(java.util.LinkedHashMap<Path, EventLedger.Key> ledgers) throws Exception {
    List<LedgerVerifier.Source> sources = new java.util.ArrayList<>();
    ledgers.forEach((dir, key) -> sources.add(new LedgerVerifier.Source(dir,
        dev.custody.verify.policy.TrustPolicy.trustAll(TrustedKeys.of(List.of(key.publicKey()))))));
    EventLedger.Key first = ledgers.values().iterator().next();
    return LedgerVerifier.builder(TrustedKeys.of(List.of(first.publicKey()))).build().verifyAll(sources);
  }

  /** A key's PEM as a double-quoted YAML string. */
  private static String pemLiteral(EventLedger.Key key) {
    return "\"" + key.publicKey().toPem().replace("\n", "\\n") + "\"";
  }
}
