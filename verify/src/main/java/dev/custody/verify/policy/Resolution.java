package dev.custody.verify.policy;

import dev.custody.verify.FindingCode;
import java.util.Objects;

/**
 * What the policy says about a key id seen in an entry header: a trusted {@link Signer}, or why
 * not. Never a bare boolean: a rejection carries the finding code, a typed reason and a message.
 */
public sealed interface Resolution {

  /** The key is trusted: it verifies the entry's signature, and the signer is who the policy says. */
  record Trusted(Signer signer) implements Resolution {
    public Trusted {
      Objects.requireNonNull(signer, "signer");
    }
  }

  /** The key is not trusted; the entry's signature must not be checked with anything. */
  record Rejected(Reason reason, String message) implements Resolution {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    /** The finding code of this rejection. */
    public FindingCode code() {
      return reason.code;
    }

    /** This rejection as a violation (to attach to the entry). */
    public Violation violation() {
      return new Violation(code(), message);
    }
  }

  /** Why a key id was not trusted. */
  enum Reason {
    /** The key is bound to no identity and no certificate chain is recorded for it. */
    UNKNOWN_KEY(FindingCode.KEY_UNTRUSTED),
    /** The recorded chain cannot be read or parsed (not PEM, not X.509, a link, too large, too many certificates). */
    MALFORMED(FindingCode.CERTIFICATE_INVALID),
    /** The leaf's public key is not the key the entry names (its SPKI SHA-256 is another key id). */
    KEY_MISMATCH(FindingCode.CERTIFICATE_INVALID),
    /** The leaf's public key is not Ed25519 or P-256. */
    KEY_UNSUPPORTED(FindingCode.CERTIFICATE_INVALID),
    /** The leaf is a CA certificate, or its key usage excludes digitalSignature. */
    LEAF_NOT_FOR_SIGNING(FindingCode.CERTIFICATE_INVALID),
    /**
     * The chain leads to no root of any organisation with certificate identities (wrong CA, or an
     * intermediate is missing).
     */
    UNTRUSTED_ISSUER(FindingCode.CERTIFICATE_INVALID),
    /**
     * The path to an organisation's root is invalid: a bad signature, an intermediate that is not a
     * CA (basicConstraints CA:false, or no keyCertSign), a path length constraint, certificates out of order.
     */
    PATH_INVALID(FindingCode.CERTIFICATE_INVALID),
    /** The validity periods of the path's certificates never overlap: no instant at which all are valid. */
    NEVER_VALID(FindingCode.CERTIFICATE_INVALID),
    /** The path is valid to an organisation's root but the leaf meets no certificate identity's constraints. */
    CONSTRAINT_UNMET(FindingCode.IDENTITY_UNKNOWN);

    private final FindingCode code;

    Reason(FindingCode code) {
      this.code = code;
    }
  }
}
