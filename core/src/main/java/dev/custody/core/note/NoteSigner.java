package dev.custody.core.note;

/**
 * Something that signs note text under one key: a key in memory today, an HSM or KMS tomorrow.
 * Implementations live with the signing code (custody-attest); core only frames the signatures.
 * Implementations must be thread-safe.
 */
public interface NoteSigner {
  /** The key name written in the signature line. */
  String keyName();

  /** The key ID written at the start of the signature. */
  KeyId keyId();

  /** The signature type; {@link SignedNote#sign} checks the returned length against it. */
  SignatureType type();

  /**
   * Signs {@code message}, the exact note text bytes (ending in a newline), and returns the
   * signature bytes that follow the key ID: 64 bytes for {@link SignatureType#ED25519},
   * 8 + 64 for {@link SignatureType#COSIGNATURE_V1}.
   */
  byte[] sign(byte[] message) throws NoteSigningException;
}
