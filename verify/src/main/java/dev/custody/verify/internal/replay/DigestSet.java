package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import dev.custody.core.Digest;
import java.nio.ByteBuffer;

/**
 * A set of SHA-256 digests in flat arrays: 32 bytes per digest and no object per element, so a
 * replay of millions of entries can detect duplicate records exactly within a small heap
 * (1 M entries take 64 MiB at most). Open addressing with linear probing; the first 8 bytes of a
 * digest, uniformly distributed for SHA-256, pick the slot. Not thread-safe.
 */
public final class DigestSet {
  private static final int LONGS_PER_DIGEST = 4;
  private static final int INITIAL_SLOTS = 1 << 12;

  // Slot i holds table[4i .. 4i+3]; all-zero means empty (the all-zero digest is kept aside).
  private long[] table = new long[INITIAL_SLOTS * LONGS_PER_DIGEST];
  private int mask = INITIAL_SLOTS - 1;
  private long size;
  private boolean hasZero;

  /** Adds {@code d}; returns false if it was already present. */
  public boolean add(Digest d) {
    long[] w = words(d);
    if (isZero(w)) {
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if ((size + 1) * 2 > (long) mask + 1) {
      grow();
    }
    if (!insert(table, mask, w[0], w[1], w[2], w[3])) {
      return false;
    }
    size++;
    return true;
  }

  /** Whether {@code d} was added. */
  public boolean contains(Digest d) {
    long[] w = words(d);
    if (isZero(w)) {
      return hasZero;
    }
    int i = probe(table, mask, w[0], w[1], w[2], w[3]);
    return (table[i] | table[i + 1] | table[i + 2] | table[i + 3]) != 0;
  }

  /** The digest's 32 bytes as four big-endian longs. */
  private static long[] words(Digest d) {
    ByteBuffer b = ByteBuffer.wrap(d.value().toByteArray());
    return new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
  }

  private static boolean isZero(long[] w) {
    return (w[0] | w[1] | w[2] | w[3]) == 0;
  }

  /** The table index of the slot holding the digest, or of the empty slot where it would go. */
  private static int probe(long[] t, int mask, long a0, long a1, long a2, long a3) {
    int slot = (int) (a0 ^ (a0 >>> 32)) & mask;
    while (true) {
      int i = slot * LONGS_PER_DIGEST;
      if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) == 0
          || (t[i] == a0 && t[i + 1] == a1 && t[i + 2] == a2 && t[i + 3] == a3)) {
        return i;
      }
      slot = (slot + 1) & mask;
    }
  }

  public long size() {
    return size + (hasZero ? 1 : 0);
  }

  private static boolean insert(long[] t, int mask, long a0, long a1, long a2, long a3) {
    int i = probe(t, mask, a0, a1, a2, a3);
    if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) != 0) {
      return false;
    }
    t[i] = a0;
    t[i + 1] = a1;
    t[i + 2] = a2;
    t[i + 3] = a3;
    return true;
  }

  private void grow() {
    int slots = (mask + 1) * 2;
    if (slots <= 0 || (long) slots * LONGS_PER_DIGEST > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("too many entries for duplicate detection in one replay");
    }
    long[] next = new long[slots * LONGS_PER_DIGEST];
    int nextMask = slots - 1;
    for (int i = 0; i < table.length; i += LONGS_PER_DIGEST) {
      if ((table[i] | table[i + 1] | table[i + 2] | table[i + 3]) != 0) {
        insert(next, nextMask, table[i], table[i + 1], table[i + 2], table[i + 3]);
      }
    }
    table = next;
    mask = nextMask;
  }
}
