package dev.custody.core.merkle;

import dev.custody.core.Digest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A naive implementation written straight from the RFC 9162 §2.1 definitions over lists of leaf
 * hashes, with no shared code beyond {@link Digest#newSha256()}: MTH, PATH and PROOF/SUBPROOF by
 * sublist recursion. Slow (every MTH is O(n)) and obviously right; cross-checks the fast classes.
 */
final class RfcReference {
  private RfcReference() {}

  static byte[] leafHash(byte[] entry) {
    MessageDigest md = Digest.newSha256();
    md.update((byte) 0x00);
    return md.digest(entry);
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = Digest.newSha256();
    md.update((byte) 0x01);
    md.update(left);
    return md.digest(right);
  }

  /** MTH(D[n]) where {@code d} holds leaf hashes (so MTH of one leaf is its hash). */
  static byte[] mth(List<byte[]> d) {
    int n = d.size();
    if (n == 0) {
      return Digest.newSha256().digest();
    }
    if (n == 1) {
      return d.get(0);
    }
    int k = k(n);
    return nodeHash(mth(d.subList(0, k)), mth(d.subList(k, n)));
  }

  /** PATH(m, D[n]). */
  static List<byte[]> path(int m, List<byte[]> d) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (n == 1) {
      return out;
    }
    int k = k(n);
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(path(m - k, d.subList(k, n)));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
  static List<byte[]> proof(int m, List<byte[]> d) {
    return subproof(m, d, true);
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (m == n) {
      if (!b) {
        out.add(mth(d));
      }
      return out;
    }
    int k = k(n);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** The largest power of two smaller than n (n > 1), by counting up as the RFC states it. */
  private static int k(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }
}
