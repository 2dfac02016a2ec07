package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Incremental root computation for an append-only log: a "compact range" over leaves
 * {@code [0, size)}, holding only the roots of the perfect subtrees the range decomposes into —
 * one per set bit of {@code size}, at most 63 hashes — so each append costs amortised O(1) and
 * {@link #root()} O(log n) hashes.
 *
 * <p>The {@linkplain #peaks() peaks} are ordered left to right, i.e. largest subtree first; the
 * peak for bit {@code l} of {@code size} is the node at level {@code l} (leaves are level 0)
 * covering leaves {@code [p, p + 2^l)}. A store can persist {@link #size()} and {@link #peaks()}
 * and {@linkplain #restore(long, List) restore} the range later, and can collect every node
 * completed by an append with {@link #append(Bytes, NodeSink)}.
 *
 * <p>Not thread-safe: confine an instance to one thread or guard it externally.
 */
public final class CompactRange {
  /** Receives each node an append completes, from the leaf (level 0) upward. */
  @FunctionalInterface
  public interface NodeSink {
    /**
     * Called with the hash of the node at {@code level} and {@code index}, which covers leaves
     * {@code [index * 2^level, (index + 1) * 2^level)}.
     */
    void node(int level, long index, Bytes hash);
  }

  private final NodeHasher hasher = new NodeHasher();
  private final ArrayList<byte[]> peaks = new ArrayList<>();
  private long size;

  /** An empty range (size 0, root {@link MerkleHash#EMPTY_ROOT}). */
  public CompactRange() {}

  /**
   * A range over {@code size} leaves from its stored {@link #peaks()}.
   *
   * @throws IllegalArgumentException if {@code size} is negative, the number of peaks is not the
   *     number of set bits of {@code size}, or a peak is not 32 bytes
   */
  public static CompactRange restore(long size, List<Bytes> peaks) {
    Objects.requireNonNull(peaks, "peaks");
    if (size < 0) {
      throw new IllegalArgumentException("size must be non-negative, got " + size);
    }
    if (peaks.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException(
          "a compact range of size " + size + " has " + Long.bitCount(size)
              + " peaks (one per set bit), got " + peaks.size());
    }
    CompactRange range = new CompactRange();
    for (Bytes peak : peaks) {
      range.peaks.add(MerkleHash.checkedHash(peak, "peak"));
    }
    range.size = size;
    return range;
  }

  /** Number of leaves appended (or restored). */
  public long size() {
    return size;
  }

  /** Appends the next leaf hash ({@code SHA-256(0x00 || entry)}, not the entry). */
  public void append(Bytes leafHash) {
    append(leafHash, null);
  }

  /**
   * Appends the next leaf hash and reports to {@code sink} the leaf (level 0) and every interior
   * node the append completes, bottom-up. {@code sink} may be {@code null}.
   *
   * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
   * @throws IllegalStateException if the range already holds 2<sup>63</sup>-1 leaves
   */
  public void append(Bytes leafHash, @Nullable NodeSink sink) {
    byte[] h = MerkleHash.checkedHash(leafHash, "leaf");
    if (size == Long.MAX_VALUE) {
      throw new IllegalStateException("compact range is full at size " + size);
    }
    if (sink != null) {
      sink.node(0, size, leafHash);
    }
    // Each set low bit of size is a perfect subtree the new node completes: merge until a 0 bit.
    int level = 0;
    while (((size >>> level) & 1) == 1) {
      byte[] left = peaks.remove(peaks.size() - 1);
      hasher.node(left, h, h);
      level++;
      if (sink != null) {
        sink.node(level, size >>> level, Bytes.copyOf(h));
      }
    }
    peaks.add(h);
    size++;
  }

  /** The RFC 9162 Merkle tree hash of leaves {@code [0, size)}; the empty root for size 0. */
  public Bytes root() {
    if (peaks.isEmpty()) {
      return MerkleHash.EMPTY_ROOT;
    }
    // MTH splits at the largest power of two below n, so the right-hand peaks fold first.
    byte[] r = peaks.get(peaks.size() - 1).clone();
    for (int i = peaks.size() - 2; i >= 0; i--) {
      hasher.node(peaks.get(i), r, r);
    }
    return Bytes.copyOf(r);
  }

  /** The perfect-subtree roots of the range, largest (leftmost) first. */
  public List<Bytes> peaks() {
    List<Bytes> out = new ArrayList<>(peaks.size());
    for (byte[] p : peaks) {
      out.add(Bytes.copyOf(p));
    }
    return List.copyOf(out);
  }
}
