package dev.custody.core.internal.text;

import dev.custody.core.FormatException;
import java.util.Base64;

/**
 * Base64 as formats written by others spell it: the standard or the URL-safe alphabet (RFC 4648 §4
 * and §5), padded or not, no whitespace. DSSE requires verifiers to accept both alphabets
 * (envelope.md) and protobuf's JSON mapping reads both. Use it only where the base64 text is not what
 * is signed (DSSE signs the decoded payload), so that several spellings cannot matter; custody's own
 * formats use {@link StrictBase64}. Thread-safe; no state.
 */
public final class AnyBase64 {
  private AnyBase64() {}

  /**
   * Decodes {@code text}; {@code what} names the field in the error message.
   *
   * @throws FormatException if it is neither alphabet, or mixes them
   */
  public static byte[] decode(String text, String what) throws FormatException {
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + " is not base64: " + e.getMessage(), e);
    }
  }
}
