/**
 * The evidence bundle format ({@link dev.custody.core.bundle.EvidenceBundle}, media type
 * {@code application/vnd.custody.bundle.v1+json}): entries of one ledger with their proofs, the
 * checkpoints they are proven in, manifests and certificate chains, for a verifier without the ledger.
 * Writers are in attest ({@code BundleExporter}); the verifier reads it as a source beside a ledger
 * directory.
 */
package dev.custody.core.bundle;
