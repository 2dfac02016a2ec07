package dev.custody.core.timestamp;

import dev.custody.core.CustodyException;
import java.util.Objects;

/**
 * An RFC 3161 timestamp could not be obtained or does not verify. {@link #reason()} says which
 * check failed; the message names the values and what to do.
 */
public class TimestampException extends CustodyException {
  private static final long serialVersionUID = 1L;

  /** Which check failed. */
  public enum Reason {
    /** The bytes are not a DER TimeStampResp with a token (RFC 3161 §2.4.2). */
    MALFORMED,
    /** The TSA did not grant the request (PKIStatus other than granted / grantedWithMods). */
    STATUS_NOT_GRANTED,
    /** The TSA answered over HTTP with an error status or the wrong content type. */
    HTTP_ERROR,
    /** The response does not carry the nonce of the request: a replayed or misrouted response. */
    NONCE_MISMATCH,
    /** The token's message imprint uses a hash other than SHA-256. */
    UNSUPPORTED_HASH,
    /** The token's message imprint is not SHA-256 of the data: it timestamps something else. */
    IMPRINT_MISMATCH,
    /** The token carries no certificate for its signer, or that certificate is not a timestamping certificate. */
    NOT_A_TSA_CERTIFICATE,
    /** The TSA certificate was not valid (expired or not yet valid) at the token's time. */
    CERTIFICATE_NOT_VALID,
    /** No certificate chain from the TSA certificate to a trusted root. */
    UNTRUSTED_CHAIN,
    /** The token's CMS signature (or its signing-certificate binding) does not verify. */
    BAD_SIGNATURE
  }

  private final Reason reason;

  public TimestampException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public TimestampException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
