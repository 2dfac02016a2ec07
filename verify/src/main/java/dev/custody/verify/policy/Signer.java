package dev.custody.verify.policy;

import dev.custody.core.jws.VerificationKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who signed an entry, as the policy resolved its key id: the trusted key, the identity it is
 * bound to (empty under {@link TrustPolicy#trustAll}, where keys have no identities), and, for a
 * certificate identity, the validated certificate path. Immutable.
 */
public record Signer(VerificationKey key, Optional<Identity> identity, Optional<CertifiedPath> certificate) {
  public Signer {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(certificate, "certificate");
    if (certificate.isPresent() && identity.isEmpty()) {
      throw new IllegalArgumentException("a certified signer has an identity");
    }
  }

  public String keyId() {
    return key.keyId();
  }

  /** The identity's name, e.g. {@code acme/release-bot}. */
  public Optional<String> identityName() {
    return identity.map(Identity::name);
  }

  /** The identity's organisation, e.g. {@code acme}. */
  public Optional<String> organisation() {
    return identity.map(Identity::organisation);
  }

  /** For messages: {@code identity 'acme/trainer' (key 3f2a…)} or {@code key 3f2a…}. */
  public String describe() {
    return identity.map(i -> "identity '" + i.name() + "' (key " + keyId() + ")").orElse("key " + keyId());
  }

  /**
   * A certificate path validated to an organisation's root (PKIX, RFC 5280 §6.1).
   *
   * @param subject the leaf's subject, RFC 4514 form
   * @param anchor the subject of the organisation root it chains to
   * @param notBefore the latest notBefore of the recorded chain's certificates
   * @param notAfter the earliest notAfter of the recorded chain's certificates: the path is valid from
   *     {@code notBefore} to {@code notAfter}, both included (RFC 5280 §4.1.2.5)
   */
  public record CertifiedPath(String subject, String anchor, Instant notBefore, Instant notAfter) {
    public CertifiedPath {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(anchor, "anchor");
      Objects.requireNonNull(notBefore, "notBefore");
      Objects.requireNonNull(notAfter, "notAfter");
    }
  }
}
