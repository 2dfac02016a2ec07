package dev.custody.core.jws;

import dev.custody.core.FormatException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Strict base64url without padding (RFC 7515 §2): only the URL-safe alphabet, no padding, no
 * whitespace, and canonical, i.e. unused trailing bits are zero, so each byte string has exactly
 * one encoding and an entry's bytes cannot be varied without changing its meaning.
 */
public final class Base64Url {
  private static final Pattern ALPHABET = Pattern.compile("[A-Za-z0-9_-]*");
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Base64Url() {}

  public static String encode(byte[] data) {
    return ENCODER.encodeToString(data);
  }

  /** Decodes {@code text}; {@code what} names it in the error. */
  public static byte[] decode(String text, String what) throws FormatException {
    if (text.length() % 4 == 1 || !ALPHABET.matcher(text).matches()) {
      throw new FormatException(what + " is not unpadded base64url");
    }
    byte[] out;
    try {
      out = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + " is not unpadded base64url: " + e.getMessage(), e);
    }
    if (!ENCODER.encodeToString(out).equals(text)) {
      throw new FormatException(what + " is not canonical base64url (non-zero trailing bits)");
    }
    return out;
  }
}
