/**
 * API. The custody log's Merkle tree (RFC 9162 §2.1, SHA-256).
 *
 * <ul>
 *   <li>{@link dev.custody.core.merkle.MerkleHash}: leaf and node hash functions and constants.
 *   <li>{@link dev.custody.core.merkle.ProofVerifier}: checks inclusion and consistency proofs
 *       ({@link dev.custody.core.merkle.InclusionProof}, {@link
 *       dev.custody.core.merkle.ConsistencyProof}); void or {@link
 *       dev.custody.core.merkle.ProofException}. This is what a verifier uses.
 *   <li>{@link dev.custody.core.merkle.CompactRange}: O(log n) incremental root of an append-only
 *       log.
 *   <li>{@link dev.custody.core.merkle.MerkleTree} over {@link dev.custody.core.merkle.NodeHashes}:
 *       roots of any prefix and proof generation; {@link
 *       dev.custody.core.merkle.InMemoryNodeHashes} is the in-memory node source.
 * </ul>
 */
package dev.custody.core.merkle;
