package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import dev.custody.core.merkle.ProofException.Reason;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Checks RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs. Void or throw: a method
 * that returns normally has verified the proof; every failure is a {@link ProofException} naming
 * the check and the values.
 *
 * <p>Every precondition is checked before any hashing (STYLE.md §8): sizes and index in range,
 * every hash exactly {@value MerkleHash#HASH_LENGTH} bytes, and the exact proof length the sizes
 * require (as transparency-dev/merkle {@code proof/verify.go} does), so a proof with preceding or
 * trailing garbage, an inserted or a removed component is refused without being hashed. The RFC
 * loops then run as written, including their own "sn is 0" guards.
 *
 * <p>This class shares no code with proof generation ({@link MerkleTree}, {@link CompactRange})
 * except the hash functions, so that a bug in one is not silently mirrored by the other.
 *
 * <p>A proof binds hashes, not sizes: proofs for different sizes whose paths have the same shape
 * are interchangeable (e.g. the proof from 6 to 13 leaves also "verifies" from 6 to 12 against
 * the 13-leaf root, read as a 12-leaf tree whose last subtree hashes differently). Take every
 * size from the same signed checkpoint as its root; never from the proof's sender alone.
 *
 * <p>Sizes and indices are RFC 9162 {@code uint64} values held in a Java {@code long}; values of
 * 2<sup>63</sup> and above cannot be expressed and negative arguments are refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProofVerifier {
  private ProofVerifier() {}

  /**
   * Verifies that {@code proof.hashes()} proves the leaf with hash {@code leafHash} is at
   * {@code proof.leafIndex()} in the tree of {@code proof.treeSize()} leaves whose root is
   * {@code root}. Same checks as {@link #verifyInclusion(long, long, Bytes, List, Bytes)}.
   */
  public static void verifyInclusion(InclusionProof proof, Bytes leafHash, Bytes root)
      throws ProofException {
    Objects.requireNonNull(proof, "proof");
    verifyInclusion(proof.leafIndex(), proof.treeSize(), leafHash, proof.hashes(), root);
  }

  /**
   * Verifies an inclusion proof (RFC 9162 §2.1.3.2).
   *
   * @param leafIndex 0-based index of the leaf; must be {@code < treeSize}
   * @param treeSize size of the tree {@code root} commits to
   * @param leafHash the leaf hash {@code SHA-256(0x00 || entry)}, not the entry
   * @param proof the audit path; must have exactly the length {@code leafIndex} and
   *     {@code treeSize} determine
   * @param root the trusted root of the tree of {@code treeSize} leaves
   * @throws ProofException if a precondition fails or the path does not lead to {@code root}
   */
  public static void verifyInclusion(
      long leafIndex, long treeSize, Bytes leafHash, List<Bytes> proof, Bytes root)
      throws ProofException {
    checkHashLength(root, "root");
    byte[] computed = computeInclusionRoot(leafIndex, treeSize, leafHash, proof);
    // Constant time (Bytes.equals): the root is public, but a uniform rule for comparing digests
    // leaves no place where a secret-dependent early exit could creep in.
    if (!root.equals(Bytes.copyOf(computed))) {
      throw new ProofException(
          Reason.ROOT_MISMATCH,
          "inclusion proof for leaf " + leafIndex + " in tree size " + treeSize
              + " leads to root " + hex(computed) + ", not the expected root " + root.hex()
              + "; the leaf is not in that tree, or the proof or root belongs to another tree");
    }
  }

  /**
   * The root that an inclusion proof implies for {@code leafHash} at {@code leafIndex} in a tree
   * of {@code treeSize} leaves: RFC 9162 §2.1.3.2 steps 1–5 without the final comparison. A root
   * obtained this way is only meaningful once compared with a trusted root.
   *
   * @throws ProofException if a precondition fails (index, sizes, hash lengths, proof length)
   */
  public static Bytes rootFromInclusionProof(
      long leafIndex, long treeSize, Bytes leafHash, List<Bytes> proof) throws ProofException {
    return Bytes.copyOf(computeInclusionRoot(leafIndex, treeSize, leafHash, proof));
  }

  /**
   * Verifies that {@code root2} (tree of {@code proof.size2()} leaves) extends {@code root1}
   * (tree of {@code proof.size1()} leaves). Same checks as {@link #verifyConsistency(long, long,
   * List, Bytes, Bytes)}.
   */
  public static void verifyConsistency(ConsistencyProof proof, Bytes root1, Bytes root2)
      throws ProofException {
    Objects.requireNonNull(proof, "proof");
    verifyConsistency(proof.size1(), proof.size2(), proof.hashes(), root1, root2);
  }

  /**
   * Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of {@code size2} leaves with root
   * {@code root2} has the tree of {@code size1} leaves with root {@code root1} as its prefix.
   *
   * <p>Cases outside the RFC algorithm, which is defined for {@code 0 < size1 < size2}:
   *
   * <ul>
   *   <li>{@code size1 == size2 > 0}: the proof must be empty and the roots equal.
   *   <li>{@code size1 == 0} is <b>always refused</b> ({@link Reason#EMPTY_FIRST_TREE}), even with
   *       {@code size2 == 0}, an empty proof and {@code root1} = {@link MerkleHash#EMPTY_ROOT}.
   *       Every tree extends the empty tree, so such a "proof" would prove nothing about
   *       {@code root2}, and a success could be mistaken for a check of {@code root2}. This
   *       matches transparency-dev/merkle ("consistency proof from empty tree is meaningless")
   *       and its test vectors. A caller whose trusted checkpoint is the empty tree has nothing
   *       to check and should skip the call.
   * </ul>
   *
   * @throws ProofException if a precondition fails or the proof does not lead to both roots
   */
  public static void verifyConsistency(
      long size1, long size2, List<Bytes> proof, Bytes root1, Bytes root2)
      throws ProofException {
    Objects.requireNonNull(proof, "proof");
    if (size1 < 0 || size2 < 0) {
      throw new ProofException(
          Reason.BAD_SIZES,
          "consistency proof sizes must be non-negative, got size1=" + size1 + ", size2=" + size2);
    }
    if (size1 > size2) {
      throw new ProofException(
          Reason.BAD_SIZES,
          "consistency proof size1=" + size1 + " is larger than size2=" + size2
              + "; a tree can only be consistent with a larger or equal later tree");
    }
    if (size1 == 0) {
      throw new ProofException(
          Reason.EMPTY_FIRST_TREE,
          "consistency proof from the empty tree (size1=0, size2=" + size2 + ") is refused: every"
              + " tree extends the empty tree, so it would prove nothing about root2; skip the check");
    }
    checkHashLength(root1, "root1");
    checkHashLength(root2, "root2");
    checkProofHashLengths(proof, "consistency");

    if (size1 == size2) {
      if (!proof.isEmpty()) {
        throw new ProofException(
            Reason.BAD_PROOF_LENGTH,
            "consistency proof between equal sizes " + size1 + " must be empty, got "
                + proof.size() + " hashes");
      }
      if (!root1.equals(root2)) { // constant time, see verifyInclusion
        throw new ProofException(
            Reason.SECOND_ROOT_MISMATCH,
            "trees of equal size " + size1 + " have different roots " + root1.hex() + " and "
                + root2.hex() + ": the log has forked or one checkpoint is not from this log");
      }
      return;
    }

    // Exact length, as in transparency-dev proof/verify.go: the path from leaf size1-1 to the
    // root of size2 (inner + border), minus the levels below the largest perfect subtree the
    // first tree ends with (shift), plus that subtree's root unless it is the whole first tree.
    int shift = Long.numberOfTrailingZeros(size1);
    int inner = innerProofSize(size1 - 1, size2) - shift;
    int border = Long.bitCount((size1 - 1) >>> innerProofSize(size1 - 1, size2));
    boolean firstIsPerfect = size1 == 1L << shift;
    int expected = (firstIsPerfect ? 0 : 1) + inner + border;
    if (proof.size() != expected) {
      throw new ProofException(
          Reason.BAD_PROOF_LENGTH,
          "consistency proof from size " + size1 + " to size " + size2 + " must have exactly "
              + expected + " hashes, got " + proof.size());
    }

    // RFC 9162 §2.1.4.2, step by step. Step 1 (empty path fails) cannot trigger: expected >= 1.
    int next = 0;
    byte[] seed;
    if (firstIsPerfect) { // step 2: prepend first_hash
      seed = root1.toByteArray();
    } else {
      seed = proof.get(next++).toByteArray();
    }
    long fn = size1 - 1; // step 3
    long sn = size2 - 1;
    while ((fn & 1) == 1) { // step 4
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = seed.clone(); // step 5
    byte[] sr = seed;
    NodeHasher hasher = new NodeHasher();
    for (; next < proof.size(); next++) { // step 6
      byte[] c = proof.get(next).toByteArray();
      if (sn == 0) {
        throw new ProofException(
            Reason.BAD_PROOF_LENGTH,
            "consistency proof from size " + size1 + " to size " + size2
                + " has more hashes than the tree has levels (at hash " + next + ")");
      }
      if ((fn & 1) == 1 || fn == sn) {
        hasher.node(c, fr, fr);
        hasher.node(c, sr, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        hasher.node(sr, c, sr);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 7. Compare both roots before deciding, so the error can say which one failed.
    boolean firstOk = MessageDigest.isEqual(fr, root1.toByteArray());
    boolean secondOk = MessageDigest.isEqual(sr, root2.toByteArray());
    if (sn != 0) {
      throw new ProofException(
          Reason.BAD_PROOF_LENGTH,
          "consistency proof from size " + size1 + " to size " + size2
              + " is too short to reach the root");
    }
    if (!firstOk) {
      throw new ProofException(
          Reason.FIRST_ROOT_MISMATCH,
          "consistency proof from size " + size1 + " to size " + size2 + " leads to first root "
              + hex(fr) + ", not the expected root1 " + root1.hex()
              + "; the proof or root1 belongs to another tree");
    }
    if (!secondOk) {
      // For a power-of-two size1 the proof starts from root1 itself (step 2), so fr == root1
      // holds trivially and a wrong root1 surfaces here, as a wrong second root.
      String start = firstIsPerfect
          ? " starts from root1 " + root1.hex() + " (size1 is a power of two) and"
          : " matches root1 " + root1.hex() + " but";
      throw new ProofException(
          Reason.SECOND_ROOT_MISMATCH,
          "consistency proof from size " + size1 + " to size " + size2 + start
              + " leads to second root " + hex(sr) + ", not the expected root2 " + root2.hex()
              + "; the proof or a root is wrong, or the tree of size " + size2
              + " does not extend the tree of size " + size1);
    }
  }

  /** RFC 9162 §2.1.3.2 steps 1–4 and the "sn is 0" part of step 5; the caller compares roots. */
  private static byte[] computeInclusionRoot(
      long leafIndex, long treeSize, Bytes leafHash, List<Bytes> proof) throws ProofException {
    Objects.requireNonNull(proof, "proof");
    if (leafIndex < 0 || treeSize < 0) {
      throw new ProofException(
          Reason.BAD_SIZES,
          "inclusion proof leaf index and tree size must be non-negative, got leafIndex="
              + leafIndex + ", treeSize=" + treeSize);
    }
    if (leafIndex >= treeSize) { // step 1
      throw new ProofException(
          Reason.BAD_SIZES,
          "inclusion proof leaf index " + leafIndex + " is not below tree size " + treeSize);
    }
    checkHashLength(leafHash, "leaf");
    checkProofHashLengths(proof, "inclusion");
    int inner = innerProofSize(leafIndex, treeSize);
    int expected = inner + Long.bitCount(leafIndex >>> inner);
    if (proof.size() != expected) {
      throw new ProofException(
          Reason.BAD_PROOF_LENGTH,
          "inclusion proof for leaf " + leafIndex + " in tree size " + treeSize
              + " must have exactly " + expected + " hashes, got " + proof.size());
    }

    long fn = leafIndex; // step 2
    long sn = treeSize - 1;
    byte[] r = leafHash.toByteArray(); // step 3
    NodeHasher hasher = new NodeHasher();
    for (int i = 0; i < proof.size(); i++) { // step 4
      byte[] p = proof.get(i).toByteArray();
      if (sn == 0) {
        throw new ProofException(
            Reason.BAD_PROOF_LENGTH,
            "inclusion proof for leaf " + leafIndex + " in tree size " + treeSize
                + " has more hashes than the tree has levels (at hash " + i + ")");
      }
      if ((fn & 1) == 1 || fn == sn) {
        hasher.node(p, r, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        hasher.node(r, p, r);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) { // step 5, first half
      throw new ProofException(
          Reason.BAD_PROOF_LENGTH,
          "inclusion proof for leaf " + leafIndex + " in tree size " + treeSize
              + " is too short to reach the root");
    }
    return r;
  }

  /**
   * Number of proof levels where the paths of {@code index} and of the last leaf
   * {@code size - 1} differ: below them, siblings are full subtrees to the left or right.
   */
  private static int innerProofSize(long index, long size) {
    return 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
  }

  private static void checkHashLength(Bytes hash, String what) throws ProofException {
    Objects.requireNonNull(hash, what);
    if (hash.length() != MerkleHash.HASH_LENGTH) {
      throw new ProofException(
          Reason.BAD_HASH_LENGTH,
          what + " hash must be " + MerkleHash.HASH_LENGTH + " bytes (SHA-256), got "
              + hash.length() + " bytes: " + abbreviate(hash.hex()));
    }
  }

  private static void checkProofHashLengths(List<Bytes> proof, String kind)
      throws ProofException {
    for (int i = 0; i < proof.size(); i++) {
      Bytes h = Objects.requireNonNull(proof.get(i), "proof hash");
      if (h.length() != MerkleHash.HASH_LENGTH) {
        throw new ProofException(
            Reason.BAD_HASH_LENGTH,
            kind + " proof hash " + i + " of " + proof.size() + " must be "
                + MerkleHash.HASH_LENGTH + " bytes (SHA-256), got " + h.length() + " bytes: "
                + abbreviate(h.hex()));
      }
    }
  }

  private static String hex(byte[] hash) {
    return Bytes.copyOf(hash).hex();
  }

  private static String abbreviate(String hex) {
    return hex.isEmpty() ? "(empty)" : hex.length() <= 80 ? hex : hex.substring(0, 77) + "...";
  }
}
