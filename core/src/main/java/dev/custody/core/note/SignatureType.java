package dev.custody.core.note;

import java.util.Optional;

/**
 * The note signature types custody accepts: a closed allow-list (STYLE.md 7). The type comes from
 * the trusted verifier key, never from the note, whose signature lines carry no type.
 *
 * <p>Identifier bytes are those assigned by C2SP signed-note §Signature types.
 */
public enum SignatureType {
  /** {@code 0x01}: Ed25519 (RFC 8032) over the note text. Signature: 64 bytes. */
  ED25519((byte) 0x01, 64),
  /**
   * {@code 0x04}: timestamped Ed25519 checkpoint cosignature (C2SP tlog-cosignature, "cosignature/v1").
   * Signature: 8-byte big-endian timestamp followed by 64 bytes of Ed25519 over
   * {@link CosignatureV1#signedMessage}.
   */
  COSIGNATURE_V1((byte) 0x04, 8 + 64);

  /** Length of every public key of both types: an RFC 8032 Ed25519 public key. */
  public static final int PUBLIC_KEY_LENGTH = 32;

  private final byte id;
  private final int signatureLength;

  SignatureType(byte id, int signatureLength) {
    this.id = id;
    this.signatureLength = signatureLength;
  }

  /** The identifier byte. */
  public byte id() {
    return id;
  }

  /** Length of a signature of this type, excluding the 4-byte key ID. */
  public int signatureLength() {
    return signatureLength;
  }

  /** The type with identifier {@code id}, or empty if custody does not accept it. */
  public static Optional<SignatureType> fromId(byte id) {
    for (SignatureType t : values()) {
      if (t.id == id) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
