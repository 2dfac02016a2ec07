/**
 * API. Entry signatures: compact JWS over the canonical payload, the {@link
 * dev.custody.core.jws.KeyAlgorithm}s custody signs with, and public {@link
 * dev.custody.core.jws.VerificationKey}s (PEM, JWK thumbprints).
 */
package dev.custody.core.jws;
