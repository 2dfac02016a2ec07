package dev.custody.core.note;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Framing of C2SP tlog-cosignature Ed25519 cosignatures ({@code cosignature/v1}, signature type
 * 0x04). A cosignature's signature bytes (after the key ID) are
 *
 * <pre>
 *   timestamp (u64, big-endian, at most 2^63 - 1)  ||  Ed25519 signature (64 bytes)
 * </pre>
 *
 * <p>and the Ed25519 signature covers {@link #signedMessage}:
 *
 * <pre>
 *   "cosignature/v1\n" "time " decimal(timestamp) "\n" checkpoint-note-text
 * </pre>
 *
 * <p>where the timestamp is POSIX seconds, written without leading zeros, and the checkpoint text
 * includes its final newline but no signature lines (tlog-cosignature §Ed25519 signed message).
 */
public final class CosignatureV1 {
  /** The header line, for domain separation (tlog-cosignature §Ed25519 signed message). */
  public static final String HEADER = "cosignature/v1";

  /** Bytes of the big-endian timestamp that start the signature (tlog-cosignature §Format). */
  public static final int TIMESTAMP_LENGTH = 8;

  private CosignatureV1() {}

  /**
   * The exact bytes an Ed25519 cosigner signs for {@code checkpointText} at {@code timestamp}.
   *
   * @throws IllegalArgumentException if {@code timestamp} is negative
   */
  public static byte[] signedMessage(long timestamp, byte[] checkpointText) {
    if (timestamp < 0) {
      throw new IllegalArgumentException("cosignature timestamp must be in 0..2^63-1, got " + timestamp);
    }
    byte[] head = (HEADER + "\ntime " + timestamp + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + checkpointText.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(checkpointText, 0, out, head.length, checkpointText.length);
    return out;
  }

  /**
   * The timestamp (POSIX seconds) a cosignature carries. This reads an unverified field: use it on
   * a signature {@link SignedNote#open} verified with a {@link SignatureType#COSIGNATURE_V1} key.
   *
   * @throws FormatException if the signature is not {@value #TIMESTAMP_LENGTH} + 64 bytes, or the
   *     timestamp exceeds 2^63 - 1
   */
  public static long timestamp(NoteSignature signature) throws FormatException {
    byte[] sig = signature.signature().toByteArray();
    if (sig.length != SignatureType.COSIGNATURE_V1.signatureLength()) {
      throw new FormatException("signature by " + signature.keyName() + "+" + signature.keyId() + " is "
          + sig.length + " bytes, not a cosignature/v1 (expected " + SignatureType.COSIGNATURE_V1.signatureLength()
          + ": 8-byte timestamp and 64-byte Ed25519 signature)");
    }
    long t = readTimestamp(sig);
    if (t < 0) {
      throw new FormatException("cosignature by " + signature.keyName() + " has timestamp "
          + Long.toUnsignedString(t) + ", above the 2^63 - 1 limit of tlog-cosignature");
    }
    return t;
  }

  /** {@link #timestamp} as an instant. */
  public static Instant time(NoteSignature signature) throws FormatException {
    return Instant.ofEpochSecond(timestamp(signature));
  }

  /** The first 8 bytes, big-endian; negative if above 2^63 - 1. */
  static long readTimestamp(byte[] sig) {
    long t = 0;
    for (int i = 0; i < TIMESTAMP_LENGTH; i++) {
      t = (t << 8) | (sig[i] & 0xff);
    }
    return t;
  }
}
