package dev.custody.verify;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The structured result of replaying a ledger: every finding in log order (findings about the
 * ledger as a whole last), the chains established, and how many records were checked. Immutable.
 */
public final class VerificationReport {
  private final Path ledger;
  private final long entriesChecked;
  private final List<ChainSummary> chains;
  private final List<Finding> findings;

  VerificationReport(Path ledger, long entriesChecked, List<ChainSummary> chains, List<Finding> findings) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.entriesChecked = entriesChecked;
    this.chains = List.copyOf(chains);
    this.findings = List.copyOf(findings);
  }

  /** True exactly when there is no {@link Severity#ERROR} finding. */
  public boolean verified() {
    return errorCount() == 0;
  }

  /** All findings, in log order. */
  public List<Finding> findings() {
    return findings;
  }

  /** Number of findings with {@code severity}. */
  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }

  /** Number of {@link Severity#ERROR} findings. */
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
   * {@link dev.custody.verify.artifacts.ModelCheck}); the verdict accounts for them.
   */
  public VerificationReport withFindings(List<Finding> more) {
    List<Finding> all = new java.util.ArrayList<>(findings);
    all.addAll(more);
    return new VerificationReport(ledger, entriesChecked, chains, all);
  }

  /** The ledger directory verified. */
  public Path ledger() {
    return ledger;
  }

  @Override
  public String toString() {
    return (verified() ? "verified" : "FAILED") + " report for " + ledger + ": " + entriesChecked + " entries, "
        + chains.size() + " chains, " + findings.size() + " findings";
  }
}
