package dev.custody.core.sigstore;

import dev.custody.core.CustodyException;
import java.util.Objects;

/** An OpenSSF model signature could not be read, or does not verify; {@link #reason()} says which. */
public class OmsException extends CustodyException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** The signature file is not a bundle custody can read (bad JSON, wrong media or payload type, bad statement). */
    MALFORMED,
    /** The DSSE signature does not verify with the trusted key (or the chain's leaf key). */
    BAD_SIGNATURE,
    /** The bundle's certificate does not chain to a trusted root. */
    UNTRUSTED_CHAIN,
    /** The signature uses Sigstore's keyless method, which needs Sigstore trust roots custody does not have offline. */
    NEEDS_SIGSTORE_TRUST_ROOT,
    /** The statement contradicts itself: its subject digest is not the root digest of its resources. */
    INCONSISTENT_STATEMENT
  }

  private final Reason reason;

  public OmsException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public OmsException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
