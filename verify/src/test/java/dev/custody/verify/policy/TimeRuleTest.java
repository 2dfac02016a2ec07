package dev.custody.verify.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.TestPki;
import dev.custody.core.jws.VerificationKey;
import dev.custody.verify.FindingCode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The time rule, as a table: claimed time C, proven time P, revocation R, validity window [S, E]. */
class TimeRuleTest {
  static final VerificationKey KEY = key();
  static final Identity WINDOWED = new Identity("acme/trainer", "acme", new Identity.Keys(List.of(KEY)),
      Optional.of(t("2026-01-01")), Optional.of(t("2027-01-01")));
  static final Signer SIGNER = new Signer(KEY, Optional.of(WINDOWED), Optional.empty());

  static VerificationKey key() {
    try {
      return VerificationKey.fromSpki(TestPki.ed25519().getPublic().getEncoded(), "k");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Instant t(String day) {
    return Instant.parse(day + "T00:00:00Z");
  }

  @ParameterizedTest(name = "claimed {0}, proven {1}, revoked {2} -> {3}")
  @CsvSource({
      // revoked at R = 2026-06-01: valid only if C < R and P < R
      "2026-03-01, 2026-03-02, 2026-06-01, ok",                         // proven before the revocation
      "2026-03-01, 2026-08-01, 2026-06-01, IDENTITY_REVOKED",           // claims before, not proven before
      "2026-07-01, 2026-07-02, 2026-06-01, IDENTITY_REVOKED",           // claims after the revocation
      "2026-05-31, 2026-06-01, 2026-06-01, IDENTITY_REVOKED",           // proven exactly at R is not before R
      "2026-03-01, 2026-05-31, 2026-06-01, ok",
      // window [2026-01-01, 2027-01-01]
      "2025-12-31, 2026-02-01, none,       IDENTITY_NOT_YET_VALID",     // claims before notBefore
      "2026-02-01, 2025-12-31, none,       IDENTITY_NOT_YET_VALID",     // provably existed before notBefore
      "2026-12-01, 2027-02-01, none,       IDENTITY_EXPIRED",           // not proven before notAfter
      "2027-02-01, 2026-12-01, none,       IDENTITY_EXPIRED",           // claims after notAfter
      "2026-12-01, 2027-01-01, none,       ok",                         // notAfter itself is still valid (X.509)
      "2026-12-01, 2026-12-02, none,       ok",
  })
  void check_table(String claimed, String proven, String revoked, String expected) {
    List<Revocation> rs = revoked.equals("none") ? List.of()
        : List.of(Revocation.ofIdentity("acme/trainer", t(revoked), Optional.of("laptop stolen"), "policy.yaml:40:5"));
    List<Violation> v = TimeRule.check(SIGNER, t(claimed), t(proven), rs);
    if (expected.equals("ok")) {
      assertThat(v).isEmpty();
    } else {
      assertThat(v).extracting(Violation::code).containsExactly(FindingCode.valueOf(expected));
    }
  }

  @Test
  void check_revokedKeyOfAnIdentity_appliesToThatKeyOnly() {
    Revocation r = Revocation.ofKey(KEY.keyId(), t("2026-06-01"), Optional.empty(), "ledger entry acme/keys:4");
    assertThat(TimeRule.check(SIGNER, t("2026-07-01"), t("2026-07-02"), List.of(r)))
        .extracting(Violation::code).containsExactly(FindingCode.IDENTITY_REVOKED);
    Revocation other = Revocation.ofKey("ab".repeat(32), t("2026-06-01"), Optional.empty(), "x");
    assertThat(TimeRule.check(SIGNER, t("2026-07-01"), t("2026-07-02"), List.of(other))).isEmpty();
  }

  @Test
  void check_severalRevocations_theEarliestDecides() {
    List<Revocation> rs = List.of(
        Revocation.ofIdentity("acme/trainer", t("2026-09-01"), Optional.empty(), "late"),
        Revocation.ofKey(KEY.keyId(), t("2026-04-01"), Optional.empty(), "early"));
    List<Violation> v = TimeRule.check(SIGNER, t("2026-05-01"), t("2026-05-02"), rs);
    assertThat(v).hasSize(1);
    assertThat(v.get(0).message()).contains("early").contains("2026-04-01");
  }

  @Test
  void check_revokedAndExpired_reportsBoth() {
    List<Violation> v = TimeRule.check(SIGNER, t("2026-12-01"), t("2027-03-01"),
        List.of(Revocation.ofIdentity("acme/trainer", t("2026-06-01"), Optional.empty(), "p")));
    assertThat(v).extracting(Violation::code).containsExactlyInAnyOrder(FindingCode.IDENTITY_EXPIRED,
        FindingCode.IDENTITY_REVOKED);
  }

  @Test
  void check_revocationMessage_saysWhatWouldKeepTheEntryValid() {
    List<Violation> v = TimeRule.check(SIGNER, t("2026-03-01"), t("2026-08-01"),
        List.of(Revocation.ofIdentity("acme/trainer", t("2026-06-01"), Optional.of("laptop\nstolen"), "policy.yaml:40:5")));
    assertThat(v.get(0).message()).contains("identity 'acme/trainer' was revoked at 2026-06-01T00:00:00Z"
        + " (policy.yaml:40:5: 'laptop\\u000Astolen')").contains("timestamped or witnessed before");
  }

  @Test
  void check_identityWithoutWindowOrRevocation_isAlwaysValid() {
    Signer plain = new Signer(KEY, Optional.of(new Identity("acme/x", "acme", new Identity.Keys(List.of(KEY)),
        Optional.empty(), Optional.empty())), Optional.empty());
    assertThat(TimeRule.check(plain, t("1999-01-01"), t("2099-01-01"), List.of())).isEmpty();
  }

  @Test
  void checkTime_policyRevocationsAndLedgerRevocations_areBothApplied() throws Exception {
    TrustPolicy p = TrustPolicy.trustAll(dev.custody.verify.TrustedKeys.of(List.of(KEY)));
    Signer s = ((Resolution.Trusted) p.resolver(CertificateSource.NONE).resolve(KEY.keyId())).signer();
    assertThat(p.checkTime(s, t("2026-07-01"), t("2026-07-02"), List.of())).isEmpty();
    assertThat(p.checkTime(s, t("2026-07-01"), t("2026-07-02"),
        List.of(Revocation.ofKey(KEY.keyId(), t("2026-06-01"), Optional.empty(), "ledger"))))
        .extracting(Violation::code).containsExactly(FindingCode.IDENTITY_REVOKED);
  }
}
