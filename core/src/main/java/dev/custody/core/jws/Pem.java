package dev.custody.core.jws;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    String l = Pattern.quote(label);
    Matcher m = Pattern.compile("\\s*-----BEGIN " + l + "-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END " + l + "-----\\s*")
        .matcher(text);
    if (!m.matches()) {
      throw new FormatException(source + ": not a PEM " + what + " (expected one '-----BEGIN " + label + "-----' block)");
    }
    try {
      return Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new FormatException(source + ": bad base64 in PEM " + what, e);
    }
  }

  /** The PEM block of {@code der}, 64 base64 characters a line, ending in a newline. */
  public static String encode(byte[] der, String label) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
  }
}
