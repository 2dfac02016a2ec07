package dev.custody.verify.report;

import com.google.common.escape.Escaper;
import com.google.common.html.HtmlEscapers;
import dev.custody.core.internal.text.Untrusted;

/**
 * Text for the HTML report, escaped for where it goes. Every value custody did not write (chain
 * ids, kinds — a custom kind is any URI its signer chose —, artifact names, parameters, file names,
 * labels a policy supplies) passes through {@link #text} or {@link #label}: first
 * {@link Untrusted#escape} (control, bidi and other invisible characters become visible
 * {@code \}{@code uXXXX} escapes), then Guava's HTML escaper ({@code & < > " '}), so the result is
 * safe as element content and as a double- or single-quoted attribute value, in HTML and inside
 * inline SVG alike. Stateless.
 */
final class Html {
  private static final Escaper HTML = HtmlEscapers.htmlEscaper();
  /** Marks a label cut short (the full value is in the element's tooltip). */
  static final String CUT = "\u2026";

  private Html() {}

  /** Untrusted text, made visible and HTML-escaped, in full. */
  static String text(String untrusted) {
    return HTML.escape(Untrusted.escape(untrusted));
  }

  /**
   * Untrusted text for a label of limited width: made visible, cut to {@code maxCodePoints} (the
   * cut marked with {@link #CUT}), then HTML-escaped.
   */
  static String label(String untrusted, int maxCodePoints) {
    return HTML.escape(visible(untrusted, maxCodePoints));
  }

  /**
   * Untrusted text made visible and cut to {@code maxCodePoints}, not yet HTML-escaped: what a
   * label shows, for estimating its width; pass it through {@link #own} to print it.
   */
  static String visible(String untrusted, int maxCodePoints) {
    return cut(Untrusted.escape(untrusted), maxCodePoints);
  }

  /** Text custody wrote itself (numbers, codes, fixed words): HTML-escaped only. */
  static String own(String s) {
    return HTML.escape(s);
  }

  /**
   * A finding's message. custody's messages already quote the untrusted values they contain with
   * {@link Untrusted#quote}, so their backslashes are escapes of ours and are shown as they are;
   * a message that still holds an unsafe character (a bug in whoever wrote it) is escaped whole.
   */
  static String message(String message) {
    boolean safe = !Untrusted.needsEscaping(message.replace("\\", ""));
    return HTML.escape(safe ? message : Untrusted.escape(message));
  }


  /** {@code s} cut to {@code max} code points, the cut marked, for an estimated width. */
  static String cut(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + CUT;
  }

  /** Number of code points, the unit the renderer's width estimates count in. */
  static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
