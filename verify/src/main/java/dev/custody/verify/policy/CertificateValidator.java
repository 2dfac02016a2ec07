package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.policy.Resolution.Reason;
import dev.custody.verify.policy.Resolution.Rejected;
import java.nio.charset.StandardCharsets;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PolicyNode;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * Decides which certificate identity, if any, an untrusted certificate chain proves a key belongs
 * to. Package-private; {@link SignerResolver} caches its answers. Immutable and thread-safe.
 *
 * <p>In order, stopping at the first failure:
 * <ol>
 *   <li>the chain is 1 to {@value #MAX_CERTIFICATES} PEM certificates, leaf first, each exact DER;
 *   <li>the leaf's SubjectPublicKeyInfo is an allowed key (Ed25519, P-256) whose key id is the one
 *       the entry names; the leaf is not a CA and, if it has a key usage, may sign (digitalSignature);
 *   <li>for each organisation that has certificate identities: the path (leaf, then each
 *       certificate's issuer in the order given; a trailing copy of a root is ignored) validates to
 *       one of the organisation's roots with the JDK's PKIX {@link CertPathValidator} (RFC 5280 §6.1:
 *       signatures, issuer/subject chaining, basicConstraints and keyCertSign of every CA, path
 *       length, name constraints, critical extensions). <b>Revocation is not checked</b>
 *       (no CRL, no OCSP: verification is offline); a compromised CA is removed from the policy;
 *   <li>the identities of organisations whose roots certify the path are tried in policy order; the
 *       first whose constraints all hold is the signer.
 * </ol>
 *
 * <p><b>Time.</b> PKIX is run once per chain, at the start of the path's common validity period (the
 * latest notBefore of leaf and intermediates), not per entry: the result is the same as validating
 * at each entry's claimed time that falls in the period, and {@link TimeRule} then checks each
 * entry's claimed and proven times against that period. A path whose certificates are never valid
 * at the same instant is rejected here.
 */
final class CertificateValidator {
  /** Most certificates in a chain: leaf and intermediates of any real PKI fit. */
  static final int MAX_CERTIFICATES = CertificateFiles.MAX_CERTIFICATES;

  private final List<Identity> certified;
  private final Map<String, Organisation> organisations;

  CertificateValidator(List<Identity> certified, Map<String, Organisation> organisations) {
    this.certified = List.copyOf(certified);
    this.organisations = Map.copyOf(organisations);
  }

  boolean isEmpty() {
    return certified.isEmpty();
  }

  /** The resolution of {@code keyId} by the chain {@code pem} (untrusted bytes). */
  Resolution validate(String keyId, byte[] pem, String source) {
    List<X509Certificate> chain;
    try {
      chain = CertificateFiles.parse(pem, source);
    } catch (FormatException e) {
      return new Rejected(Reason.MALFORMED, e.getMessage() + "; record the signer's chain as PEM certificates,"
          + " leaf first");
    }
    X509Certificate leaf = chain.get(0);
    String leafName = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
    VerificationKey leafKey;
    try {
      leafKey = VerificationKey.fromSpki(leaf.getPublicKey().getEncoded(), source + " leaf certificate");
    } catch (FormatException e) {
      return new Rejected(Reason.KEY_UNSUPPORTED, "the leaf certificate " + Untrusted.quote(leafName)
          + " holds a key custody does not accept: " + e.getMessage());
    }
    // Key ids are public; compared in constant time like every digest (STYLE.md 10).
    if (!MessageDigest.isEqual(leafKey.keyId().getBytes(StandardCharsets.US_ASCII),
        keyId.getBytes(StandardCharsets.US_ASCII))) {
      return new Rejected(Reason.KEY_MISMATCH, source + ": the leaf certificate " + Untrusted.quote(leafName)
          + " is for key " + leafKey.keyId() + ", not for the entry's key " + keyId
          + "; the chain was recorded for another key");
    }
    if (leaf.getBasicConstraints() >= 0) {
      return new Rejected(Reason.LEAF_NOT_FOR_SIGNING, "the leaf certificate " + Untrusted.quote(leafName)
          + " is a CA certificate (basicConstraints CA:true); a signer's certificate must be an end-entity one");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      return new Rejected(Reason.LEAF_NOT_FOR_SIGNING, "the leaf certificate " + Untrusted.quote(leafName)
          + " has a key usage without digitalSignature, so it may not sign entries");
    }
    Instant latestStart = Instant.MIN;
    Instant earliestEnd = Instant.MAX;
    for (X509Certificate c : chain) {
      latestStart = max(latestStart, c.getNotBefore().toInstant());
      earliestEnd = min(earliestEnd, c.getNotAfter().toInstant());
    }
    Instant notBefore = latestStart;
    Instant notAfter = earliestEnd;

    // Structural validation once per organisation, in the order the identities name them.
    Map<String, Outcome> byOrganisation = new LinkedHashMap<>();
    for (Identity id : certified) {
      byOrganisation.computeIfAbsent(id.organisation(),
          o -> pkix(chain, organisation(o), notBefore, notAfter, List.of()));
    }
    List<String> unmet = new ArrayList<>();
    for (Identity id : certified) {
      Outcome path = Objects.requireNonNull(byOrganisation.get(id.organisation()),
          "PKIX ran above for every identity's organisation");
      if (path.failure != null) {
        continue;
      }
      CertificateConstraints c = ((Identity.Certified) id.binding()).constraints();
      List<String> problems = new ArrayList<>(c.unmet(leaf));
      if (problems.isEmpty() && !c.policies().isEmpty()) {
        Outcome withPolicies = pkix(chain, organisation(id.organisation()), notBefore, notAfter, c.policies());
        if (withPolicies.failure != null) {
          problems.add("certificate policies " + c.policies() + " are not valid through the path: "
              + withPolicies.failure.message());
        }
      }
      if (problems.isEmpty()) {
        String anchor = Objects.requireNonNull(path.anchor, "a path that did not fail has an anchor");
        return new Resolution.Trusted(new Signer(leafKey, Optional.of(id), Optional.of(new Signer.CertifiedPath(
            leafName, anchor, notBefore, notAfter))));
      }
      unmet.add(Untrusted.quote(id.name()) + ": " + String.join("; ", problems));
    }
    if (!unmet.isEmpty()) {
      return new Rejected(Reason.CONSTRAINT_UNMET, "the certificate " + Untrusted.quote(leafName)
          + " chains to a trusted root but meets the constraints of no certificate identity — "
          + String.join(" | ", unmet) + "; fix the certificate or the identity's constraints in the policy");
    }
    // No organisation's roots certify the path (else it returned above): report the most telling failure.
    for (Outcome o : byOrganisation.values()) {
      Rejected failure = Objects.requireNonNull(o.failure, "a path that certifies has returned above");
      if (failure.reason() != Reason.UNTRUSTED_ISSUER) {
        return failure;
      }
    }
    X509Certificate top = chain.get(chain.size() - 1);
    return new Rejected(Reason.UNTRUSTED_ISSUER, "the certificate " + Untrusted.quote(leafName) + " does not chain to"
        + " a root of " + String.join(" or ", byOrganisation.keySet().stream().map(Untrusted::quote).toList())
        + ": its chain ends at " + Untrusted.quote(top.getSubjectX500Principal().getName(X500Principal.RFC2253))
        + ", issued by " + Untrusted.quote(top.getIssuerX500Principal().getName(X500Principal.RFC2253))
        + ", which is no root of those organisations (a wrong CA, or the chain lacks an intermediate)");
  }

  /** Result of PKIX against one organisation: the anchor's name, or the rejection (the other is null). */
  private record Outcome(@Nullable String anchor, @Nullable Rejected failure) {}

  /** An identity's organisation: TrustPolicy requires every identity to name a declared one. */
  private Organisation organisation(String name) {
    return Objects.requireNonNull(organisations.get(name), "an identity of an undeclared organisation");
  }

  private static Outcome pkix(List<X509Certificate> chain, Organisation org, Instant notBefore, Instant notAfter,
      List<String> policies) {
    if (org.roots().isEmpty()) {
      return new Outcome(null, new Rejected(Reason.UNTRUSTED_ISSUER, "organisation '" + org.name()
          + "' has no roots"));
    }
    List<X509Certificate> path = new ArrayList<>(chain);
    // A chain may end with a copy of the root; the root is the anchor, not part of the path.
    while (path.size() > 1 && org.roots().contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    if (notBefore.isAfter(notAfter)) {
      return new Outcome(null, new Rejected(Reason.NEVER_VALID, "the validity periods of the chain's certificates"
          + " never overlap (latest notBefore " + notBefore + ", earliest notAfter " + notAfter
          + "): no instant at which the whole path is valid"));
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate r : org.roots()) {
      anchors.add(new TrustAnchor(r, null));
    }
    try {
      CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false); // offline: no CRL or OCSP (see the class comment)
      params.setDate(Date.from(notBefore));
      if (!policies.isEmpty()) {
        params.setInitialPolicies(Set.copyOf(policies));
        params.setExplicitPolicyRequired(true);
      }
      PKIXCertPathValidatorResult r = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
          .validate(cp, params);
      if (!policies.isEmpty() && !allValid(r.getPolicyTree(), policies)) {
        return new Outcome(null, new Rejected(Reason.PATH_INVALID, "not every required policy is in the valid"
            + " policy tree"));
      }
      return new Outcome(r.getTrustAnchor().getTrustedCert().getSubjectX500Principal().getName(X500Principal.RFC2253),
          null);
    } catch (CertPathValidatorException e) {
      Reason reason = e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? Reason.UNTRUSTED_ISSUER : Reason.PATH_INVALID;
      String which = e.getIndex() >= 0 && e.getIndex() < path.size()
          ? " at certificate " + (e.getIndex() + 1) + " of the chain, "
              + Untrusted.quote(path.get(e.getIndex()).getSubjectX500Principal().getName(X500Principal.RFC2253))
          : "";
      return new Outcome(null, new Rejected(reason, "the certificate path to a root of " + Untrusted.quote(org.name())
          + " is invalid" + which + ": " + Untrusted.escape(String.valueOf(e.getMessage())) + " (PKIX reason "
          + e.getReason() + ")"));
    } catch (CertificateException | InvalidAlgorithmParameterException e) {
      return new Outcome(null, new Rejected(Reason.PATH_INVALID, "the certificate path cannot be checked against "
          + Untrusted.quote(org.name()) + ": " + Untrusted.escape(String.valueOf(e.getMessage()))));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's PKIX CertPathValidator is required", e);
    }
  }

  /** Whether each required policy is the valid policy of some leaf node of the tree (RFC 5280 §6.1.6). */
  private static boolean allValid(PolicyNode tree, List<String> policies) {
    if (tree == null) {
      return false;
    }
    Set<String> valid = new HashSet<>();
    collect(tree, valid);
    return valid.containsAll(policies);
  }

  private static void collect(PolicyNode n, Set<String> out) {
    out.add(n.getValidPolicy());
    for (Iterator<? extends PolicyNode> it = n.getChildren(); it.hasNext(); ) {
      collect(it.next(), out);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
