package dev.custody.core.note;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;
import dev.custody.core.Digest;

/**
 * The 32-bit key ID of a note signer (C2SP signed-note §Signatures): the first four bytes of a
 * signature, big-endian, and the second field of a verifier key, written as exactly eight
 * lowercase hex digits.
 *
 * <p>The ID is an identifier, not a cryptographic commitment: a verifier finds its trusted key by
 * (name, ID) and then checks the signature with that key.
 */
public record KeyId(int value) {
  private static final Pattern HEX8 = Pattern.compile("[0-9a-f]{8}");

  /**
   * {@code SHA-256(name || 0x0A || type || publicKey)[:4]} as a big-endian integer: the rule the
   * signed-note spec recommends and tlog-cosignature requires (C2SP signed-note §Signatures).
   */
  public static KeyId compute(String name, SignatureType type, byte[] publicKey) {
    MessageDigest sha256 = Digest.newSha256();
    sha256.update(name.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) '\n');
    sha256.update(type.id());
    sha256.update(publicKey);
    byte[] h = sha256.digest();
    return new KeyId(((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff));
  }

  /** Parses exactly eight lowercase hex digits (the fixed-length form the spec defines). */
  public static KeyId parseHex(String hex) throws FormatException {
    if (!HEX8.matcher(hex).matches()) {
      throw new FormatException("key ID must be exactly 8 lowercase hex digits, got '" + hex + "'");
    }
    return new KeyId(Integer.parseUnsignedInt(hex, 16));
  }

  /** Eight lowercase hex digits. */
  public String hex() {
    return String.format("%08x", value);
  }

  /** The four big-endian bytes that start a note signature. */
  byte[] toBytes() {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  @Override
  public String toString() {
    return hex();
  }
}
