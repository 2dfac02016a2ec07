package dev.custody.verify.policy;

import dev.custody.verify.FindingCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The time rule: whether an entry's signer was allowed to sign it when it was signed, given what
 * the evidence proves about that time. Stateless.
 *
 * <p>Two times are known of an entry. Its <b>claimed time</b> {@code C} is the {@code time} the
 * signer wrote into it — a claim, which a thief holding the key can set to anything. Its <b>proven
 * time</b> {@code P} is the latest instant the entry is proven to have existed by: the earliest of
 * the {@code genTime} of a verified RFC 3161 timestamp on a checkpoint covering the entry, the time
 * of a trusted witness's cosignature on a checkpoint covering it, and the verifier's clock. The
 * rule, exactly:
 *
 * <ol>
 *   <li><b>Not yet valid</b>: if the identity has a {@code notBefore} S, or its certificate path
 *       starts at S (latest notBefore), and {@code C < S} or {@code P < S}, the entry is
 *       {@code IDENTITY_NOT_YET_VALID}: it claims to be, or provably is, older than the identity.
 *   <li><b>Expired</b>: if the identity has a {@code notAfter} E, or its certificate path ends at E
 *       (earliest notAfter), the entry is valid only if {@code C <= E} and {@code P <= E} (X.509
 *       validity includes notAfter); otherwise {@code IDENTITY_EXPIRED}. Without trusted time P is
 *       the verifier's clock, so an entry by an identity that has since expired is an error unless a
 *       timestamped or witnessed checkpoint proves it was made in time.
 *   <li><b>Revoked</b>: if the identity or the key was revoked at R (the earliest revocation that
 *       covers it, from the policy or from an authorised {@code revocation} entry), the entry stays
 *       valid only if {@code C < R} and {@code P < R}; otherwise {@code IDENTITY_REVOKED}.
 * </ol>
 *
 * A violation of each kind is reported once, for the bound that decided it.
 */
public final class TimeRule {
  private TimeRule() {}

  /**
   * The time rule's violations for one entry.
   *
   * @param signer the resolved signer
   * @param claimed the entry's {@code time}
   * @param proven the latest instant the entry is proven to have existed by (now, if nothing better)
   * @param revocations every revocation that applies (the policy's and authorised ledger ones)
   * @return empty if the entry passes
   */
  public static List<Violation> check(Signer signer, Instant claimed, Instant proven,
      Collection<Revocation> revocations) {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(claimed, "claimed");
    Objects.requireNonNull(proven, "proven");
    Objects.requireNonNull(revocations, "revocations");
    List<Violation> out = new ArrayList<>();
    String who = signer.describe();
    Optional<Identity> id = signer.identity();
    Optional<Signer.CertifiedPath> cert = signer.certificate();

    Optional<Instant> identityStart = id.flatMap(Identity::notBefore);
    Optional<Instant> certStart = cert.map(Signer.CertifiedPath::notBefore);
    Optional<Bound> start = later(identityStart.map(t -> new Bound(t, "the identity's notBefore")),
        certStart.map(t -> new Bound(t, "the notBefore of its certificate " + quoted(cert))));
    if (start.isPresent()) {
      Instant s = start.get().at();
      if (claimed.isBefore(s)) {
        out.add(new Violation(FindingCode.IDENTITY_NOT_YET_VALID, "the entry claims to be signed at " + claimed
            + " by " + who + ", before " + start.get().what() + " " + s + "; an identity cannot sign before it is"
            + " valid"));
      } else if (proven.isBefore(s)) {
        out.add(new Violation(FindingCode.IDENTITY_NOT_YET_VALID, "the entry by " + who + " provably existed at "
            + proven + ", before " + start.get().what() + " " + s + " (its claimed time " + claimed + " is false)"));
      }
    }

    Optional<Bound> end = earlier(id.flatMap(Identity::notAfter).map(t -> new Bound(t, "the identity's notAfter")),
        cert.map(c -> new Bound(c.notAfter(), "the notAfter of its certificate " + quoted(cert))));
    if (end.isPresent()) {
      Instant e = end.get().at();
      if (claimed.isAfter(e)) {
        out.add(new Violation(FindingCode.IDENTITY_EXPIRED, "the entry claims to be signed at " + claimed + " by "
            + who + ", after " + end.get().what() + " " + e + "; the identity was no longer valid"));
      } else if (proven.isAfter(e)) {
        out.add(new Violation(FindingCode.IDENTITY_EXPIRED, "the entry by " + who + " is not proven to predate "
            + end.get().what() + " " + e + ": the earliest proof of its existence is " + proven
            + "; a checkpoint covering it, timestamped (custody checkpoint --tsa) or witnessed before " + e
            + ", would prove it was signed in time"));
      }
    }

    Optional<Revocation> revoked = revocations.stream().filter(r -> r.covers(signer))
        .min(java.util.Comparator.comparing(Revocation::at));
    if (revoked.isPresent()) {
      Revocation r = revoked.get();
      String because = r.target() + " was revoked at " + r.at() + " (" + r.source()
          + r.reason().map(x -> ": " + dev.custody.core.internal.text.Untrusted.quote(x)).orElse("") + ")";
      if (!claimed.isBefore(r.at())) {
        out.add(new Violation(FindingCode.IDENTITY_REVOKED, "the entry claims to be signed at " + claimed + " by "
            + who + ", but " + because));
      } else if (!proven.isBefore(r.at())) {
        out.add(new Violation(FindingCode.IDENTITY_REVOKED, "the entry by " + who + " is not proven to predate the"
            + " revocation: " + because + " and the earliest proof of the entry's existence is " + proven
            + "; only a checkpoint covering it, timestamped or witnessed before " + r.at() + ", would keep it valid"));
      }
    }
    return out;
  }

  private record Bound(Instant at, String what) {}

  private static String quoted(Optional<Signer.CertifiedPath> cert) {
    return dev.custody.core.internal.text.Untrusted.quote(cert.map(Signer.CertifiedPath::subject).orElse(""));
  }

  private static Optional<Bound> later(Optional<Bound> a, Optional<Bound> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.get().at().isAfter(a.get().at()) ? b : a;
  }

  private static Optional<Bound> earlier(Optional<Bound> a, Optional<Bound> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.get().at().isBefore(a.get().at()) ? b : a;
  }
}
