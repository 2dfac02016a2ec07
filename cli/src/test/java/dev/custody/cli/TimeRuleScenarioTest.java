package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.internal.timestamp.TestTsa;
import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's time rule end to end: a revoked key's entries stay valid only when a checkpoint covering
 * them was timestamped (RFC 3161, attest's loopback {@link TestTsa} through {@code custody checkpoint
 * --tsa}) before the revocation — revoked in the policy or by a {@code revocation} entry
 * ({@code custody.revokes}); an expired certificate's entries likewise; a certificate from the wrong
 * CA is not a signer at all. Entries' claimed times are the recording machine's clock, so the tests
 * take real time: a revocation instant between two appends, a certificate that expires seconds after
 * it is recorded.
 */
class TimeRuleScenarioTest {
  static TestTsa tsa;
  static Issued acmeRoot;
  static Issued acmeCa;

  @TempDir Path tmp;
  World w;
  World.Signer data;
  World.Signer trainer;
  World.Signer security;
  Path ledger;
  Path corpus;
  Path tsaRoot;
  String rootPem;

  @BeforeAll
  static void start() throws Exception {
    tsa = TestTsa.start();
    acmeRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME"));
    acmeCa = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));
  }

  @AfterAll
  static void stop() {
    tsa.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    w = new World(tmp);
    data = w.key("acme/data");
    trainer = w.key("acme/trainer");
    security = w.key("acme/security");
    ledger = w.ledger("acme-ledger");
    corpus = w.file("data/corpus.jsonl", "{\"text\":\"hello\"}\n");
    tsaRoot = Files.writeString(tmp.resolve("tsa-root.pem"), TestPki.pem(tsa.root.cert()));
    rootPem = w.pem("acme-root.pem", acmeRoot);
  }

  /** ACME's policy; {@code extra} is appended (e.g. a {@code revocations:} section). */
  private Path policy(String releaseIdentity, String extra) {
    return w.policy("policy.yaml", """
        version: custody/policy/v1
        organisations:
          acme:
            roots: [%s]
        identities:
          - {name: acme/data, organisation: acme, keys: [%s]}
          - {name: acme/trainer, organisation: acme, keys: [%s]}
          - {name: acme/security, organisation: acme, keys: [%s]}
        %s
        roles:
          - {identities: [acme/data], kinds: [dataset-ingest], chains: ["acme/**"]}
          - {identities: [acme/trainer], kinds: [training, evaluation], chains: ["acme/**"]}
          - {identities: [acme/security], kinds: [revocation], chains: ["acme/**"]}
          - {identities: ["acme/release-*"], kinds: [release], chains: ["acme/**"]}
        %s
        """.formatted(rootPem, data.pub(), trainer.pub(), security.pub(), releaseIdentity.indent(2).stripTrailing(),
        extra));
  }

  private Path policy(String extra) {
    return policy("""
        - name: acme/release-bot
          organisation: acme
          certificate: {subject: "CN=release-bot, O=ACME"}
        """, extra);
  }

  private JsonNode train(Path model) {
    return w.record(ledger, trainer, "training", "acme/m", "--input", "corpus:dataset=" + corpus,
        "--output", "model=" + model);
  }

  private void timestampedCheckpoint() {
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
  }

  private Cli.Result verify(Path policy, Object... extra) {
    return w.verify(policy, List.of(ledger), extra);
  }

  private static List<String> errorsAt(Cli.Result r, String code) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : World.findings(r, code)) {
      assertThat(f.get("severity").textValue()).isEqualTo("ERROR");
      out.add(World.at(f));
    }
    return out;
  }

  /** An instant strictly after everything recorded so far and strictly before everything recorded next. */
  private static Instant between() throws InterruptedException {
    Thread.sleep(20);
    Instant t = Instant.now();
    Thread.sleep(20);
    return t;
  }

  // ---------------------------------------------------------------- revocation in the policy

  @Test
  void policyRevocation_entriesTimestampedBeforeItStayValid_entriesAfterAreRevoked() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    Instant revokedAt = between();
    train(w.model("m2", 2, 0f));
    Path policy = policy("""
        revocations:
          - {identity: acme/trainer, at: %s, reason: laptop stolen}
        """.formatted(revokedAt));

    Cli.Result r = verify(policy, "--tsa-root", tsaRoot);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:2");
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsOnly("IDENTITY_REVOKED");
    assertThat(World.findings(r, "IDENTITY_REVOKED").get(0).get("message").textValue())
        .contains("'acme/trainer'").contains("laptop stolen");
  }

  @Test
  void policyRevocation_withoutTrustedTime_theEarlierEntryIsNotProvenToPredateIt() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    Instant revokedAt = between();
    train(w.model("m2", 2, 0f));
    Path policy = policy("""
        revocations:
          - {identity: acme/trainer, at: %s}
        """.formatted(revokedAt));

    Cli.Result r = verify(policy); // no --tsa-root: the timestamp is not read, nothing proves when acme/m:1 was made

    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:1", "acme/m:2");
    assertThat(World.findings(r, "IDENTITY_REVOKED").get(0).get("message").textValue())
        .contains("not proven to predate the revocation");
  }

  @Test
  void policyRevocationOfTheKey_isTheSameAsOfTheIdentity() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    Instant revokedAt = between();
    train(w.model("m2", 2, 0f));
    Path policy = policy("""
        revocations:
          - {keyId: %s, at: %s}
        """.formatted(trainer.keyId(), revokedAt));

    Cli.Result r = verify(policy, "--tsa-root", tsaRoot);

    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:2");
  }

  // ---------------------------------------------------------------- revocation entries (custody.revokes)

  @Test
  void revocationEntry_revokesTheIdentityFromRevokedAt_timestampedEntriesStayValid() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    JsonNode good = train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    Instant revokedAt = between();
    train(w.model("m2", 2, 0f));
    w.record(ledger, security, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--reason",
        "laptop stolen", "--param", "custody.revokes=identity:acme/trainer", "--param",
        "custody.revokedAt=" + revokedAt);

    Cli.Result r = verify(policy(""), "--tsa-root", tsaRoot);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:2");
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsOnly("IDENTITY_REVOKED");
    assertThat(World.findings(r, "IDENTITY_REVOKED").get(0).get("message").textValue())
        .contains("revocation entry acme/m:3").contains("laptop stolen");
  }

  @Test
  void revocationEntry_ofTheKey_withoutRevokedAt_revokesFromTheEntrysOwnTime() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    JsonNode good = train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    between();
    w.record(ledger, security, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--param",
        "custody.revokes=key:" + trainer.keyId());
    between();
    train(w.model("m2", 2, 0f));

    Cli.Result r = verify(policy(""), "--tsa-root", tsaRoot);

    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:3");
  }

  @Test
  void revocationEntry_underTrustOnly_anyTrustedKeyRevokesAKey() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    JsonNode good = train(w.model("m1", 1, 0f));
    timestampedCheckpoint();
    Instant revokedAt = between();
    train(w.model("m2", 2, 0f));
    w.record(ledger, security, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--param",
        "custody.revokes=key:" + trainer.keyId(), "--param", "custody.revokedAt=" + revokedAt);
    w.record(ledger, security, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--param",
        "custody.revokes=identity:acme/data", "--param", "custody.revokedAt=2020-01-01T00:00:00Z");

    List<Object> a = new ArrayList<>(List.of("verify", "--trust", w.keys, "--tsa-root", tsaRoot, "--format", "json"));
    a.addAll(World.ledgerArgs(List.of(ledger)));
    Cli.Result r = Cli.run(a.toArray());

    // The key revocation applies; identity:acme/data names nothing under --trust (keys have no identities).
    assertThat(errorsAt(r, "IDENTITY_REVOKED")).as(r.out()).containsExactly("acme/m:2");
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsOnly("IDENTITY_REVOKED");
  }

  @Test
  void revocationEntry_byAnIdentityWithoutTheRevocationRole_revokesNothing() throws Exception {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    JsonNode good = train(w.model("m1", 1, 0f));
    // The data team may not sign revocations: the entry is a ROLE_VIOLATION and revokes nothing.
    w.record(ledger, data, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--param",
        "custody.revokes=identity:acme/trainer", "--param", "custody.revokedAt=2020-01-01T00:00:00Z");

    Cli.Result r = verify(policy(""), "--tsa-root", tsaRoot);

    assertThat(World.codes(r, "ERROR")).as(r.out()).doesNotContain("IDENTITY_REVOKED").contains("ROLE_VIOLATION");
    assertThat(errorsAt(r, "ROLE_VIOLATION")).containsOnly("acme/m:2");
  }

  @Test
  void revocationEntry_namingNeitherKeyNorIdentity_isReportedAndRevokesNothing() throws Exception {
    JsonNode good = w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    w.record(ledger, security, "revocation", "acme/m", "--subject", good.get("hash").textValue(), "--param",
        "custody.revokes=acme/trainer");

    Cli.Result r = verify(policy(""));

    assertThat(errorsAt(r, "RULE_VIOLATION")).as(r.out()).containsExactly("acme/m:1");
    assertThat(World.findings(r, "RULE_VIOLATION").get(0).get("message").textValue())
        .contains("expected key:<key id> or identity:<name>");
  }

  // ---------------------------------------------------------------- certificates: expiry and the wrong CA

  /** A release bot certified by ACME's CA until {@code notAfter}, with its chain for {@code --certificate}. */
  private World.Signer releaseBot(Issued ca, Instant notAfter) {
    return w.certified("acme/release-bot", TestPki.issue(ca, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.now().minus(Duration.ofDays(1)), notAfter)), ca);
  }

  private JsonNode release(World.Signer bot, Path model, boolean withCertificate) {
    List<Object> a = new ArrayList<>(List.of("record", "release", "--ledger", ledger, "--chain", "acme/m",
        "--key", bot.key(), "--output", "model=" + model, "--version", "1", "--json"));
    if (withCertificate) {
      a.addAll(List.of("--certificate", bot.chain()));
    }
    return Cli.ok(a.toArray()).json();
  }

  private static void sleepUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  @Test
  void expiredCertificate_entryClaimedAfterNotAfter_andEntryNotProvenBefore_areExpired() throws Exception {
    Path m1 = w.model("m1", 1, 0f);
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(m1);
    // A certificate that expires in 3 to 4 seconds (X.509 times have whole seconds), used at once.
    Instant notAfter = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(4);
    World.Signer bot = releaseBot(acmeCa, notAfter);
    release(bot, m1, true); // claimed before notAfter; no timestamp proves it
    sleepUntil(notAfter.plusMillis(1100));
    release(bot, m1, false); // claimed after notAfter (the chain is in the ledger already)

    Cli.Result r = verify(policy(""));

    assertThat(errorsAt(r, "IDENTITY_EXPIRED")).as(r.out()).containsExactly("acme/m:2", "acme/m:3");
    List<JsonNode> expired = World.findings(r, "IDENTITY_EXPIRED");
    assertThat(expired.get(0).get("message").textValue()).contains("is not proven to predate");
    assertThat(expired.get(1).get("message").textValue()).contains("claims to be signed at");
  }

  @Test
  void expiredCertificate_entryTimestampedBeforeNotAfter_staysValid() throws Exception {
    Path m1 = w.model("m1", 1, 0f);
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(m1);
    Instant notAfter = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(4);
    World.Signer bot = releaseBot(acmeCa, notAfter);
    release(bot, m1, true);
    timestampedCheckpoint();
    sleepUntil(notAfter.plusMillis(1100));
    release(bot, m1, false);

    Cli.Result r = verify(policy(""), "--tsa-root", tsaRoot);

    assertThat(errorsAt(r, "IDENTITY_EXPIRED")).as(r.out()).containsExactly("acme/m:3");
    assertThat(World.codes(r, "ERROR")).as(r.out()).containsOnly("IDENTITY_EXPIRED");
  }

  @Test
  void certificateFromTheWrongCa_isCertificateInvalidAndTheEntryIsNotTrusted() throws Exception {
    Issued otherRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=Other Root, O=Other"));
    Issued otherCa = TestPki.issue(otherRoot, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME")); // same name
    World.Signer bot = releaseBot(otherCa, Instant.now().plus(Duration.ofDays(30)));
    Path m1 = w.model("m1", 1, 0f);
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(m1);
    release(bot, m1, true);

    Cli.Result r = verify(policy(""));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    List<JsonNode> invalid = World.findings(r, "CERTIFICATE_INVALID");
    assertThat(invalid).as(r.out()).hasSize(1);
    assertThat(invalid.get(0).get("entry").get("logIndex").asLong()).isEqualTo(2);
    assertThat(invalid.get(0).get("message").textValue()).contains("does not chain to a root of 'acme'");
  }

  @Test
  void certifiedSigner_withinValidity_isVerifiedAndNamed() throws Exception {
    World.Signer bot = releaseBot(acmeCa, Instant.now().plus(Duration.ofDays(30)));
    Path m1 = w.model("m1", 1, 0f);
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus);
    train(m1);
    release(bot, m1, true);

    Cli.Result r = verify(policy(""));

    assertThat(r.code()).as(r.toString()).isZero();
    List<Object> a = new ArrayList<>(List.of("lineage", "acme/m:2", "--policy", tmp.resolve("policy.yaml")));
    a.addAll(World.ledgerArgs(List.of(ledger)));
    assertThat(Cli.ok(a.toArray()).out()).contains("by acme/release-bot (acme)");
  }
}
