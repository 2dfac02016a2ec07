package dev.custody.core.jws;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Strict base64url without padding (RFC 7515 §2): only the URL-safe alphabet, no padding, no
 * whitespace, and canonical, i.e. unused trailing bits are zero, so each byte string has exactly
 * one encoding and an entry's bytes cannot be varied without changing its meaning.
 *
 * <p>Decoding is one pass over the text (it runs for every entry a verifier replays); the JDK
 * decoder alone would accept padding and non-zero trailing bits.
 */
public final class Base64Url {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  /** Value of each character up to U+00FF in the base64url alphabet (RFC 4648 §5), -1 elsewhere. */
  private static final byte[] VALUES = new byte[256];

  static {
    Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private Base64Url() {}

  public static String encode(byte[] data) {
    return ENCODER.encodeToString(data);
  }

  /**
   * Decodes {@code text}; {@code what} names it in the error. Four characters at a time from the
   * text's bytes; text with anything outside the alphabet or non-zero trailing bits is left to
   * {@link #decodeByCharacter}, which names the problem.
   */
  /** The length of {@link #encode} of {@code bytes} bytes: 4 characters per 3 bytes, unpadded. */
  public static int encodedLength(int bytes) {
    return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
  }

  public static byte[] decode(String text, String what) throws FormatException {
    int n = text.length();
    int rem = n % 4;
    if (rem == 1) {
      throw new FormatException(what + " is not unpadded base64url (impossible length " + n + ")");
    }
    // Characters above U+00FF become '?', outside the alphabet like the other non-ASCII ones.
    byte[] in = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[n / 4 * 3 + (rem == 0 ? 0 : rem - 1)];
    int full = n - rem;
    int o = 0;
    for (int i = 0; i < full; i += 4) {
      // An invalid character's -1 keeps the sign bit set whatever it is shifted by here.
      int v = VALUES[in[i] & 0xff] << 18 | VALUES[in[i + 1] & 0xff] << 12 | VALUES[in[i + 2] & 0xff] << 6
          | VALUES[in[i + 3] & 0xff];
      if (v < 0) {
        return decodeByCharacter(text, what);
      }
      out[o++] = (byte) (v >> 16);
      out[o++] = (byte) (v >> 8);
      out[o++] = (byte) v;
    }
    if (rem == 2) {
      int v = VALUES[in[full] & 0xff] << 6 | VALUES[in[full + 1] & 0xff];
      if (v < 0 || (v & 0x0f) != 0) {
        return decodeByCharacter(text, what);
      }
      out[o] = (byte) (v >> 4);
    } else if (rem == 3) {
      int v = VALUES[in[full] & 0xff] << 12 | VALUES[in[full + 1] & 0xff] << 6 | VALUES[in[full + 2] & 0xff];
      if (v < 0 || (v & 0x03) != 0) {
        return decodeByCharacter(text, what);
      }
      out[o++] = (byte) (v >> 10);
      out[o] = (byte) (v >> 2);
    }
    return out;
  }

  /** {@link #decode} one character at a time (package-private for the test that compares the two). */
  static byte[] decodeByCharacter(String text, String what) throws FormatException {
    int n = text.length();
    int rem = n % 4;
    if (rem == 1) {
      throw new FormatException(what + " is not unpadded base64url (impossible length " + n + ")");
    }
    byte[] out = new byte[n / 4 * 3 + (rem == 0 ? 0 : rem - 1)];
    int o = 0;
    int acc = 0;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      int v = c < 256 ? VALUES[c] : -1;
      if (v < 0) {
        throw new FormatException(what + " is not unpadded base64url (character '" + printable(c) + "' at " + i + ")");
      }
      acc = (acc << 6) | v;
      if ((i & 3) == 3) {
        out[o++] = (byte) (acc >> 16);
        out[o++] = (byte) (acc >> 8);
        out[o++] = (byte) acc;
        acc = 0;
      }
    }
    if (rem == 2) {
      if ((acc & 0x0f) != 0) {
        throw new FormatException(what + " is not canonical base64url (non-zero trailing bits)");
      }
      out[o] = (byte) (acc >> 4);
    } else if (rem == 3) {
      if ((acc & 0x03) != 0) {
        throw new FormatException(what + " is not canonical base64url (non-zero trailing bits)");
      }
      out[o++] = (byte) (acc >> 10);
      out[o] = (byte) (acc >> 2);
    }
    return out;
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
