package dev.custody.core.jws;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The PEM text encoding of keys (RFC 7468): exactly one {@code -----BEGIN LABEL-----} block holding
 * base64 DER, surrounding whitespace allowed, nothing else. Thread-safe.
 */
public final class Pem {
  private Pem() {}

  /**
   * The DER bytes of the one {@code label} block of {@code text}.
   *
   * @param what what the block should be, for errors, e.g. "public key"
   * @param source names the input in errors, e.g. the file path
   */
  public static byte[] decode(String text, String label, String what, String source) throws FormatException {
    // Scanned by hand, not with a regular expression: a pattern with whitespace on both sides of a
    // lazy body backtracks cubically, and a .pub file of a few kB of spaces took minutes.
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = 0;
    int to = text.length();
    while (from < to && isPemSpace(text.charAt(from))) {
      from++;
    }
    while (to > from && isPemSpace(text.charAt(to - 1))) {
      to--;
    }
    if (!text.startsWith(begin, from) || to - from < begin.length() + end.length()
        || !text.startsWith(end, to - end.length())) {
      throw notPem(label, what, source);
    }
    String body = text.substring(from + begin.length(), to - end.length());
    boolean hasData = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      boolean base64 = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
          || c == '=';
      if (!base64 && !isPemSpace(c)) {
        throw notPem(label, what, source);
      }
      hasData |= base64;
    }
    if (!hasData) {
      throw notPem(label, what, source);
    }
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new FormatException(source + ": bad base64 in PEM " + what, e);
    }
  }

  /**
   * The DER bytes of the one {@code label} block of {@code text}, which may stand amid explanatory
   * text (RFC 7468 §2: "parsers SHOULD ignore" text outside the encapsulation boundaries), as in the
   * public-key files GnuTLS {@code certtool} writes, whose human-readable dump precedes the block.
   * The block itself is read exactly as {@link #decode} reads it; more than one {@code label} block
   * is an error (which one was meant would be a guess).
   *
   * @param what what the block should be, for errors, e.g. "public key"
   * @param source names the input in errors, e.g. the file path
   */
  public static byte[] decodeAmidText(String text, String label, String what, String source) throws FormatException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from);
    if (from < 0 || to < 0) {
      throw notPem(label, what, source);
    }
    if (text.indexOf(begin, from + begin.length()) >= 0) {
      throw new FormatException(source + ": holds more than one '" + begin + "' block; expected one " + what);
    }
    return decode(text.substring(from, to + end.length()), label, what, source);
  }

  /**
   * The DER bytes of each {@code label} block of {@code text}, in order: one or more blocks separated
   * by whitespace and nothing else (no explanatory text, no other labels), e.g. a certificate chain.
   *
   * @param max most blocks accepted
   * @param what what each block should be, for errors, e.g. "certificate"
   * @param source names the input in errors, e.g. the file path
   * @throws FormatException naming the block (1-based) that is malformed, or if there are none or too many
   */
  public static java.util.List<byte[]> decodeAll(String text, String label, int max, String what, String source)
      throws FormatException {
    // Split at each END line and decode each block with decode(): the same linear scan, no pattern.
    String end = "-----END " + label + "-----";
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    int at = 0;
    while (true) {
      int next = at;
      while (next < text.length() && isPemSpace(text.charAt(next))) {
        next++;
      }
      if (next == text.length()) {
        break;
      }
      int stop = text.indexOf(end, next);
      if (stop < 0) {
        throw new FormatException(source + ": not a sequence of PEM " + what + "s: block " + (out.size() + 1)
            + " has no '" + end + "' line (nothing else may stand between blocks)");
      }
      if (out.size() == max) {
        throw new FormatException(source + ": more than " + max + " PEM " + what + "s");
      }
      try {
        out.add(decode(text.substring(next, stop + end.length()), label, what, source));
      } catch (FormatException e) {
        throw new FormatException(source + ": not a sequence of PEM " + what + "s: block " + (out.size() + 1)
            + " is not a '-----BEGIN " + label + "-----' block (nothing else may stand between blocks)", e);
      }
      at = stop + end.length();
    }
    if (out.isEmpty()) {
      throw new FormatException(source + ": holds no PEM " + what + " (expected '-----BEGIN " + label + "-----' blocks)");
    }
    return out;
  }

  /** The whitespace PEM tolerates around and inside the block: what {@code \s} matches in a Java pattern. */
  private static boolean isPemSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
  }

  private static FormatException notPem(String label, String what, String source) {
    return new FormatException(source + ": not a PEM " + what + " (expected one '-----BEGIN " + label + "-----' block)");
  }

  /** The PEM block of {@code der}, 64 base64 characters a line, ending in a newline. */
  public static String encode(byte[] der, String label) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
  }
}
