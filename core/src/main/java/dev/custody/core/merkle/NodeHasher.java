package dev.custody.core.merkle;

import dev.custody.core.Digest;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The RFC 9162 §2.1.1 hash functions over raw arrays, with one reusable {@link MessageDigest}
 * so that the loops of proof verification and tree building allocate no digest per node.
 *
 * <p>Not thread-safe: each verification call, tree builder or proof generation owns one. This is
 * the only code shared by verification ({@link ProofVerifier}) and generation.
 */
final class NodeHasher {
  private final MessageDigest sha256 = Digest.newSha256();

  /** {@code SHA-256(LEAF_PREFIX || entry)}. */
  byte[] leaf(byte[] entry) {
    sha256.update(MerkleHash.LEAF_PREFIX);
    sha256.update(entry);
    return sha256.digest();
  }

  /** {@code SHA-256(NODE_PREFIX || left || right)} as a new array. */
  byte[] node(byte[] left, byte[] right) {
    byte[] out = new byte[MerkleHash.HASH_LENGTH];
    node(left, right, out);
    return out;
  }

  /**
   * {@code SHA-256(NODE_PREFIX || left || right)} written into {@code out}. {@code out} may be
   * {@code left} or {@code right}: both are consumed before the digest is written.
   */
  void node(byte[] left, byte[] right, byte[] out) {
    sha256.update(MerkleHash.NODE_PREFIX);
    sha256.update(left);
    sha256.update(right);
    try {
      sha256.digest(out, 0, MerkleHash.HASH_LENGTH);
    } catch (DigestException e) {
      // Only thrown for an output buffer shorter than 32 bytes, which callers never pass.
      throw new IllegalStateException("SHA-256 output buffer too small", e);
    }
  }
}
