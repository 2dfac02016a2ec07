package dev.custody.bench;

/** Percentiles over sorted samples. */
final class Stats {
  private Stats() {}

  /** Nearest-rank percentile of an ascending array; NaN if it is empty. */
  static double percentile(long[] sorted, double pct) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
