package dev.custody.core.internal.text;

import java.util.OptionalLong;

/**
 * The one spelling of a non-negative whole number in custody's text formats and arguments: ASCII
 * digits, no sign, no leading zeros ({@code 0 / [1-9][0-9]*}), at most {@link Long#MAX_VALUE}. One
 * spelling per number, so text compared or used as a name means one value. Stateless.
 */
public final class UnsignedDecimal {
  /** The largest value, {@link Long#MAX_VALUE}, as text. */
  public static final String MAX_TEXT = "9223372036854775807";

  private UnsignedDecimal() {}

  /** Whether {@code text} is the canonical spelling of a value from 0 to {@link Long#MAX_VALUE}. */
  public static boolean isCanonical(String text) {
    int n = text == null ? 0 : text.length();
    if (n == 0 || n > MAX_TEXT.length() || (text.charAt(0) == '0' && n > 1)) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return n < MAX_TEXT.length() || text.compareTo(MAX_TEXT) <= 0;
  }

  /** The value of {@code text}, or empty if it is not {@linkplain #isCanonical canonical}. */
  public static OptionalLong parse(String text) {
    return isCanonical(text) ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
  }
}
