package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import dev.custody.core.internal.ledger.CertificateFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody record|run --certificate CHAIN.pem} through the real CLI: the chain is checked
 * before anything is recorded, stored once at {@code certificates/<keyId>.pem}, and judged by the
 * verifier under a policy — and what an insider with file access can do to it, before and after.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CertificateRecordCliTest {
  static Issued root;
  static Issued ca;

  @TempDir Path tmp;
  World w;
  World.Signer bot;
  Path ledger;
  Path model;
  Path policy;

  @BeforeAll
  static void pki() {
    root = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME"));
    ca = TestPki.issue(root, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));
  }

  @BeforeEach
  void setUp() {
    w = new World(tmp);
    bot = w.certified("acme/release-bot", leaf("CN=release-bot, O=ACME"), ca);
    ledger = w.ledger("ledger");
    model = w.model("model", 1, 0f);
    policy = w.policy("policy.yaml", """
        version: custody/policy/v1
        organisations:
          acme:
            roots: [%s]
        identities:
          - name: acme/release-bot
            organisation: acme
            certificate: {subject: "CN=release-bot, O=ACME"}
        roles:
          - {identities: [acme/release-bot], kinds: ["*"], chains: ["acme/**"]}
        lineage: {releaseUnproduced: off}
        """.formatted(w.pem("acme-root.pem", root)));
  }

  private static Issued leaf(String subject) {
    return TestPki.issue(ca, TestPki.ed25519(), Spec.leaf(subject).valid(Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(365))));
  }

  private Cli.Result release(Path key, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("record", "release", "--ledger", ledger, "--chain", "acme/m", "--key", key,
        "--output", "model=" + model, "--version", "1"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  private Path stored() {
    return CertificateFiles.path(ledger, bot.keyId());
  }

  private Path write(String name, byte[] content) throws Exception {
    return Files.write(tmp.resolve(name), content);
  }

  /** Exit 2, the message naming {@code file}, and nothing recorded: no entry, no chain. */
  private void assertRefusedNaming(Cli.Result r, Object file, String... more) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains(file.toString());
    for (String m : more) {
      assertThat(r.err()).contains(m);
    }
    assertThat(entries()).isEmpty();
  }

  /** The ledger's records (none before the first append, when there is no segment yet). */
  private List<String> entries() {
    return Files.exists(ledger.resolve(Cli.SEGMENT_0)) ? Cli.records(ledger) : List.of();
  }

  @Test
  void record_withCertificate_storesTheChainAndTheVerifierNamesTheIdentity() throws Exception {
    Cli.Result r = release(bot.key(), "--certificate", bot.chain());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.readAllBytes(stored())).isEqualTo(Files.readAllBytes(bot.chain()));
    Cli.Result v = w.verify(policy, List.of(ledger));
    assertThat(v.code()).as(v.toString()).isZero();
  }

  @Test
  void record_es256CertifiedKey_isStoredAndVerified() throws Exception {
    Issued p256 = TestPki.issue(ca, TestPki.ec(), Spec.leaf("CN=release-bot, O=ACME").valid(
        Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365))));
    World.Signer ecBot = w.certified("acme/release-bot-p256", p256, ca);

    Cli.Result r = release(ecBot.key(), "--certificate", ecBot.chain());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(CertificateFiles.path(ledger, ecBot.keyId())).exists();
    Cli.Result v = w.verify(policy, List.of(ledger));
    assertThat(v.code()).as(v.toString()).isZero();
  }

  @Test
  void record_sameCertificateEveryTime_isFine() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();

    assertThat(entries()).hasSize(2);
    assertThat(w.verify(policy, List.of(ledger)).code()).isZero();
  }

  @Test
  void record_withoutCertificate_underACertificatePolicy_isKeyUntrusted() {
    assertThat(release(bot.key()).code()).isZero();

    Cli.Result v = w.verify(policy, List.of(ledger));

    assertThat(v.code()).isEqualTo(1);
    assertThat(World.codes(v, "ERROR")).containsExactly("KEY_UNTRUSTED");
    assertThat(World.findings(v, "KEY_UNTRUSTED").get(0).get("message").textValue()).contains("certificates/");
  }

  @Test
  void record_certificateOfAnotherKey_isRefusedNamingTheFileAndBothKeys() {
    World.Signer other = w.certified("acme/other", leaf("CN=other, O=ACME"), ca);

    Cli.Result r = release(bot.key(), "--certificate", other.chain());

    assertRefusedNaming(r, other.chain(), other.keyId(), "not for the signing key " + bot.keyId());
    assertThat(ledger.resolve(CertificateFiles.DIR)).doesNotExist();
  }

  @Test
  void record_rootFirstChain_isRefusedSayingWhichToPutFirst() throws Exception {
    Path reversed = write("reversed.pem", TestPki.chain(ca, bot.issued()));

    assertRefusedNaming(release(bot.key(), "--certificate", reversed), reversed, "put it first");
  }

  @Test
  void record_garbageCertificate_isRefused() throws Exception {
    Path junk = write("junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        .getBytes(StandardCharsets.US_ASCII));

    assertRefusedNaming(release(bot.key(), "--certificate", junk), junk, "not an X.509 certificate");
  }

  @Test
  void record_hugeCertificateFile_isRefusedBeforeReadingIt() throws Exception {
    byte[] huge = new byte[CertificateFiles.MAX_CHAIN_BYTES + 1];
    Arrays.fill(huge, (byte) 'A');
    Path big = write("big.pem", huge);

    assertRefusedNaming(release(bot.key(), "--certificate", big), big, "larger than");
  }

  @Test
  void record_certificateIsADevice_isRefusedNotReadForever() {
    assertRefusedNaming(release(bot.key(), "--certificate", "/dev/zero"), "/dev/zero", "not a regular file");
  }

  @Test
  void record_missingCertificateFile_isRefused() {
    Path none = tmp.resolve("none.pem");

    assertRefusedNaming(release(bot.key(), "--certificate", none), none);
  }

  @Test
  void record_expiredCertificate_isRefused() throws Exception {
    Issued old = TestPki.issue(ca, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2025-01-01T00:00:00Z")));
    World.Signer expired = w.certified("acme/expired", old, ca);

    Cli.Result r = release(expired.key(), "--certificate", expired.chain());

    assertRefusedNaming(r, expired.chain(), "expired at 2025-01-01T00:00:00Z", "IDENTITY_EXPIRED");
  }

  @Test
  void record_renewedCertificateForTheSameKey_isRefusedAndTheFirstChainKept() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    byte[] first = Files.readAllBytes(stored());
    Issued renewed = TestPki.issue(ca, bot.issued().keys(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(730))));
    Path renewedChain = write("renewed.pem", TestPki.chain(renewed, ca));

    Cli.Result r = release(bot.key(), "--certificate", renewedChain);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains(stored().toString()).contains("a different certificate chain")
        .contains("custody keys generate");
    assertThat(entries()).hasSize(1);
    assertThat(Files.readAllBytes(stored())).isEqualTo(first);
  }

  @Test
  void record_symlinkPlantedAtTheChainFile_isRefusedAndItsTargetUntouched() throws Exception {
    Files.createDirectories(ledger.resolve(CertificateFiles.DIR));
    Path outside = Files.writeString(tmp.resolve("precious.txt"), "not the ledger's\n");
    Files.createSymbolicLink(stored(), outside);

    Cli.Result r = release(bot.key(), "--certificate", bot.chain());

    assertRefusedNaming(r, stored(), "symbolic link");
    assertThat(Files.readString(outside)).isEqualTo("not the ledger's\n");
  }

  @Test
  void run_badCertificate_theCommandNeverRuns() throws Exception {
    World.Signer other = w.certified("acme/other", leaf("CN=other, O=ACME"), ca);
    Path marker = tmp.resolve("ran");

    Cli.Result r = Cli.run("run", "training", "--ledger", ledger, "--chain", "acme/m", "--key", bot.key(),
        "--certificate", other.chain(), "--", "touch", marker.toString());

    assertRefusedNaming(r, other.chain(), "not for the signing key");
    assertThat(marker).doesNotExist();
  }

  @Test
  void run_withCertificate_storesTheChainBeforeTheEntry() throws Exception {
    Path out = tmp.resolve("out.txt");

    Cli.Result r = Cli.run("run", "training", "--ledger", ledger, "--chain", "acme/m", "--key", bot.key(),
        "--certificate", bot.chain(), "--output", "log=" + out, "--", "sh", "-c", "echo trained > " + out);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(stored()).exists();
    assertThat(w.verify(policy, List.of(ledger)).code()).isZero();
  }

  @Test
  void batch_withCertificate_storesOnceAndRecordsEveryLine() throws Exception {
    String line = "{\"chain\":\"acme/m\",\"kind\":\"annotation\",\"text\":\"note %d\"}\n";
    Path batch = write("batch.jsonl", (line.formatted(1) + line.formatted(2)).getBytes(StandardCharsets.UTF_8));

    Cli.Result r = Cli.run("record", "--batch", batch, "--ledger", ledger, "--key", bot.key(), "--certificate",
        bot.chain());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(entries()).hasSize(2);
    assertThat(stored()).exists();
    assertThat(w.verify(policy, List.of(ledger)).code()).isZero();
  }

  @Test
  void batch_badCertificate_recordsNothing() throws Exception {
    World.Signer other = w.certified("acme/other", leaf("CN=other, O=ACME"), ca);
    Path batch = write("batch.jsonl", "{\"chain\":\"acme/m\",\"kind\":\"annotation\",\"text\":\"n\"}\n"
        .getBytes(StandardCharsets.UTF_8));

    Cli.Result r = Cli.run("record", "--batch", batch, "--ledger", ledger, "--key", bot.key(), "--certificate",
        other.chain());

    assertRefusedNaming(r, other.chain(), "not for the signing key");
  }

  // ---------------------------------------------------------------- an insider edits the stored chain afterwards

  @Test
  void verify_storedChainReplacedByOneFromAnotherCa_isCertificateInvalid() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    Issued evilRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME")); // same name, other key
    Issued evil = TestPki.issue(evilRoot, bot.issued().keys(), Spec.leaf("CN=release-bot, O=ACME"));
    Files.write(stored(), TestPki.chain(evil, evilRoot));

    Cli.Result v = w.verify(policy, List.of(ledger));

    assertThat(v.code()).isEqualTo(1);
    assertThat(World.codes(v, "ERROR")).containsExactly("CERTIFICATE_INVALID");
  }

  @Test
  void verify_storedChainDeleted_entriesAreNoLongerAttributable() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    Files.delete(stored());

    Cli.Result v = w.verify(policy, List.of(ledger));

    assertThat(v.code()).isEqualTo(1);
    assertThat(World.codes(v, "ERROR")).containsExactly("KEY_UNTRUSTED");
  }

  @Test
  void verify_storedChainTruncated_isCertificateInvalid() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    byte[] chain = Files.readAllBytes(stored());
    Files.write(stored(), Arrays.copyOf(chain, chain.length / 3));

    Cli.Result v = w.verify(policy, List.of(ledger));

    assertThat(v.code()).isEqualTo(1);
    assertThat(World.codes(v, "ERROR")).containsExactly("CERTIFICATE_INVALID");
  }

  @Test
  void verify_storedChainReplacedBySymlink_isRefusedWithExit2() throws Exception {
    assertThat(release(bot.key(), "--certificate", bot.chain()).code()).isZero();
    Files.delete(stored());
    Files.createSymbolicLink(stored(), bot.chain());

    Cli.Result v = w.verify(policy, List.of(ledger));

    assertThat(v.code()).as(v.toString()).isEqualTo(2);
    assertThat(v.err()).contains("symbolic link");
  }
}
