package dev.custody.verify.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.TestPki;
import dev.custody.core.jws.Pem;
import dev.custody.verify.FindingCode;
import dev.custody.verify.policy.Resolution.Reason;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate identities against real CA hierarchies made in the test: RSA root → EC intermediate →
 * Ed25519 leaf (ACME), EC root → P-256 leaf (Basecorp), and a CA nobody trusts.
 */
class CertificateIdentityTest {
  static final String POLICY_OID = "1.3.6.1.4.1.99999.1.1";
  static final Instant CLAIMED = Instant.parse("2026-03-01T00:00:00Z");

  @TempDir
  static Path dir;

  static Issued acmeRoot;
  static Issued acmeCa;
  static Issued releaseBot;
  static Issued basecorpRoot;
  static Issued publisher;
  static Issued evilRoot;
  static TrustPolicy policy;

  @BeforeAll
  static void pki() throws Exception {
    acmeRoot = TestPki.root(TestPki.rsa(), Spec.ca("CN=ACME Root CA, O=ACME"));
    acmeCa = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Release CA, O=ACME"));
    releaseBot = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec());
    basecorpRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=Basecorp Root, O=Basecorp"));
    publisher = TestPki.issue(basecorpRoot, TestPki.ec(), Spec.leaf("CN=publisher, O=Basecorp"));
    evilRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME")); // same name, other key
    Files.writeString(dir.resolve("acme-root.pem"), acmeRoot.pem());
    Files.writeString(dir.resolve("basecorp-root.pem"), basecorpRoot.pem());
    policy = TrustPolicy.load(Files.writeString(dir.resolve("policy.yaml"), """
        version: custody/policy/v1
        organisations:
          acme: {roots: [acme-root.pem]}
          basecorp: {roots: [basecorp-root.pem]}
        identities:
          - name: acme/release-bot
            organisation: acme
            certificate:
              subject: "CN=release-bot, O=ACME"
              san: ["email:release-bot@acme.example", "uri:https://ci.acme.example/*"]
              eku: ["1.3.6.1.5.5.7.3.3"]
              policies: ["%s"]
          - name: basecorp/publisher
            organisation: basecorp
            certificate:
              subject: "CN=publisher, O=*"
        """.formatted(POLICY_OID)));
  }

  static Spec botSpec() {
    return Spec.leaf("CN=release-bot, O=ACME").email("release-bot@acme.example")
        .uri("https://ci.acme.example/pipelines/7").eku(KeyPurposeId.id_kp_codeSigning).policy(POLICY_OID);
  }

  static Resolution resolve(String keyId, byte[] chain) {
    return policy.resolver(k -> k.equals(keyId) ? Optional.of(chain) : Optional.empty()).resolve(keyId);
  }

  static Signer trusted(Resolution r) {
    assertThat(r).as(r.toString()).isInstanceOf(Resolution.Trusted.class);
    return ((Resolution.Trusted) r).signer();
  }

  static Resolution.Rejected rejected(Resolution r, Reason reason) {
    assertThat(r).as(r.toString()).isInstanceOf(Resolution.Rejected.class);
    Resolution.Rejected x = (Resolution.Rejected) r;
    assertThat(x.reason()).as(x.message()).isEqualTo(reason);
    return x;
  }

  // ---- valid chains

  @Test
  void resolve_rsaRootEcIntermediateEd25519Leaf_isTheCertifiedIdentity() {
    Signer s = trusted(resolve(releaseBot.keyId(), TestPki.chain(releaseBot, acmeCa)));
    assertThat(s.identityName()).contains("acme/release-bot");
    assertThat(s.organisation()).contains("acme");
    assertThat(s.key().algorithm()).isEqualTo(dev.custody.core.jws.KeyAlgorithm.ED25519);
    assertThat(s.certificate()).get().satisfies(c -> {
      assertThat(c.subject()).isEqualTo("CN=release-bot,O=ACME");
      assertThat(c.anchor()).isEqualTo("CN=ACME Root CA,O=ACME");
      assertThat(c.notBefore()).isEqualTo(releaseBot.cert().getNotBefore().toInstant());
      assertThat(c.notAfter()).isEqualTo(releaseBot.cert().getNotAfter().toInstant());
    });
    assertThat(TimeRule.check(s, CLAIMED, CLAIMED.plusSeconds(60), List.of())).isEmpty();
  }

  @Test
  void resolve_ecRootP256Leaf_matchesTheSubjectPattern() {
    Signer s = trusted(resolve(publisher.keyId(), TestPki.chain(publisher)));
    assertThat(s.identityName()).contains("basecorp/publisher");
    assertThat(s.key().algorithm()).isEqualTo(dev.custody.core.jws.KeyAlgorithm.ES256);
  }

  @Test
  void resolve_chainEndingWithACopyOfTheRoot_isAccepted() {
    trusted(resolve(releaseBot.keyId(), TestPki.chain(releaseBot, acmeCa, acmeRoot)));
  }

  @Test
  void resolve_sameChainTwice_isValidatedOnce() {
    AtomicInteger reads = new AtomicInteger();
    byte[] chain = TestPki.chain(releaseBot, acmeCa);
    SignerResolver r = policy.resolver(k -> {
      reads.incrementAndGet();
      return Optional.of(chain);
    });
    Resolution first = r.resolve(releaseBot.keyId());
    Resolution second = r.resolve(releaseBot.keyId());
    assertThat(second).isSameAs(first);
    assertThat(reads).hasValue(2); // read each time (it may change), validated once per distinct bytes
  }

  @Test
  void resolve_keyBoundInThePolicy_neverReadsACertificate() throws Exception {
    Path d = Files.createTempDirectory(dir, "bound");
    var k = TestPki.ed25519();
    Files.writeString(d.resolve("k.pub"), Pem.encode(k.getPublic().getEncoded(), "PUBLIC KEY"));
    Files.writeString(d.resolve("acme-root.pem"), acmeRoot.pem());
    TrustPolicy p = TrustPolicy.load(Files.writeString(d.resolve("p.yaml"), """
        version: custody/policy/v1
        organisations: {acme: {roots: [acme-root.pem]}}
        identities:
          - {name: acme/trainer, organisation: acme, keys: [k.pub]}
          - {name: acme/bot, organisation: acme, certificate: {}}
        """));
    String keyId = dev.custody.core.jws.VerificationKey.fromSpki(k.getPublic().getEncoded(), "k").keyId();
    Signer s = trusted(p.resolver(id -> {
      throw new AssertionError("no chain is read for a bound key");
    }).resolve(keyId));
    assertThat(s.identityName()).contains("acme/trainer");
    assertThat(s.certificate()).isEmpty();
  }

  @Test
  void resolve_identitiesAreTriedInPolicyOrder_firstMatchWins() throws Exception {
    Path d = Files.createTempDirectory(dir, "order");
    Files.writeString(d.resolve("acme-root.pem"), acmeRoot.pem());
    TrustPolicy p = TrustPolicy.load(Files.writeString(d.resolve("p.yaml"), """
        version: custody/policy/v1
        organisations: {acme: {roots: [acme-root.pem]}}
        identities:
          - {name: acme/humans, organisation: acme, certificate: {subject: "CN=alice, O=ACME"}}
          - {name: acme/bots, organisation: acme, certificate: {subject: "CN=*, O=ACME"}}
          - {name: acme/any, organisation: acme, certificate: {}}
        """));
    Signer s = trusted(p.resolver(k -> Optional.of(TestPki.chain(releaseBot, acmeCa))).resolve(releaseBot.keyId()));
    assertThat(s.identityName()).contains("acme/bots");
  }

  // ---- time: expired and not yet valid leaves

  @Test
  void checkTime_expiredLeafWithoutProofOfTime_isIdentityExpired() {
    Issued old = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec().valid(Instant.parse("2024-01-01T00:00:00Z"),
        Instant.parse("2025-01-01T00:00:00Z")));
    Signer s = trusted(resolve(old.keyId(), TestPki.chain(old, acmeCa)));
    Instant claimed = Instant.parse("2024-06-01T00:00:00Z");
    List<Violation> v = TimeRule.check(s, claimed, Instant.now(), List.of());
    assertThat(v).extracting(Violation::code).containsExactly(FindingCode.IDENTITY_EXPIRED);
    assertThat(v.get(0).message()).contains("not proven to predate").contains("2025-01-01T00:00:00Z");
    // A timestamp proving the entry existed before the certificate expired keeps it valid.
    assertThat(TimeRule.check(s, claimed, Instant.parse("2024-07-01T00:00:00Z"), List.of())).isEmpty();
  }

  @Test
  void checkTime_entryClaimedAfterTheLeafExpired_isIdentityExpiredWhateverTheProof() {
    Issued old = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec().valid(Instant.parse("2024-01-01T00:00:00Z"),
        Instant.parse("2025-01-01T00:00:00Z")));
    Signer s = trusted(resolve(old.keyId(), TestPki.chain(old, acmeCa)));
    List<Violation> v = TimeRule.check(s, Instant.parse("2025-02-01T00:00:00Z"), Instant.parse("2024-12-01T00:00:00Z"),
        List.of());
    assertThat(v).extracting(Violation::code).containsExactly(FindingCode.IDENTITY_EXPIRED);
    assertThat(v.get(0).message()).contains("claims to be signed at 2025-02-01T00:00:00Z");
  }

  @Test
  void checkTime_leafNotYetValidAtTheClaimedTime_isIdentityNotYetValid() {
    Issued future = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec().valid(Instant.parse("2030-01-01T00:00:00Z"),
        Instant.parse("2031-01-01T00:00:00Z")));
    Signer s = trusted(resolve(future.keyId(), TestPki.chain(future, acmeCa)));
    List<Violation> v = TimeRule.check(s, CLAIMED, CLAIMED, List.of());
    assertThat(v).extracting(Violation::code).containsExactly(FindingCode.IDENTITY_NOT_YET_VALID);
    assertThat(v.get(0).message()).contains("CN=release-bot,O=ACME").contains("2030-01-01T00:00:00Z");
  }

  @Test
  void resolve_pathWhoseCertificatesAreNeverValidTogether_isNeverValid() {
    Issued shortCa = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Short CA, O=ACME")
        .valid(Instant.parse("2021-01-01T00:00:00Z"), Instant.parse("2022-01-01T00:00:00Z")));
    Issued leaf = TestPki.issue(shortCa, TestPki.ed25519(), botSpec());
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, shortCa)), Reason.NEVER_VALID);
    assertThat(r.code()).isEqualTo(FindingCode.CERTIFICATE_INVALID);
  }

  // ---- chains that do not lead to the organisation's roots

  @Test
  void resolve_leafFromAnotherCaWithTheSameName_isUntrustedIssuer() {
    Issued evilCa = TestPki.issue(evilRoot, TestPki.ec(), Spec.ca("CN=ACME Release CA, O=ACME"));
    Issued forged = TestPki.issue(evilCa, TestPki.ed25519(), botSpec());
    Resolution.Rejected r = (Resolution.Rejected) resolve(forged.keyId(), TestPki.chain(forged, evilCa));
    assertThat(r.code()).isEqualTo(FindingCode.CERTIFICATE_INVALID);
    assertThat(r.reason()).as(r.message()).isIn(Reason.UNTRUSTED_ISSUER, Reason.PATH_INVALID);
    assertThat(r.message()).contains("'CN=ACME Release CA,O=ACME'");
  }

  @Test
  void resolve_leafFromAWrongCa_isUntrustedIssuer() {
    Issued other = TestPki.root(TestPki.ec(), Spec.ca("CN=Someone Else Root"));
    Issued leaf = TestPki.issue(other, TestPki.ed25519(), botSpec());
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf)), Reason.UNTRUSTED_ISSUER);
    assertThat(r.code()).isEqualTo(FindingCode.CERTIFICATE_INVALID);
    assertThat(r.message()).contains("does not chain to a root of 'acme' or 'basecorp'")
        .contains("issued by 'CN=Someone Else Root'");
  }

  @Test
  void resolve_chainMissingTheIntermediate_isUntrustedIssuer() {
    Resolution.Rejected r = rejected(resolve(releaseBot.keyId(), TestPki.chain(releaseBot)), Reason.UNTRUSTED_ISSUER);
    assertThat(r.message()).contains("lacks an intermediate").contains("CN=ACME Release CA,O=ACME");
  }

  @Test
  void resolve_intermediateThatIsNotACa_isPathInvalid() {
    Issued notCa = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Fake CA, O=ACME").notCa()
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
    Issued leaf = TestPki.issue(notCa, TestPki.ed25519(), botSpec());
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, notCa)), Reason.PATH_INVALID);
    assertThat(r.message()).contains("CN=ACME Fake CA,O=ACME").contains("NOT_CA_CERT");
  }

  @Test
  void resolve_chainOutOfOrder_isPathInvalid() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec());
    Resolution r = resolve(leaf.keyId(), TestPki.chain(leaf, acmeRoot, acmeCa));
    assertThat(((Resolution.Rejected) r).code()).isEqualTo(FindingCode.CERTIFICATE_INVALID);
  }

  // ---- the leaf itself

  @Test
  void resolve_chainForAnotherKey_isKeyMismatch() {
    Resolution.Rejected r = rejected(resolve(publisher.keyId(), TestPki.chain(releaseBot, acmeCa)), Reason.KEY_MISMATCH);
    assertThat(r.message()).contains("is for key " + releaseBot.keyId()).contains("not for the entry's key "
        + publisher.keyId());
  }

  @Test
  void resolve_leafWithAnRsaKey_isKeyUnsupported() {
    Issued rsaLeaf = TestPki.issue(acmeCa, TestPki.rsa(), botSpec());
    rejected(resolve("00".repeat(32), TestPki.chain(rsaLeaf, acmeCa)), Reason.KEY_UNSUPPORTED);
  }

  @Test
  void resolve_leafThatIsACa_isNotForSigning() {
    Issued caLeaf = TestPki.issue(acmeCa, TestPki.ed25519(), Spec.ca("CN=release-bot, O=ACME"));
    rejected(resolve(caLeaf.keyId(), TestPki.chain(caLeaf, acmeCa)), Reason.LEAF_NOT_FOR_SIGNING);
  }

  @Test
  void resolve_leafWhoseKeyUsageExcludesSigning_isNotForSigning() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), botSpec().keyUsage(KeyUsage.keyAgreement));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.LEAF_NOT_FOR_SIGNING);
    assertThat(r.message()).contains("without digitalSignature");
  }

  // ---- constraints, each unmet

  @Test
  void resolve_subjectUnmet_isConstraintUnmet() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), botSpecWith("CN=intern, O=ACME"));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.code()).isEqualTo(FindingCode.IDENTITY_UNKNOWN);
    assertThat(r.message()).contains("'acme/release-bot': subject 'CN=intern,O=ACME' does not match"
        + " 'CN=release-bot, O=ACME'");
  }

  @Test
  void resolve_emailSanUnmet_isConstraintUnmet() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .email("mallory@acme.example").uri("https://ci.acme.example/x").eku(KeyPurposeId.id_kp_codeSigning)
        .policy(POLICY_OID));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.message()).contains("no subject alternative name matches 'email:release-bot@acme.example'")
        .contains("email:mallory@acme.example");
  }

  @Test
  void resolve_uriSanOutsideThePattern_isConstraintUnmet() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .email("release-bot@acme.example").uri("https://ci.evil.example/acme").eku(KeyPurposeId.id_kp_codeSigning)
        .policy(POLICY_OID));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.message()).contains("'uri:https://ci.acme.example/*'");
  }

  @Test
  void resolve_ekuUnmet_isConstraintUnmet() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .email("release-bot@acme.example").uri("https://ci.acme.example/x").eku(KeyPurposeId.id_kp_serverAuth)
        .policy(POLICY_OID));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.message()).contains("extended key usage 1.3.6.1.5.5.7.3.3 is missing");
  }

  @Test
  void resolve_policyNotAssertedByTheLeaf_isConstraintUnmet() {
    Issued leaf = TestPki.issue(acmeCa, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .email("release-bot@acme.example").uri("https://ci.acme.example/x").eku(KeyPurposeId.id_kp_codeSigning));
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, acmeCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.message()).contains("certificate policy " + POLICY_OID + " is not asserted");
  }

  @Test
  void resolve_policyAssertedButNotValidThroughThePath_isConstraintUnmet() {
    Issued noPolicyCa = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Plain CA, O=ACME").noPolicies());
    Issued leaf = TestPki.issue(noPolicyCa, TestPki.ed25519(), botSpec());
    Resolution.Rejected r = rejected(resolve(leaf.keyId(), TestPki.chain(leaf, noPolicyCa)), Reason.CONSTRAINT_UNMET);
    assertThat(r.message()).contains("are not valid through the path");
  }

  // ---- what the ledger holds

  @Test
  void resolve_noChainRecorded_isKeyUntrusted() {
    Resolution.Rejected r = rejected(policy.resolver(CertificateSource.NONE).resolve(releaseBot.keyId()),
        Reason.UNKNOWN_KEY);
    assertThat(r.code()).isEqualTo(FindingCode.KEY_UNTRUSTED);
    assertThat(r.message()).contains("no certificate chain is recorded");
  }

  @Test
  void resolve_chainThatIsNotPem_isMalformed() {
    rejected(resolve(releaseBot.keyId(), "hello".getBytes(StandardCharsets.US_ASCII)), Reason.MALFORMED);
  }

  @Test
  void resolve_textBetweenPemBlocks_isMalformed() {
    byte[] chain = (releaseBot.pem() + "the intermediate:\n" + acmeCa.pem()).getBytes(StandardCharsets.US_ASCII);
    Resolution.Rejected r = rejected(resolve(releaseBot.keyId(), chain), Reason.MALFORMED);
    assertThat(r.message()).contains("block 2");
  }

  @Test
  void resolve_corruptedCertificate_isMalformed() {
    String pem = releaseBot.pem();
    String broken = pem.substring(0, 100) + (pem.charAt(100) == 'A' ? 'B' : 'A') + pem.substring(101);
    Resolution r = resolve(releaseBot.keyId(), (broken + acmeCa.pem()).getBytes(StandardCharsets.US_ASCII));
    assertThat(((Resolution.Rejected) r).code()).isEqualTo(FindingCode.CERTIFICATE_INVALID);
  }

  @Test
  void resolve_tooManyCertificates_isMalformed() {
    Issued[] many = new Issued[CertificateValidator.MAX_CERTIFICATES + 1];
    java.util.Arrays.fill(many, acmeCa);
    many[0] = releaseBot;
    rejected(resolve(releaseBot.keyId(), TestPki.chain(many)), Reason.MALFORMED);
  }

  @Test
  void ledgerSource_chainFileIsASymlink_isMalformed() throws Exception {
    Path ledger = Files.createTempDirectory(dir, "ledger");
    Files.createDirectories(ledger.resolve(CertificateSource.DIR));
    Path real = Files.write(ledger.resolve("elsewhere.pem"), TestPki.chain(releaseBot, acmeCa));
    Files.createSymbolicLink(ledger.resolve(CertificateSource.DIR).resolve(releaseBot.keyId() + ".pem"), real);
    Resolution.Rejected r = rejected(policy.resolver(CertificateSource.ledger(ledger)).resolve(releaseBot.keyId()),
        Reason.MALFORMED);
    assertThat(r.message()).contains("is a symbolic link");
  }

  @Test
  void ledgerSource_regularChainFile_resolves() throws Exception {
    Path ledger = Files.createTempDirectory(dir, "ledger");
    Files.createDirectories(ledger.resolve(CertificateSource.DIR));
    Files.write(ledger.resolve(CertificateSource.DIR).resolve(releaseBot.keyId() + ".pem"),
        TestPki.chain(releaseBot, acmeCa));
    trusted(policy.resolver(CertificateSource.ledger(ledger)).resolve(releaseBot.keyId()));
  }

  @Test
  void ledgerSource_keyIdThatIsAPath_isNeverRead() throws Exception {
    Path ledger = Files.createTempDirectory(dir, "ledger");
    assertThat(CertificateSource.ledger(ledger).chain("../../etc/passwd")).isEmpty();
  }

  static Spec botSpecWith(String subject) {
    return Spec.leaf(subject).email("release-bot@acme.example").uri("https://ci.acme.example/x")
        .eku(KeyPurposeId.id_kp_codeSigning).policy(POLICY_OID);
  }
}
