package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * The hashes a {@link MerkleTree} reads: the leaf hashes of a log and, optionally, stored roots
 * of perfect subtrees. A source that stores no interior nodes makes every root and proof cost
 * O(size) hashes; one that stores them (see {@link InMemoryNodeHashes}) makes them O(log² size).
 *
 * <p>Node coordinates: the node at {@code level} and {@code index} is the root of the perfect
 * subtree over leaves {@code [index * 2^level, (index + 1) * 2^level)}; level 0 is the leaves.
 * Every perfect subtree the RFC 9162 §2.1 recursion visits has this form.
 *
 * <p>Implementations used by several threads at once must be thread-safe for reads.
 */
public interface NodeHashes {
  /** Number of leaves available; the tree serves sizes up to this. */
  long size();

  /** The hash of leaf {@code index} ({@code 0 <= index < size()}): {@code SHA-256(0x00 || entry)}. */
  Bytes leafHash(long index);

  /**
   * The stored root of the perfect subtree at {@code level >= 1} and {@code index}, if this
   * source keeps it; empty makes the tree compute it from its two children. Only asked for nodes
   * wholly inside {@code [0, size())}. A stored value must equal the computed one: the tree does
   * not re-check it.
   */
  default Optional<Bytes> perfectSubtree(int level, long index) {
    return Optional.empty();
  }

  /** A source over a fixed list of leaf hashes with no stored interior nodes. */
  static NodeHashes ofLeaves(List<Bytes> leafHashes) {
    List<Bytes> copy = List.copyOf(leafHashes);
    return new NodeHashes() {
      @Override
      public long size() {
        return copy.size();
      }

      @Override
      public Bytes leafHash(long index) {
        return copy.get(Math.toIntExact(index));
      }
    };
  }
}
