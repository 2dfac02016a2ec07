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
    String l = Pattern.quote(label);
    Matcher m = Pattern.compile("\\s*-----BEGIN " + l + "-----([A-Za-z0-9+/=\\s]+?)-----END " + l + "-----\\s*")
        .matcher(text);
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      m.region(at, text.length());
      if (!m.lookingAt()) {
        if (text.substring(at).isBlank()) {
          break;
        }
        throw new FormatException(source + ": not a sequence of PEM " + what + "s: block " + (out.size() + 1)
            + " is not a '-----BEGIN " + label + "-----' block (nothing else may stand between blocks)");
      }
      if (out.size() == max) {
        throw new FormatException(source + ": more than " + max + " PEM " + what + "s");
      }
      try {
        out.add(Base64.getMimeDecoder().decode(m.group(1).strip()));
      } catch (IllegalArgumentException e) {
        throw new FormatException(source + ": bad base64 in PEM " + what + " " + (out.size() + 1), e);
      }
      at = m.end();
    }
    if (out.isEmpty()) {
      throw new FormatException(source + ": holds no PEM " + what + " (expected '-----BEGIN " + label + "-----' blocks)");
    }
    return out;
  }

  /** The PEM block of {@code der}, 64 base64 characters a line, ending in a newline. */
  public static String encode(byte[] der, String label) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
  }
}
