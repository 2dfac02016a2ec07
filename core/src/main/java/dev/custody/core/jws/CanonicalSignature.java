package dev.custody.core.jws;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * The one encoding of a signature that custody accepts for an entry, per algorithm, so that no
 * one can change an entry's bytes — and so its hash — without the private key (signature
 * malleability):
 *
 * <ul>
 *   <li><b>ES256</b> (R‖S, 32 bytes each, RFC 7518 §3.4): {@code s ≤ n/2} ("low S", as Bitcoin's
 *       BIP 62/146 and Ethereum's EIP-2 require). ECDSA verification accepts {@code (r, s)} and
 *       {@code (r, n − s)} alike, so without this rule anyone could re-spell a signed entry.
 *   <li><b>Ed25519</b> (R‖S, RFC 8032 §5.1.6): {@code S < L}, the group order. RFC 8032 §5.1.7
 *       requires verifiers to reject {@code S ≥ L}; Bouncy Castle's {@code Ed25519.verify} does
 *       (pinned by a test), and this check says so by name before any cryptography.
 * </ul>
 *
 * <p>Signers normalise with {@link #lowS}; verifiers check with {@link #problem}. Only lengths and
 * integer ranges are checked here; whether the signature verifies is the verifier's job.
 * Stateless and thread-safe.
 */
public final class CanonicalSignature {
  /** Bytes of each of R and S in an ES256 signature (RFC 7518 §3.4). */
  private static final int ES256_HALF = 32;
  /** The order n of the P-256 base point (FIPS 186-4 §D.1.2.3). */
  static final BigInteger P256_N =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
  private static final BigInteger P256_HALF_N = P256_N.shiftRight(1);
  /** The order L of the Ed25519 base point, 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
  static final BigInteger ED25519_L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
  /** Bytes of an Ed25519 signature: R (32) then S (32, little-endian). */
  private static final int ED25519_SIGNATURE_BYTES = 64;

  private CanonicalSignature() {}

  /**
   * What keeps {@code signature} from being the one encoding for {@code algorithm}, or empty if it
   * is canonical. A signature of the wrong length is reported here too, before any cryptography.
   */
  public static Optional<String> problem(KeyAlgorithm algorithm, byte[] signature) {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(signature, "signature");
    return switch (algorithm) {
      case ES256 -> {
        if (signature.length != 2 * ES256_HALF) {
          yield Optional.of("ES256 signature is " + signature.length + " bytes, expected R||S of " + 2 * ES256_HALF);
        }
        yield s(signature).compareTo(P256_HALF_N) > 0
            ? Optional.of("ES256 signature has a high S (s > n/2); custody accepts only the low-S form, s <= n/2,"
                + " which its signers write, so that each entry has one signature")
            : Optional.empty();
      }
      case ED25519 -> {
        if (signature.length != ED25519_SIGNATURE_BYTES) {
          yield Optional.of("Ed25519 signature is " + signature.length + " bytes, expected " + ED25519_SIGNATURE_BYTES);
        }
        // L = 2^252 + δ with δ < 2^125, so S (little-endian) is below L whenever its top byte is below
        // 0x10: a byte comparison for every honest signature, the full comparison only at the edge.
        if ((signature[ED25519_SIGNATURE_BYTES - 1] & 0xff) < 0x10) {
          yield Optional.empty();
        }
        byte[] le = new byte[ED25519_SIGNATURE_BYTES / 2];
        System.arraycopy(signature, ED25519_SIGNATURE_BYTES / 2, le, 0, le.length);
        yield new BigInteger(1, reverse(le)).compareTo(ED25519_L) >= 0
            ? Optional.of("Ed25519 signature has S >= L, the group order (RFC 8032 section 5.1.7 requires S < L);"
                + " the signature was re-spelled")
            : Optional.empty();
      }
    };
  }

  /**
   * {@code signature} (ES256 R‖S) with S replaced by {@code n − S} when it is in the upper half:
   * the same signature in its low-S form. Other algorithms and low-S signatures are returned as a
   * copy, unchanged.
   *
   * @throws IllegalArgumentException if an ES256 signature is not 64 bytes
   */
  public static byte[] lowS(KeyAlgorithm algorithm, byte[] signature) {
    byte[] out = signature.clone();
    if (algorithm != KeyAlgorithm.ES256) {
      return out;
    }
    if (out.length != 2 * ES256_HALF) {
      throw new IllegalArgumentException("ES256 signature must be R||S of 64 bytes, got " + out.length);
    }
    BigInteger s = s(out);
    if (s.compareTo(P256_HALF_N) <= 0) {
      return out;
    }
    byte[] low = toFixed(P256_N.subtract(s));
    System.arraycopy(low, 0, out, ES256_HALF, ES256_HALF);
    return out;
  }

  private static BigInteger s(byte[] rs) {
    byte[] s = new byte[ES256_HALF];
    System.arraycopy(rs, ES256_HALF, s, 0, ES256_HALF);
    return new BigInteger(1, s);
  }

  /** {@code v} as 32 big-endian bytes; {@code 0 < v < n} fits. */
  private static byte[] toFixed(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[ES256_HALF];
    int n = Math.min(raw.length, ES256_HALF);
    System.arraycopy(raw, raw.length - n, out, ES256_HALF - n, n);
    return out;
  }

  private static byte[] reverse(byte[] b) {
    for (int i = 0, j = b.length - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    return b;
  }
}
