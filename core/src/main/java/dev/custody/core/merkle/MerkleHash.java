package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.Objects;

/**
 * The hash functions of the custody log's Merkle tree, RFC 9162 §2.1.1 with SHA-256 (the only
 * hash custody logs use; DESIGN.md §4):
 *
 * <pre>
 *   MTH({})        = SHA-256()                                   (the empty string)
 *   leaf hash      = SHA-256(0x00 || entry bytes)                (LEAF_PREFIX)
 *   node hash      = SHA-256(0x01 || left hash || right hash)    (NODE_PREFIX)
 * </pre>
 *
 * <p>The distinct prefixes give second-preimage resistance between leaves and interior nodes
 * (RFC 9162 §2.1.1). Every hash is {@value #HASH_LENGTH} bytes.
 *
 * <p>The static methods are thread-safe; each call uses its own {@code MessageDigest}. The proof
 * and tree classes of this package hash in loops through a reusable per-operation hasher instead.
 */
public final class MerkleHash {
  /** Domain-separation byte prepended to a leaf's entry bytes (RFC 9162 §2.1.1). */
  public static final byte LEAF_PREFIX = 0x00;

  /** Domain-separation byte prepended to two child hashes (RFC 9162 §2.1.1). */
  public static final byte NODE_PREFIX = 0x01;

  /** Length in bytes of every leaf, node and root hash: SHA-256 output (FIPS 180-4). */
  public static final int HASH_LENGTH = 32;

  /** Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1, {@code MTH({})}). */
  public static final Bytes EMPTY_ROOT =
      Bytes.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  private MerkleHash() {}

  /** The leaf hash of one entry: {@code SHA-256(0x00 || entry)}, over the exact stored bytes. */
  public static Bytes leafHash(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    return Bytes.copyOf(new NodeHasher().leaf(entry));
  }

  /** The leaf hash of one entry: {@code SHA-256(0x00 || entry)}, over the exact stored bytes. */
  public static Bytes leafHash(Bytes entry) {
    Objects.requireNonNull(entry, "entry");
    return leafHash(entry.toByteArray());
  }

  /**
   * The interior node hash {@code SHA-256(0x01 || left || right)}.
   *
   * @throws IllegalArgumentException if either child is not {@value #HASH_LENGTH} bytes
   */
  public static Bytes nodeHash(Bytes left, Bytes right) {
    return Bytes.copyOf(new NodeHasher().node(checkedHash(left, "left"), checkedHash(right, "right")));
  }

  /** {@link #EMPTY_ROOT}. */
  public static Bytes emptyRoot() {
    return EMPTY_ROOT;
  }

  /** The content of {@code hash} after checking it is a 32-byte hash; for programming errors. */
  static byte[] checkedHash(Bytes hash, String what) {
    Objects.requireNonNull(hash, what);
    if (hash.length() != HASH_LENGTH) {
      throw new IllegalArgumentException(
          what + " hash must be " + HASH_LENGTH + " bytes, got " + hash.length());
    }
    return hash.toByteArray();
  }
}
