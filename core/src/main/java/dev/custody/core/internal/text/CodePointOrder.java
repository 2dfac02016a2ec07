package dev.custody.core.internal.text;

import java.util.Comparator;

/**
 * Unicode code-point order of strings: the order of their UTF-8 bytes, and of Python's {@code str}
 * comparison, which the formats custody hashes (OMS manifests, safetensors headers) sort by. Java's
 * {@link String#compareTo} orders UTF-16 units instead and differs for characters beyond U+FFFF
 * (U+1F600 sorts before U+FFEF there). An unpaired surrogate compares as its own unit value. The one
 * code-point comparison in custody; resource paths ({@code ResourceNames.PATH_ORDER}) compare their
 * components with it. Stateless and thread-safe.
 */
public final class CodePointOrder {
  /** Compares whole strings by code point; a proper prefix sorts first. */
  public static final Comparator<String> COMPARATOR = CodePointOrder::compare;

  private CodePointOrder() {}

  /** {@code a} against {@code b} by code point; a proper prefix sorts first. */
  public static int compare(String a, String b) {
    return compare(a, 0, a.length(), b, 0, b.length());
  }

  /**
   * {@code a[aFrom, aTo)} against {@code b[bFrom, bTo)} by code point, without copying; a proper prefix
   * sorts first. The ranges must not split a surrogate pair.
   */
  public static int compare(String a, int aFrom, int aTo, String b, int bFrom, int bTo) {
    int i = aFrom;
    int j = bFrom;
    while (i < aTo && j < bTo) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < aTo, j < bTo);
  }
}
