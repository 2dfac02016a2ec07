package dev.custody.verify;

/** How much a {@link Finding} matters. A report with any {@link #ERROR} is not verified. */
public enum Severity {
  /** The evidence does not hold: the ledger fails verification. */
  ERROR,
  /** Something a person should look at that does not break the evidence (e.g. a torn, unacknowledged tail). */
  WARNING,
  /** For the record only. */
  INFO
}
