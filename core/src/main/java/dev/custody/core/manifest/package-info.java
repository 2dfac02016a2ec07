/**
 * API. Model manifests: the per-file or per-shard SHA-256 digests of a model and the root digest over
 * them, compatible byte for byte with OpenSSF model signing (OMS) v1.0 and its reference
 * implementation, {@code sigstore/model-transparency}.
 *
 * <ul>
 *   <li>{@link dev.custody.core.manifest.ModelManifest}: the immutable value, its invariants, the root
 *       digest (OMS §6.5.1) and the JSON form (the OMS predicate: {@code serialization},
 *       {@code resources});
 *   <li>{@link dev.custody.core.manifest.ResourceNames}: path canonicalization, shard names
 *       {@code path:start:end} and the canonical order;
 *   <li>{@link dev.custody.core.manifest.Serialization}: {@code files} or {@code shards} and their
 *       parameters;
 *   <li>{@link dev.custody.core.manifest.ModelHasher}: hashes a directory or file, in parallel with
 *       bounded memory.
 * </ul>
 *
 * The hasher lives in core rather than attest because verifiers (module verify, which depends on
 * core only) must re-hash a model to check it against a released manifest.
 */
package dev.custody.core.manifest;
