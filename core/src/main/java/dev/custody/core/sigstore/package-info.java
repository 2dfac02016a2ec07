/**
 * Sigstore bundles (sigstore/protobuf-specs {@code sigstore_bundle.proto}, media types v0.1 to
 * v0.3), read and written offline: the DSSE envelope or message signature they carry and their
 * verification material (public-key hint, certificate, X.509 chain). Transparency-log entries and
 * timestamps are counted, not verified: that needs Sigstore's trust roots, which custody does not
 * fetch. {@link dev.custody.core.sigstore.OmsSignature} verifies an OpenSSF model signing v1.0
 * signature (a bundle whose DSSE payload is an in-toto Statement with the OMS predicate).
 */
package dev.custody.core.sigstore;
