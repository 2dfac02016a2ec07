package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import java.util.Arrays;

/**
 * The sequence numbers seen in one chain, as sorted disjoint closed ranges. A well-formed chain is
 * one range [0, head], so the common case costs 16 bytes per chain whatever its length; each gap or
 * reordering adds one range. Not thread-safe.
 */
public final class SequenceRanges {
  // starts[i] <= ends[i] < starts[i+1] - 1 for i < count
  private long[] starts = new long[1];
  private long[] ends = new long[1];
  private int count;

  public boolean contains(long seq) {
    int i = floor(seq);
    return i >= 0 && seq <= ends[i];
  }

  /** Adds {@code seq}; returns false if it was already present. */
  public boolean add(long seq) {
    // Fast path: the next sequence number of the chain.
    if (count > 0 && seq == ends[count - 1] + 1) {
      ends[count - 1] = seq;
      return true;
    }
    int i = floor(seq);
    if (i >= 0 && seq <= ends[i]) {
      return false;
    }
    boolean joinsLeft = i >= 0 && ends[i] + 1 == seq;
    boolean joinsRight = i + 1 < count && starts[i + 1] - 1 == seq;
    if (joinsLeft && joinsRight) {
      ends[i] = ends[i + 1];
      remove(i + 1);
    } else if (joinsLeft) {
      ends[i] = seq;
    } else if (joinsRight) {
      starts[i + 1] = seq;
    } else {
      insert(i + 1, seq);
    }
    return true;
  }

  /** Index of the last range starting at or before {@code seq}, or -1. */
  private int floor(long seq) {
    int lo = 0;
    int hi = count - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] <= seq) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private void insert(int at, long seq) {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      ends = Arrays.copyOf(ends, count * 2);
    }
    System.arraycopy(starts, at, starts, at + 1, count - at);
    System.arraycopy(ends, at, ends, at + 1, count - at);
    starts[at] = seq;
    ends[at] = seq;
    count++;
  }

  private void remove(int at) {
    System.arraycopy(starts, at + 1, starts, at, count - at - 1);
    System.arraycopy(ends, at + 1, ends, at, count - at - 1);
    count--;
  }
}
