package dev.custody.verify;

import dev.custody.verify.internal.replay.*;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.policy.Signer;
import java.util.Optional;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The structured result of replaying a ledger: the findings in log order (findings about the
 * ledger as a whole last), the chains established, and how many records were checked. Immutable.
 *
 * <p>Memory is bounded whatever the ledger holds: of each {@link FindingCode} the first
 * {@value #MAX_FINDINGS_PER_CODE} findings are kept and the rest only counted ({@link #omitted()});
 * the verdict and {@link #count} include the counted ones, so a million malformed records are a
 * million errors, listed as the first {@value #MAX_FINDINGS_PER_CODE} and "and 999,900 more".
 */
public final class VerificationReport {
  /**
   * Findings kept per code. Enough to show every pattern of damage a person can act on, and small
   * enough that a hostile ledger of millions of bad lines cannot exhaust a verifier's memory through
   * its report (each finding holds a message and an entry reference, a few hundred bytes).
   */
  public static final int MAX_FINDINGS_PER_CODE = 100;

  private final List<Path> ledgers;
  private final List<String> ledgerLabels;
  private final long entriesChecked;
  private final List<ChainSummary> chains;
  private final List<Finding> findings;
  private final Map<FindingCode, Long> omitted;
  private final Map<Severity, Long> omittedBySeverity;
  private final Optional<LineageGraph> lineage;
  private final Map<String, Signer> signers;

  /**
   * Where a verification spent its time (for benchmarks and curious auditors; not part of the
   * verdict): replaying the ledgers (checks 1–4, signatures included), building and judging the
   * lineage, evaluating the trust policy's rules and time rule, and checking the model.
   */
  public record Timings(java.time.Duration replay, java.time.Duration lineage, java.time.Duration policy,
      java.time.Duration model) {
    /** No time measured (a report not made by a replay). */
    static final Timings NONE = new Timings(java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ZERO,
        java.time.Duration.ZERO);
  }

  private final Timings timings;

  VerificationReport(List<Path> ledgers, List<String> ledgerLabels, long entriesChecked, List<ChainSummary> chains,
      Findings findings, Optional<LineageGraph> lineage, Map<String, Signer> signers, Timings timings) {
    this.timings = Objects.requireNonNull(timings, "timings");
    this.ledgers = List.copyOf(ledgers);
    if (this.ledgers.isEmpty()) {
      throw new IllegalArgumentException("a report covers at least one ledger");
    }
    this.ledgerLabels = List.copyOf(ledgerLabels);
    if (this.ledgerLabels.size() != this.ledgers.size() || Set.copyOf(this.ledgerLabels).size() != this.ledgers.size()) {
      throw new IllegalArgumentException("each ledger has its own label, got " + ledgerLabels + " for " + ledgers);
    }
    this.entriesChecked = entriesChecked;
    this.chains = List.copyOf(chains);
    this.findings = List.copyOf(findings.kept());
    // Findings returns EnumMaps, so these copies work for empty maps too.
    this.omitted = Collections.unmodifiableMap(new EnumMap<>(findings.omitted()));
    this.omittedBySeverity = Collections.unmodifiableMap(new EnumMap<>(findings.omittedBySeverity()));
    this.lineage = Objects.requireNonNull(lineage, "lineage");
    this.signers = Collections.unmodifiableMap(new java.util.TreeMap<>(signers));
  }

  /** True exactly when there is no {@link Severity#ERROR} finding, kept or counted. */
  public boolean verified() {
    return errorCount() == 0;
  }

  /**
   * The findings kept, in log order: at most {@value #MAX_FINDINGS_PER_CODE} per code, the first
   * ones; {@link #omitted()} counts the rest.
   */
  public List<Finding> findings() {
    return findings;
  }

  /** Per code, how many findings beyond the first {@value #MAX_FINDINGS_PER_CODE} were counted but not kept. */
  public Map<FindingCode, Long> omitted() {
    return omitted;
  }

  /** Per severity, how many findings were counted but not kept. */
  Map<Severity, Long> omittedBySeverity() {
    return omittedBySeverity;
  }

  /** Number of findings with {@code severity}, kept and counted. */
  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count()
        + omittedBySeverity.getOrDefault(severity, 0L);
  }

  /** Number of {@link Severity#ERROR} findings, kept and counted. */
  public long errorCount() {
    return count(Severity.ERROR);
  }

  /**
   * Number of records checked: every complete line of the log (a torn tail is not counted), or,
   * for a report restricted to one chain, the authentic entries of that chain plus records whose
   * chain could not be established.
   */
  public long entriesChecked() {
    return entriesChecked;
  }

  /** The chains found, sorted by chain id (only the selected one when restricted to a chain). */
  public List<ChainSummary> chains() {
    return chains;
  }

  /**
   * This report with {@code more} findings appended (e.g. those of a
   * {@link dev.custody.verify.ModelCheck}), under the same per-code bound; the verdict
   * accounts for them.
   */
  public VerificationReport withFindings(List<Finding> more) {
    Findings all = Findings.of(findings(), omitted(), omittedBySeverity);
    all.addAll(more);
    return new VerificationReport(ledgers, ledgerLabels, entriesChecked, chains, all, lineage, signers, timings);
  }

  /** Where the verification spent its time. */
  public Timings timings() {
    return timings;
  }

  /** The ledger directory verified (the first, when several were verified together). */
  public Path ledger() {
    return ledgers.get(0);
  }

  /** The ledger directories verified, in the order given. */
  public List<Path> ledgers() {
    return ledgers;
  }

  /**
   * The labels that name the ledgers in steps, chain summaries and entry references
   * ({@link RecordRef#ledger()}): each directory's name, made distinct ({@code name#2}) when two are
   * alike; in the order of {@link #ledgers()}.
   */
  public List<String> ledgerLabels() {
    return ledgerLabels;
  }

  /**
   * The lineage of every authentic entry (DESIGN.md §6 check 5), across the ledgers verified; empty
   * only for reports made without a replay's steps.
   */
  public Optional<LineageGraph> lineage() {
    return lineage;
  }

  /**
   * Who signed: for every key id that signed an authentic entry, the signer the trust policy resolved
   * it to (with its identity and organisation under a policy), sorted by key id.
   */
  public Map<String, Signer> signers() {
    return signers;
  }

  /**
   * How to name the signer of {@code step} to a person: its identity and organisation when the
   * policy binds the key to one ({@code acme/trainer (acme)}), else {@code key } and the key id's
   * first 12 hex digits.
   */
  public String signerLabel(dev.custody.verify.lineage.Step step) {
    return signerLabel(step.keyId());
  }

  /** {@link #signerLabel(dev.custody.verify.lineage.Step)} of a step signed by the key {@code keyId}. */
  public String signerLabel(String keyId) {
    Signer s = signers.get(keyId);
    if (s != null && s.identityName().isPresent()) {
      return s.identityName().get() + s.organisation().map(o -> " (" + o + ")").orElse("");
    }
    return "key " + keyId.substring(0, Math.min(KEY_ID_PREFIX_HEX, keyId.length()));
  }

  /** Hex digits of a key id that name a signer without an identity: enough to tell keys apart. */
  public static final int KEY_ID_PREFIX_HEX = 12;

  /**
   * The whole report as text, as {@code custody verify} prints it: the verdict, the summary (chains,
   * signers, releases), every finding with its entry and evidence, the verdict again. Text custody
   * did not write is escaped. ({@link #toString()} is the one-line verdict.)
   */
  public String toText() {
    return dev.custody.verify.report.TextReportRenderer.render(this);
  }

  @Override
  public String toString() {
    long omittedCount = omitted.values().stream().mapToLong(Long::longValue).sum();
    return (verified() ? "verified" : "FAILED") + " report for " + ledgers + ": " + entriesChecked + " entries, "
        + chains.size() + " chains, " + (findings.size() + omittedCount) + " findings";
  }
}
