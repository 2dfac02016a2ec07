package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects findings with bounded memory: the first {@link VerificationReport#MAX_FINDINGS_PER_CODE}
 * findings of each code are kept in the order added; the rest are only counted, per code and per
 * severity, so that the verdict still counts every error. A hostile ledger of millions of junk lines
 * then costs a few hundred kept findings and a counter, not a finding per line. Not thread-safe.
 */
public final class Findings {
  private final List<Finding> kept = new ArrayList<>();
  private final EnumMap<FindingCode, Long> keptPerCode = new EnumMap<>(FindingCode.class);
  private final EnumMap<FindingCode, Long> omitted = new EnumMap<>(FindingCode.class);
  private final EnumMap<Severity, Long> omittedBySeverity = new EnumMap<>(Severity.class);

  /** Keeps {@code f}, or counts it if its code already has the maximum kept. */
  public void add(Finding f) {
    long n = keptPerCode.getOrDefault(f.code(), 0L);
    if (n < VerificationReport.MAX_FINDINGS_PER_CODE) {
      kept.add(f);
      keptPerCode.put(f.code(), n + 1);
    } else {
      omit(f.code(), f.severity(), 1);
    }
  }

  /** Adds every finding of {@code other}, kept or counted, after those here. */
  public void addAll(Findings other) {
    other.kept.forEach(this::add);
    other.omitted.forEach((code, n) -> omitted.merge(code, n, Long::sum));
    other.omittedBySeverity.forEach((s, n) -> omittedBySeverity.merge(s, n, Long::sum));
  }

  /**
   * A copy in which every kept finding about the ledger as a whole (no entry) names {@code ledger}
   * first: when several ledgers are verified together, "the ledger holds no checkpoint" must say
   * whose. Findings about an entry name the ledger in their entry's {@code where} already.
   */
  public Findings namingLedger(String ledger) {
    Findings out = new Findings();
    String prefix = "ledger " + dev.custody.core.internal.text.Untrusted.quote(ledger) + ": ";
    for (Finding f : kept) {
      out.add(f.entry().isPresent() ? f
          : new Finding(f.code(), f.severity(), f.entry(), prefix + f.message(), f.rule()));
    }
    omitted.forEach((code, n) -> out.omitted.merge(code, n, Long::sum));
    omittedBySeverity.forEach((sev, n) -> out.omittedBySeverity.merge(sev, n, Long::sum));
    return out;
  }

  /** Adds {@code more} in order. */
  public void addAll(List<Finding> more) {
    more.forEach(this::add);
  }

  private void omit(FindingCode code, Severity severity, long n) {
    omitted.merge(code, n, Long::sum);
    omittedBySeverity.merge(severity, n, Long::sum);
  }

  public List<Finding> kept() {
    return Collections.unmodifiableList(kept);
  }

  /** Findings counted but not kept, per code (codes with none are absent). */
  public Map<FindingCode, Long> omitted() {
    EnumMap<FindingCode, Long> out = new EnumMap<>(FindingCode.class);
    omitted.forEach((code, n) -> {
      if (n > 0) {
        out.put(code, n);
      }
    });
    return out;
  }

  /** Findings counted but not kept, per severity. */
  public Map<Severity, Long> omittedBySeverity() {
    return new EnumMap<>(omittedBySeverity);
  }

  /** A copy of a report's findings (kept, omitted per code, omitted per severity), kept and counted, to add more to. */
  public static Findings of(List<Finding> kept, Map<FindingCode, Long> omitted, Map<Severity, Long> omittedBySeverity) {
    Findings f = new Findings();
    kept.forEach(f::add);
    omitted.forEach((code, n) -> f.omitted.merge(code, n, Long::sum));
    f.omittedBySeverity.putAll(omittedBySeverity);
    return f;
  }

  @Override
  public String toString() {
    return kept.size() + " findings kept, " + omitted() + " omitted";
  }
}
