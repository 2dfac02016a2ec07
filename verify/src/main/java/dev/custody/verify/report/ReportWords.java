package dev.custody.verify.report;

import dev.custody.core.Digest;
import dev.custody.verify.Severity;
import java.util.Locale;

/**
 * Words every report (and the CLI's lineage verdict) says alike: the titles of the severity groups,
 * counted nouns, short digests. Stateless.
 */
public final class ReportWords {
  /** Hex digits of a digest shown where a whole one would not fit: enough to tell artifacts and entries apart. */
  static final int DIGEST_PREFIX_HEX = 12;

  private ReportWords() {}

  /** {@code sha256:} and the first {@value #DIGEST_PREFIX_HEX} hex digits. */
  static String shortDigest(Digest d) {
    return d.algorithm() + ":" + d.value().hex().substring(0, DIGEST_PREFIX_HEX);
  }

  /** The heading of the group of findings of {@code s}: Errors, Warnings, Information. */
  static String title(Severity s) {
    return switch (s) {
      case ERROR -> "Errors";
      case WARNING -> "Warnings";
      case INFO -> "Information";
    };
  }

  /** {@code n} (with thousands separators) and {@code one}, or {@code one + "s"} unless n is 1. */
  public static String plural(long n, String one) {
    return plural(n, one, one + "s");
  }

  /** {@code n} (with thousands separators) and {@code one}, or {@code many} unless n is 1. */
  public static String plural(long n, String one, String many) {
    return String.format(Locale.ROOT, "%,d", n) + " " + (n == 1 ? one : many);
  }
}
