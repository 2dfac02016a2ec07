package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An append-only in-memory log of leaf hashes that also keeps every completed perfect-subtree
 * root, so that a {@link MerkleTree} over it computes roots and proofs in O(log² n) hashes. The
 * reference for stores that persist the same nodes.
 *
 * <p>Holds at most 2<sup>31</sup>-1 leaves (one Java list per level). Not thread-safe: appends
 * must not run concurrently with each other or with reads.
 */
public final class InMemoryNodeHashes implements NodeHashes {
  private final CompactRange range = new CompactRange();
  /** levels.get(l).get(i) = node (l, i); level 0 holds the leaf hashes. */
  private final List<List<Bytes>> levels = new ArrayList<>();

  /**
   * Appends the next leaf hash.
   *
   * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
   * @throws IllegalStateException if the log already holds 2<sup>31</sup>-1 leaves
   */
  public void append(Bytes leafHash) {
    if (range.size() == Integer.MAX_VALUE) {
      throw new IllegalStateException("in-memory log is full at " + range.size() + " leaves");
    }
    range.append(leafHash, this::store);
  }

  /** Root of all leaves appended so far. */
  public Bytes root() {
    return range.root();
  }

  @Override
  public long size() {
    return range.size();
  }

  @Override
  public Bytes leafHash(long index) {
    return node(0, index)
        .orElseThrow(() -> new IndexOutOfBoundsException("leaf " + index + " of " + size()));
  }

  @Override
  public Optional<Bytes> perfectSubtree(int level, long index) {
    return node(level, index);
  }

  private Optional<Bytes> node(int level, long index) {
    if (level < 0 || level >= levels.size() || index < 0) {
      return Optional.empty();
    }
    List<Bytes> nodes = levels.get(level);
    return index < nodes.size() ? Optional.of(nodes.get((int) index)) : Optional.empty();
  }

  private void store(int level, long index, Bytes hash) {
    if (level == levels.size()) {
      levels.add(new ArrayList<>());
    }
    List<Bytes> nodes = levels.get(level);
    // CompactRange completes nodes of each level strictly left to right.
    if (index != nodes.size()) {
      throw new IllegalStateException("node (" + level + ", " + index + ") out of order");
    }
    nodes.add(hash);
  }
}
