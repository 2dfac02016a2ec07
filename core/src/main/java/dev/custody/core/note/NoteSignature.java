package dev.custody.core.note;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One signature line of a signed note, as written (C2SP signed-note §Signatures):
 *
 * <pre>
 *   "— " keyName " " base64(keyID (4 bytes, big-endian) || signature) "\n"
 * </pre>
 *
 * <p>The dash is U+2014 EM DASH. {@code signature} holds the bytes after the key ID; its length
 * depends on the signature type of the key, which the line does not say. Holding a
 * {@code NoteSignature} says nothing about its validity: {@link SignedNote#open} decides that.
 *
 * @param keyName the signer's key name (non-empty, no spaces, no {@code '+'})
 * @param keyId the 32-bit key ID
 * @param signature at least one byte
 */
public record NoteSignature(String keyName, KeyId keyId, Bytes signature) {
  /** Start of every signature line: U+2014 EM DASH and a space. */
  public static final String PREFIX = "\u2014 ";

  public NoteSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(signature, "signature");
    try {
      KeyNames.check(Objects.requireNonNull(keyName, "keyName"), "note signature");
    } catch (FormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (signature.length() == 0) {
      throw new IllegalArgumentException("note signature by " + keyName + " is empty");
    }
  }

  /**
   * Parses one signature line without its final newline.
   *
   * @throws FormatException if the line does not follow the grammar above
   */
  public static NoteSignature parseLine(String line) throws FormatException {
    if (!line.startsWith(PREFIX)) {
      throw new FormatException("signature line does not start with an em dash (U+2014) and a space: '"
          + abbreviate(line) + "'");
    }
    String rest = line.substring(PREFIX.length());
    int space = rest.indexOf(' ');
    if (space < 0) {
      throw new FormatException("signature line has no space between key name and signature: '" + abbreviate(line) + "'");
    }
    String name = rest.substring(0, space);
    KeyNames.check(name, "signature line '" + abbreviate(line) + "'");
    return fromBase64(name, rest.substring(space + 1));
  }

  /**
   * A signature from its key name and the base64 field of its line ({@code keyID || signature}).
   *
   * @throws FormatException if the name is invalid, the base64 not canonical, or fewer than 5 bytes
   */
  public static NoteSignature fromBase64(String keyName, String base64) throws FormatException {
    KeyNames.check(keyName, "signature by '" + keyName + "'");
    byte[] raw = StrictBase64.decode(base64, "signature by " + keyName);
    // The 4-byte key ID plus at least one signature byte (Go's sumdb/note rejects shorter ones too).
    if (raw.length < 5) {
      throw new FormatException("signature by " + keyName + " decodes to " + raw.length
          + " bytes; a note signature is a 4-byte key ID followed by the signature");
    }
    KeyId id = new KeyId(((raw[0] & 0xff) << 24) | ((raw[1] & 0xff) << 16) | ((raw[2] & 0xff) << 8) | (raw[3] & 0xff));
    return new NoteSignature(keyName, id, Bytes.copyOf(raw, 4, raw.length - 4));
  }

  /** The base64 field: {@code base64(keyID || signature)}. */
  public String base64() {
    byte[] sig = signature.toByteArray();
    byte[] raw = new byte[4 + sig.length];
    System.arraycopy(keyId.toBytes(), 0, raw, 0, 4);
    System.arraycopy(sig, 0, raw, 4, sig.length);
    return StrictBase64.encode(raw);
  }

  /** The signature line, without its final newline. */
  public String line() {
    return PREFIX + keyName + " " + base64();
  }

  byte[] lineBytes() {
    return (line() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** {@code name+hex8(keyID)}, how Go's sumdb/note and error messages name a signer. */
  public String signer() {
    return keyName + "+" + keyId.hex();
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 97) + "...";
  }
}
