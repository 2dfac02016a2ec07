package dev.custody.attest;

import com.nimbusds.jose.JWSSigner;

/** Factories for the Nimbus signers custody uses. */
public final class Signers {
  private Signers() {}

  /**
   * An {@code EdDSA} Nimbus signer over Bouncy Castle's Ed25519 (32-byte seed and public key), for
   * Nimbus {@code JWSObject}s (the RFC 8037 known-answer test). custody itself signs through
   * {@link dev.custody.attest.SigningKey}, the one holder of private key material.
   */
  public static JWSSigner ed25519(byte[] seed, byte[] publicKey) {
    return new Ed25519JwsSigner(seed, publicKey);
  }
}
