/**
 * DSSE, the Dead Simple Signing Envelope (secure-systems-lab/dsse v1.0.2): the envelope
 * ({@link dev.custody.core.dsse.DsseEnvelope}), the pre-authentication encoding a signature covers
 * ({@link dev.custody.core.dsse.Pae}) and the keys of outside signers that verify it
 * ({@link dev.custody.core.dsse.EnvelopeKey}). Used to read OpenSSF model signatures and Sigstore
 * bundles and to write custody's in-toto exports.
 */
package dev.custody.core.dsse;
