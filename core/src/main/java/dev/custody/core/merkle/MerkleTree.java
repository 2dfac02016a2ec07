package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Roots and proofs for any prefix of a log, computed from a {@link NodeHashes} source by the
 * RFC 9162 §2.1 definitions: {@code MTH} (§2.1.1), {@code PATH} (§2.1.3.1) and
 * {@code PROOF}/{@code SUBPROOF} (§2.1.4.1). Perfect subtrees are read from the source when it
 * stores them and computed from their children otherwise.
 *
 * <p>Arguments out of range are programming errors here (the prover chooses what to prove) and
 * throw {@link IllegalArgumentException}; the resulting proofs are checked by
 * {@link ProofVerifier}, which shares no code with this class beyond the hash functions.
 *
 * <p>Thread-safe if the source is: each call uses its own hasher.
 */
public final class MerkleTree {
  private final NodeHashes nodes;

  public MerkleTree(NodeHashes nodes) {
    this.nodes = Objects.requireNonNull(nodes, "nodes");
  }

  /**
   * {@code MTH(D[0:treeSize])}; {@link MerkleHash#EMPTY_ROOT} for size 0.
   *
   * @throws IllegalArgumentException if {@code treeSize} is negative or above the source's size
   */
  public Bytes root(long treeSize) {
    checkSize(treeSize, "treeSize");
    if (treeSize == 0) {
      return MerkleHash.EMPTY_ROOT;
    }
    return Bytes.copyOf(hash(new NodeHasher(), 0, treeSize));
  }

  /**
   * The compact range over the first {@code treeSize} leaves: the roots of the perfect subtrees
   * {@code D[0:treeSize]} decomposes into, largest first (see {@link CompactRange}). Its
   * {@link CompactRange#root()} is {@link #root(long) root(treeSize)}; appending the following leaves
   * to it computes later roots without this source, which is how a writer extends a tree it has
   * checked against a signed root.
   *
   * @throws IllegalArgumentException if {@code treeSize} is negative or above the source's size
   */
  public CompactRange compactRange(long treeSize) {
    checkSize(treeSize, "tree size");
    NodeHasher h = new NodeHasher();
    java.util.List<Bytes> peaks = new java.util.ArrayList<>();
    long start = 0;
    for (int level = 62; level >= 0; level--) {
      if ((treeSize >>> level & 1) == 1) {
        peaks.add(Bytes.copyOf(perfect(h, level, start >>> level)));
        start += 1L << level;
      }
    }
    return CompactRange.restore(treeSize, peaks);
  }

  /**
   * The inclusion proof {@code PATH(leafIndex, D[0:treeSize])}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= leafIndex < treeSize <= source size}
   */
  public InclusionProof inclusionProof(long leafIndex, long treeSize) {
    checkSize(treeSize, "treeSize");
    if (leafIndex < 0 || leafIndex >= treeSize) {
      throw new IllegalArgumentException(
          "leaf index " + leafIndex + " is not in a tree of size " + treeSize);
    }
    List<Bytes> proof = new ArrayList<>();
    path(new NodeHasher(), leafIndex, 0, treeSize, proof);
    return new InclusionProof(leafIndex, treeSize, proof);
  }

  /**
   * The consistency proof {@code PROOF(size1, D[0:size2])}; empty when the sizes are equal.
   *
   * @throws IllegalArgumentException unless {@code 0 < size1 <= size2 <= source size}; size 0 is
   *     refused as {@link ProofVerifier#verifyConsistency(long, long, List, Bytes, Bytes)} refuses
   *     it
   */
  public ConsistencyProof consistencyProof(long size1, long size2) {
    checkSize(size2, "size2");
    if (size1 <= 0 || size1 > size2) {
      throw new IllegalArgumentException(
          "consistency proof needs 0 < size1 <= size2, got size1=" + size1 + ", size2=" + size2);
    }
    List<Bytes> proof = new ArrayList<>();
    if (size1 < size2) {
      subproof(new NodeHasher(), size1, 0, size2, true, proof);
    }
    return new ConsistencyProof(size1, size2, proof);
  }

  private void checkSize(long size, String what) {
    if (size < 0 || size > nodes.size()) {
      throw new IllegalArgumentException(
          what + " " + size + " is outside [0, " + nodes.size() + "], the leaves available");
    }
  }

  /**
   * PATH(m, D[start:start+n]) appended to {@code out}, leaf side first (RFC 9162 §2.1.3.1):
   * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else PATH(m-k, D[k:n]) : MTH(D[0:k]).
   * {@code m} is relative to {@code start}.
   */
  private void path(NodeHasher h, long m, long start, long n, List<Bytes> out) {
    if (n == 1) {
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m < k) {
      path(h, m, start, k, out);
      out.add(Bytes.copyOf(hash(h, start + k, n - k)));
    } else {
      path(h, m - k, start + k, n - k, out);
      out.add(Bytes.copyOf(hash(h, start, k)));
    }
  }

  /**
   * SUBPROOF(m, D[start:start+n], b) appended to {@code out} (RFC 9162 §2.1.4.1):
   * for m == n, empty if b else [MTH(D[n])]; for m < n, with k the largest power of two below n,
   * SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) if m <= k, else SUBPROOF(m-k, D[k:n], false) : MTH(D[0:k]).
   */
  private void subproof(NodeHasher h, long m, long start, long n, boolean b, List<Bytes> out) {
    if (m == n) {
      if (!b) {
        out.add(Bytes.copyOf(hash(h, start, n)));
      }
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(h, m, start, k, b, out);
      out.add(Bytes.copyOf(hash(h, start + k, n - k)));
    } else {
      subproof(h, m - k, start + k, n - k, false, out);
      out.add(Bytes.copyOf(hash(h, start, k)));
    }
  }

  /**
   * MTH(D[start:start+n]) for n >= 1. Every range the recursion reaches starts at a multiple of
   * the largest power of two not below its size, so a power-of-two range is always an aligned
   * perfect subtree the source may have stored.
   */
  private byte[] hash(NodeHasher h, long start, long n) {
    if (Long.bitCount(n) == 1) {
      int level = Long.numberOfTrailingZeros(n);
      return perfect(h, level, start >>> level);
    }
    long k = largestPowerOfTwoBelow(n);
    return h.node(hash(h, start, k), hash(h, start + k, n - k));
  }

  private byte[] perfect(NodeHasher h, int level, long index) {
    if (level == 0) {
      return sourceHash(nodes.leafHash(index), level, index);
    }
    Optional<Bytes> stored = nodes.perfectSubtree(level, index);
    if (stored.isPresent()) {
      return sourceHash(stored.get(), level, index);
    }
    return h.node(perfect(h, level - 1, 2 * index), perfect(h, level - 1, 2 * index + 1));
  }

  private static byte[] sourceHash(Bytes hash, int level, long index) {
    if (hash == null || hash.length() != MerkleHash.HASH_LENGTH) {
      throw new IllegalStateException(
          "node source returned " + (hash == null ? "null" : hash.length() + " bytes")
              + " for node (" + level + ", " + index + "), expected a 32-byte hash");
    }
    return hash.toByteArray();
  }

  /** The largest power of two strictly below {@code n}, for {@code n >= 2} (RFC 9162 §2.1.1's k). */
  private static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }
}
