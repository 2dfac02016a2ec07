package dev.custody.attest;

import dev.custody.attest.AttestException;
import dev.custody.core.jws.VerificationKey;

/**
 * Something that signs custody entries: a key in memory today; an HSM, KMS or PKCS#11 token
 * tomorrow. Implementations must be thread-safe.
 */
public interface Signer {
  /** The public key that verifies this signer's signatures; its key id goes into every entry. */
  VerificationKey publicKey();

  /**
   * Signs a JWS signing input (RFC 7515 §5.1) with the key's one algorithm and returns the JWS
   * signature bytes: 64 bytes for Ed25519; for ES256, R‖S, 32 bytes each (RFC 7518 §3.4).
   */
  byte[] sign(byte[] signingInput) throws AttestException;

  /** The signer's key id. */
  default String keyId() {
    return publicKey().keyId();
  }
}
