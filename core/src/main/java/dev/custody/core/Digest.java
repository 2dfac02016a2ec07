package dev.custody.core;

import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A content digest with its algorithm. Text form: {@code sha256:<64 lowercase hex>}.
 *
 * <p>SHA-256 is the only algorithm every custody verifier must support and, for now, the only
 * one accepted: an unknown algorithm is rejected rather than carried along unverifiable.
 */
public record Digest(String algorithm, Bytes value) {
  /** The algorithm name used in the text form. */
  public static final String SHA256 = "sha256";
  /** SHA-256 output length in bytes (FIPS 180-4). */
  public static final int SHA256_LENGTH = 32;

  /** The text form's prefix: {@code sha256:} then 64 lowercase hex digits. */
  private static final String TEXT_PREFIX = SHA256 + ":";

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(value, "value");
    if (!SHA256.equals(algorithm)) {
      throw new IllegalArgumentException("unsupported digest algorithm " + Untrusted.quote(algorithm) + " (only sha256)");
    }
    if (value.length() != SHA256_LENGTH) {
      throw new IllegalArgumentException("sha256 digest must be 32 bytes, got " + value.length());
    }
  }

  /** SHA-256 of {@code data}. */
  public static Digest sha256(byte[] data) {
    return new Digest(SHA256, Bytes.copyOf(newSha256().digest(data)));
  }

  /**
   * SHA-256 of everything {@code in} yields, read to its end in 64 KiB steps (memory bounded whatever the
   * length); the caller opens and closes the stream. The one way custody hashes a stream or a plain file
   * (model directories and shards go through {@code ModelHasher}).
   */
  public static Digest sha256(java.io.InputStream in) throws java.io.IOException {
    MessageDigest md = newSha256();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      md.update(buf, 0, n);
    }
    return new Digest(SHA256, Bytes.copyOf(md.digest()));
  }

  /** Wraps an already computed 32-byte SHA-256 value. */
  public static Digest ofSha256(byte[] value) {
    return new Digest(SHA256, Bytes.copyOf(value));
  }

  /**
   * Parses the text form. Strict: lowercase hex only, exactly 64 digits, no whitespace.
   *
   * @throws IllegalArgumentException naming the offending text and the expected form
   */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "digest text");
    if (!isDigestText(text)) {
      throw new IllegalArgumentException(
          "not a digest: " + Untrusted.quote(abbreviate(text)) + " (expected sha256:<64 lowercase hex digits>)");
    }
    // Decoded here rather than by HexFormat over a substring: digests are parsed for every artifact of
    // every entry read, and isDigestText has already checked every digit.
    byte[] value = new byte[SHA256_LENGTH];
    for (int i = 0, at = TEXT_PREFIX.length(); i < SHA256_LENGTH; i++, at += 2) {
      value[i] = (byte) (nibble(text.charAt(at)) << 4 | nibble(text.charAt(at + 1)));
    }
    return new Digest(SHA256, Bytes.copyOf(value));
  }

  /** The value of a lowercase hex digit ({@link #isDigestText} has checked it is one). */
  private static int nibble(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }

  /** Whether {@code text} is a well-formed digest text. */
  public static boolean isDigestText(String text) {
    // A loop, not a regex: digests are parsed for every artifact of every entry read.
    if (text == null || text.length() != TEXT_PREFIX.length() + 2 * SHA256_LENGTH || !text.startsWith(TEXT_PREFIX)) {
      return false;
    }
    for (int i = TEXT_PREFIX.length(); i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** A new SHA-256 {@link MessageDigest}; SHA-256 is mandatory in every Java platform. */
  public static MessageDigest newSha256() {
    try {
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return sha256Instance();
    }
  }

  /**
   * Never updated, only cloned: a clone costs a copy of the state, where {@code getInstance} looks the
   * algorithm up among the providers and instantiates it reflectively (measurable once per entry read).
   */
  private static final MessageDigest SHA256_PROTOTYPE = sha256Instance();

  private static MessageDigest sha256Instance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  @Override
  public String toString() {
    return algorithm + ":" + value.hex();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
