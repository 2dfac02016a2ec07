package dev.custody.core.internal.text;

import dev.custody.core.FormatException;
import java.util.Base64;

/**
 * The standard base64 alphabet with padding (RFC 4648 §4), decoded strictly: the input must be
 * the one canonical encoding of its bytes. Missing or extra padding, non-zero padding bits,
 * line breaks, whitespace and characters outside the alphabet are all rejected, so one byte
 * string has exactly one accepted text form (the C2SP note and checkpoint formats rely on this:
 * a signature or root line cannot be rewritten into a second accepted spelling).
 *
 * <p>Thread-safe; no state.
 */
public final class StrictBase64 {
  private static final Base64.Encoder ENCODER = Base64.getEncoder();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private StrictBase64() {}

  /** Standard base64 with padding. */
  public static String encode(byte[] data) {
    return ENCODER.encodeToString(data);
  }

  /**
   * Decodes {@code text}; {@code what} names the field in the error message.
   *
   * @throws FormatException if {@code text} is not the canonical padded standard base64 of some bytes
   */
  public static byte[] decode(String text, String what) throws FormatException {
    byte[] out;
    try {
      out = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + " is not valid base64 ('" + abbreviate(text) + "'): " + e.getMessage(), e);
    }
    // Java's decoder accepts unpadded input and ignores non-zero bits in the last character;
    // re-encoding and comparing rejects both, leaving exactly one spelling per byte string.
    if (!ENCODER.encodeToString(out).equals(text)) {
      throw new FormatException(what + " is not canonical padded base64 ('" + abbreviate(text)
          + "'): use standard base64 (RFC 4648 §4) with '=' padding and zero padding bits");
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
