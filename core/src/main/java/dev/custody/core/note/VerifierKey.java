package dev.custody.core.note;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A trusted note verifier key ("vkey", C2SP signed-note §Verifier keys): key name, key ID,
 * signature type and public key. Immutable and thread-safe.
 *
 * <p>Text form, parsed strictly by {@link #parse} and produced by {@link #encode}:
 *
 * <pre>
 *   vkey = name "+" hex8(keyID) "+" base64(type || publicKey)
 * </pre>
 *
 * <ul>
 *   <li>{@code name}: non-empty, no Unicode spaces, no {@code '+'} (so the first two {@code '+'}
 *       split the fields; the base64 field may contain {@code '+'}).
 *   <li>{@code hex8}: exactly 8 lowercase hex digits.
 *   <li>{@code base64}: canonical padded standard base64; {@code type} must be on the allow-list
 *       ({@link SignatureType}) and {@code publicKey} exactly 32 bytes and a valid Ed25519 point.
 *   <li>{@code keyID} must equal {@link KeyId#compute}{@code (name, type, publicKey)}: C2SP only
 *       recommends this rule, but it is mandatory for tlog-cosignature and is what Go's
 *       {@code sumdb/note} enforces; a mismatch means a typo or a substituted key.
 * </ul>
 */
public final class VerifierKey {
  private final String name;
  private final KeyId keyId;
  private final SignatureType type;
  private final Bytes publicKey;
  private final Ed25519.PublicPoint point;

  private VerifierKey(String name, SignatureType type, byte[] publicKey, Ed25519.PublicPoint point) {
    this.name = name;
    this.type = type;
    this.publicKey = Bytes.copyOf(publicKey);
    this.keyId = KeyId.compute(name, type, publicKey);
    this.point = point;
  }

  /**
   * The key of {@code type} for a raw 32-byte Ed25519 public key under {@code name}; the key ID is
   * computed.
   *
   * @throws FormatException if the name is invalid or the key is not a 32-byte Ed25519 point
   */
  public static VerifierKey of(String name, SignatureType type, Bytes publicKey) throws FormatException {
    Objects.requireNonNull(type, "type");
    KeyNames.check(Objects.requireNonNull(name, "name"), "verifier key");
    byte[] raw = publicKey.toByteArray();
    if (raw.length != SignatureType.PUBLIC_KEY_LENGTH) {
      throw new FormatException("verifier key " + name + ": Ed25519 public key must be "
          + SignatureType.PUBLIC_KEY_LENGTH + " bytes, got " + raw.length);
    }
    // Partial validation (RFC 8032 §5.1.7 point decoding), as core.jws does: a key that does not
    // decode can never verify, so it is reported when the key is configured, not at each note.
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(raw, 0);
    if (point == null) {
      throw new FormatException("verifier key " + name + ": public key is not a valid Ed25519 point");
    }
    return new VerifierKey(name, type, raw, point);
  }

  /** Parses a vkey string; see the class comment for the grammar. */
  public static VerifierKey parse(String vkey) throws FormatException {
    Objects.requireNonNull(vkey, "vkey");
    int p1 = vkey.indexOf('+');
    int p2 = p1 < 0 ? -1 : vkey.indexOf('+', p1 + 1);
    if (p2 < 0) {
      throw new FormatException("verifier key '" + vkey + "' must be <name>+<hex key ID>+<base64 type||key>");
    }
    String name = vkey.substring(0, p1);
    KeyNames.check(name, "verifier key '" + vkey + "'");
    KeyId claimed;
    try {
      claimed = KeyId.parseHex(vkey.substring(p1 + 1, p2));
    } catch (FormatException e) {
      throw new FormatException("verifier key '" + vkey + "': " + e.getMessage(), e);
    }
    byte[] material = StrictBase64.decode(vkey.substring(p2 + 1), "verifier key '" + vkey + "' key material");
    if (material.length == 0) {
      throw new FormatException("verifier key '" + vkey + "': empty key material");
    }
    SignatureType type = SignatureType.fromId(material[0]).orElseThrow(() -> new FormatException(
        "verifier key '" + vkey + "': unsupported signature type " + String.format("0x%02x", material[0])
            + " (custody accepts 0x01 Ed25519 and 0x04 Ed25519 cosignature/v1)"));
    byte[] raw = java.util.Arrays.copyOfRange(material, 1, material.length);
    VerifierKey key;
    try {
      key = of(name, type, Bytes.copyOf(raw));
    } catch (FormatException e) {
      throw new FormatException("verifier key '" + vkey + "': " + e.getMessage(), e);
    }
    if (!key.keyId.equals(claimed)) {
      throw new FormatException("verifier key '" + vkey + "': key ID " + claimed + " does not match the key (expected "
          + key.keyId + " = SHA-256(name || 0x0A || type || key)[:4]); the string is corrupted or the key substituted");
    }
    return key;
  }

  public String name() {
    return name;
  }

  public KeyId keyId() {
    return keyId;
  }

  public SignatureType type() {
    return type;
  }

  /** The raw 32-byte Ed25519 public key. */
  public Bytes publicKey() {
    return publicKey;
  }

  /**
   * This key as a {@link SignatureType#COSIGNATURE_V1} cosigner key, with the key ID recomputed for
   * type 0x04 (tlog-cosignature §Format). A cosigner may be configured with its plain Ed25519
   * (0x01) vkey, as transparency-dev's {@code NewVerifierForCosignatureV1} allows; the same
   * public key then verifies its cosignatures under the 0x04 key ID.
   */
  public VerifierKey asCosignatureV1() {
    return type == SignatureType.COSIGNATURE_V1 ? this
        : new VerifierKey(name, SignatureType.COSIGNATURE_V1, publicKey.toByteArray(), point);
  }

  /** The vkey string {@code name+hex8(keyID)+base64(type || publicKey)}. */
  public String encode() {
    byte[] raw = publicKey.toByteArray();
    byte[] material = new byte[1 + raw.length];
    material[0] = type.id();
    System.arraycopy(raw, 0, material, 1, raw.length);
    return name + "+" + keyId.hex() + "+" + StrictBase64.encode(material);
  }

  /** True iff this key's (name, key ID) is the one a signature line names. */
  boolean names(NoteSignature sig) {
    return name.equals(sig.keyName()) && keyId.equals(sig.keyId());
  }

  /**
   * Whether {@code signature} (the bytes after the key ID) is a valid signature of this key's type
   * over {@code text}. Package-private: callers outside go through {@link SignedNote#open}, which
   * turns the outcome into a result or a typed exception.
   */
  boolean verifies(byte[] text, Bytes signature) {
    byte[] sig = signature.toByteArray();
    // Length first, before any hashing (STYLE.md 8).
    if (sig.length != type.signatureLength()) {
      return false;
    }
    switch (type) {
      case ED25519:
        return Ed25519.verify(sig, 0, point, text, 0, text.length);
      case COSIGNATURE_V1: {
        long timestamp = CosignatureV1.readTimestamp(sig);
        if (timestamp < 0) {
          return false; // above 2^63 - 1: forbidden by tlog-cosignature §Format
        }
        byte[] message = CosignatureV1.signedMessage(timestamp, text);
        return Ed25519.verify(sig, CosignatureV1.TIMESTAMP_LENGTH, point, message, 0, message.length);
      }
      default:
        throw new AssertionError(type);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifierKey k && k.type == type && k.name.equals(name) && k.publicKey.equals(publicKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, publicKey);
  }

  /** The vkey string. */
  @Override
  public String toString() {
    return encode();
  }
}
