package dev.custody.core.timestamp;

import dev.custody.core.Bytes;
import dev.custody.core.timestamp.TimestampException.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * An RFC 3161 timestamp response as stored beside a checkpoint: the exact DER bytes of a
 * {@code TimeStampResp} (RFC 3161 §2.4.2) whose status is granted and which carries a token. This
 * is what {@code openssl ts -reply} writes and {@code openssl ts -verify -in} reads, so stored
 * tokens can be checked with openssl too.
 *
 * <p>Storage: a checkpoint file {@code NAME} has its timestamp in {@code NAME.tsr}
 * ({@link #sidecar}). What the imprint covers is defined by {@link TimestampVerifier#checkpointData}.
 *
 * <p>Holding a {@code TimestampToken} authenticates nothing: {@link TimestampVerifier} decides.
 * Immutable and thread-safe.
 */
public final class TimestampToken {
  /** Largest response accepted: a token with a few certificates is a few kilobytes. */
  public static final int MAX_BYTES = 256 * 1024;

  /** File-name suffix of a timestamp stored beside the file it timestamps. */
  public static final String SIDECAR_SUFFIX = ".tsr";

  private final Bytes encoded;
  private final TimeStampToken token;

  private TimestampToken(byte[] encoded, TimeStampToken token) {
    this.encoded = Bytes.copyOf(encoded);
    this.token = token;
  }

  /**
   * Parses a DER {@code TimeStampResp}.
   *
   * @throws TimestampException {@link Reason#MALFORMED} if the bytes are not one DER response with
   *     a token (trailing bytes included), {@link Reason#STATUS_NOT_GRANTED} if the TSA refused
   */
  public static TimestampToken parse(byte[] der) throws TimestampException {
    Objects.requireNonNull(der, "der");
    if (der.length > MAX_BYTES) {
      throw new TimestampException(Reason.MALFORMED, "timestamp response is " + der.length
          + " bytes, above the limit of " + MAX_BYTES);
    }
    TimeStampResponse response;
    try {
      ASN1Primitive.fromByteArray(der); // rejects trailing data, which TimeStampResponse ignores
      response = new TimeStampResponse(der);
    } catch (IOException | TSPException | RuntimeException e) {
      throw new TimestampException(Reason.MALFORMED, "not an RFC 3161 timestamp response (DER TimeStampResp): "
          + e.getMessage(), e);
    }
    return of(response, der);
  }

  static TimestampToken of(TimeStampResponse response, byte[] der) throws TimestampException {
    int status = response.getStatus();
    if (status != PKIStatus.GRANTED && status != PKIStatus.GRANTED_WITH_MODS) {
      throw new TimestampException(Reason.STATUS_NOT_GRANTED, "the TSA did not grant the timestamp: status "
          + status + describeStatus(response));
    }
    TimeStampToken token = response.getTimeStampToken();
    if (token == null) {
      throw new TimestampException(Reason.MALFORMED, "timestamp response has status granted but no token");
    }
    return new TimestampToken(der, token);
  }

  /** The status text and failure info of a refused response, for messages. */
  public static String describeStatus(TimeStampResponse response) {
    String text = response.getStatusString();
    String fail = response.getFailInfo() == null ? null : "failInfo " + response.getFailInfo().intValue();
    return (text == null ? "" : " '" + text + "'") + (fail == null ? "" : " (" + fail + ")");
  }

  /** Where the timestamp of {@code file} is stored: {@code file} + {@value #SIDECAR_SUFFIX}. */
  public static Path sidecar(Path file) {
    return file.resolveSibling(file.getFileName() + SIDECAR_SUFFIX);
  }

  /** The exact DER bytes (the {@code .tsr} file content). */
  public Bytes encoded() {
    return encoded;
  }

  /** The TSA's claimed time. <b>Not authenticated</b>: use {@link TimestampVerifier#verify}. */
  public Instant unverifiedGenTime() {
    return token.getTimeStampInfo().getGenTime().toInstant();
  }

  /** BC's parsed token, for the verifier (package-private: callers go through the verifier). */
  TimeStampToken token() {
    return token;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimestampToken t && t.encoded.equals(encoded);
  }

  @Override
  public int hashCode() {
    return encoded.hashCode();
  }

  @Override
  public String toString() {
    return "TimestampToken[genTime " + unverifiedGenTime() + " (unverified), serial "
        + token.getTimeStampInfo().getSerialNumber() + "]";
  }
}
