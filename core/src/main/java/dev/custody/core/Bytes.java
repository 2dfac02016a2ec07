package dev.custody.core;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string. Copies in and out, so a record that holds one has value semantics
 * (a raw {@code byte[]} in a record compares by reference).
 *
 * <p>{@link #equals} runs in time independent of the content (see the comment there), so a
 * {@code Bytes} holding a digest or signature can be compared without a timing side channel.
 */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();
  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** A copy of {@code data}. */
  public static Bytes copyOf(byte[] data) {
    return new Bytes(data.clone());
  }

  /** A copy of {@code length} bytes of {@code data} starting at {@code offset}. */
  public static Bytes copyOf(byte[] data, int offset, int length) {
    return new Bytes(Arrays.copyOfRange(data, offset, offset + length));
  }

  /** Parses lowercase or uppercase hex; throws {@link IllegalArgumentException} on odd length or non-hex. */
  public static Bytes fromHex(String hex) {
    return new Bytes(HEX.parseHex(hex));
  }

  public int length() {
    return data.length;
  }

  public byte get(int i) {
    return data[i];
  }

  /** A fresh copy of the content. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** Lowercase hex. */
  public String hex() {
    return HEX.formatHex(data);
  }

  @Override
  public boolean equals(Object o) {
    // Constant time: callers compare digests and signatures with this, and an early exit
    // would tell an attacker how many leading bytes of a forged value were right.
    return o instanceof Bytes other && MessageDigest.isEqual(data, other.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return hex();
  }
}
