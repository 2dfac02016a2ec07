/**
 * API. Recording: {@link dev.custody.attest.Ledger} appends signed events durably and signs
 * checkpoints; {@link dev.custody.attest.SigningKey} holds the private key and makes its signers (JWS,
 * note, cosignature); {@link dev.custody.attest.Signer} is the extension point for keys held
 * elsewhere.
 */
package dev.custody.attest;
