package dev.custody.core.internal.text;

import org.jspecify.annotations.Nullable;

/**
 * The one place where text that custody did not write — chain ids, kinds, parameters, file names,
 * values read from a ledger, a bundle or the command line — is made safe to print on a terminal,
 * in a log line or inside an error message.
 *
 * <p>Escaped, as {@code \}{@code u}XXXX (or {@code \}{@code u}{XXXXX} above the BMP): C0 and C1
 * control characters and DEL (a terminal would act on them), every format character of Unicode
 * category Cf (bidi overrides and isolates such as U+202E and U+2066, zero-width characters, the
 * byte-order mark: they change how the text around them reads), the line and paragraph separators
 * U+2028 and U+2029 (they break lines in some viewers and JSON-in-JavaScript), unassigned and
 * private-use code points, and lone surrogates (not text at all). A backslash is doubled so that an
 * escape in the input cannot pass as one of ours. Everything else, including letters of any
 * script, prints as is.
 *
 * <p>Stateless; all methods are pure functions.
 */
public final class Untrusted {
  /** Default bound on what {@link #quote(String)} prints of one value, in code points. */
  public static final int DEFAULT_MAX_CODE_POINTS = 200;

  private Untrusted() {}

  /**
   * {@code s} escaped (see the class comment), in full. Null prints as {@code (none)}. Use for
   * columns of a listing, where quotes would be noise; use {@link #quote} inside sentences.
   */
  public static String escape(@Nullable String s) {
    if (s == null) {
      return "(none)";
    }
    return escape(s, Integer.MAX_VALUE);
  }

  /**
   * {@code s} in single quotes, escaped, and cut to {@link #DEFAULT_MAX_CODE_POINTS} code points
   * (the cut is marked with {@code ...}); null prints as {@code (none)}.
   */
  public static String quote(@Nullable String s) {
    return quote(s, DEFAULT_MAX_CODE_POINTS);
  }

  /** {@link #quote(String)} with an explicit bound. */
  public static String quote(@Nullable String s, int maxCodePoints) {
    if (maxCodePoints < 1) {
      throw new IllegalArgumentException("maxCodePoints must be positive, got " + maxCodePoints);
    }
    if (s == null) {
      return "(none)";
    }
    return "'" + escape(s, maxCodePoints) + "'";
  }

  /**
   * A message custody composed, made safe to print as a last guard: every code point {@link #escape}
   * escapes is escaped the same way, except the backslash, which is kept. Use it where a whole
   * sentence is printed whose untrusted parts were already passed through {@link #quote} or
   * {@link #escape} (doubling their backslashes again would garble those escapes), so that anything
   * that slipped through unquoted — an exception's text, say — still cannot act on the terminal.
   * Null prints as {@code (none)}.
   */
  public static String sanitize(@Nullable String message) {
    if (message == null) {
      return "(none)";
    }
    StringBuilder out = null;
    for (int i = 0; i < message.length(); ) {
      int cp = message.codePointAt(i);
      int n = Character.charCount(cp);
      if (unsafe(cp, message, i)) {
        if (out == null) {
          out = new StringBuilder(message.length() + 16).append(message, 0, i);
        }
        appendEscape(out, cp);
      } else if (out != null) {
        out.appendCodePoint(cp);
      }
      i += n;
    }
    return out == null ? message : out.toString();
  }

  /** Whether printing {@code s} as is would be unsafe, i.e. {@link #escape} would change it. */
  public static boolean needsEscaping(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (cp == '\\' || unsafe(cp, s, i)) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  private static String escape(String s, int maxCodePoints) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), 1024) + 8);
    int count = 0;
    for (int i = 0; i < s.length(); ) {
      if (count == maxCodePoints) {
        out.append("...");
        break;
      }
      int cp = s.codePointAt(i);
      if (cp == '\\') {
        out.append("\\\\");
      } else if (unsafe(cp, s, i)) {
        appendEscape(out, cp);
      } else {
        out.appendCodePoint(cp);
      }
      count++;
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static void appendEscape(StringBuilder out, int cp) {
    if (cp <= 0xFFFF) {
      out.append(String.format("\\u%04X", cp));
    } else {
      out.append(String.format("\\u{%X}", cp));
    }
  }

  private static boolean unsafe(int cp, String s, int i) {
    if (Character.isSurrogate(s.charAt(i)) && Character.charCount(cp) == 1) {
      return true; // a lone surrogate: codePointAt returned the unpaired unit itself
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }
}
