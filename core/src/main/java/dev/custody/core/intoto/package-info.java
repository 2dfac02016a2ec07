/**
 * in-toto attestations (in-toto attestation spec v1.2): the Statement v1 layer
 * ({@link dev.custody.core.intoto.Statement}), its resource descriptors
 * ({@link dev.custody.core.intoto.ResourceDescriptor}) and the SLSA Provenance v1 predicate's
 * required fields ({@link dev.custody.core.intoto.SlsaProvenance}). Readers agree with the reference
 * validators' cases in {@code vectors/in-toto/validation-vectors.json}; where the Go and Python
 * validators differ, the stricter rule is taken (see each class).
 */
package dev.custody.core.intoto;
