package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model manifests, certificate chains and publishers' OpenSSF signatures in a PostgreSQL ledger, through the
 * real CLI on a real server: {@code record MODEL_DIR}, {@code --certificate}, {@code --input-signature},
 * {@code run}, {@code compare --record} on a URL, the
 * same {@code verify --model} verdicts as a file ledger, {@code migrate} both ways byte for byte — and a
 * row deleted or edited by someone with database access, reported with the file ledger's finding codes.
 */
class PostgresArtifactsCliTest {
  private static final String ORIGIN = "example.com/artifacts";
  static Issued root;
  static Issued ca;

  @TempDir Path tmp;
  private World w;
  private PostgresUrl db;
  /** The URL writers use: the database and the log key file. */
  private String url;
  private Path logKey;
  private Path vkey;
  private World.Signer rel;
  private Path model;
  private Path fileLedger;

  @BeforeAll
  static void pki() {
    root = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME"));
    ca = TestPki.issue(root, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));
  }

  @BeforeEach
  void setUp() throws Exception {
    w = new World(tmp);
    db = PgServer.shared().newDatabase();
    logKey = tmp.resolve("log.key");
    Cli.Result init = Cli.ok("init", "--store", db.text(), "--log-private-key", logKey, "--origin", ORIGIN,
        "--checkpoint-interval", "0");
    vkey = Files.writeString(tmp.resolve("log.vkey"), init.out().lines().filter(l -> l.startsWith("log key"))
        .findFirst().orElseThrow().replaceFirst("log key +", "").replaceFirst(" .*", "") + "\n");
    url = db.text() + "?logKey=" + logKey;
    rel = w.certified("acme/release-bot", TestPki.issue(ca, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)))), ca);
    model = tmp.resolve("model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("config.json"), "{\"layers\":2}");
    Files.write(model.resolve("weights.bin"), new byte[100_000]);
    Files.writeString(model.resolve("sub/tokenizer.json"), "{}");
    fileLedger = w.ledger("file-ledger");
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** Each row of {@code query} as (first column as hex or text) → second column's bytes. */
  private Map<String, byte[]> rows(String query) throws SQLException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); PreparedStatement ps = c.prepareStatement(query);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Object k = rs.getObject(1);
        out.put(k instanceof byte[] b ? dev.custody.core.Bytes.copyOf(b).hex() : k.toString(), rs.getBytes(2));
      }
    }
    return out;
  }

  /** {@code record release --output model=MODEL --version 1} into {@code ledger}, with {@code extra} options. */
  private Cli.Result release(Object ledger, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("record", "release", "--ledger", ledger, "--chain", "acme/m", "--key",
        rel.key(), "--output", "model=" + model, "--version", "1"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  /** {@code verify --model MODEL --chain acme/m --format json} of {@code ledger} trusting the release bot's key. */
  private Cli.Result verifyModel(Object ledger, Path logVkey, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", tmp.resolve("keys"), "--log-key",
        logVkey, "--chain", "acme/m", "--model", model, "--format", "json"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  /** The verdict of a report: exit code and every finding's code, in order. */
  private static List<String> verdict(Cli.Result r) {
    List<String> out = new ArrayList<>(List.of("exit " + r.code()));
    for (JsonNode f : r.json().get("findings")) {
      out.add(f.get("code").textValue());
    }
    return out;
  }

  private Cli.Result verifyFile() {
    return verifyModel(fileLedger, fileLedger.resolve("log/vkey"));
  }

  private Cli.Result verifyUrl() {
    return verifyModel(db.text(), vkey);
  }

  private String manifestHex(Object ledger, String entry) {
    JsonNode out = Cli.ok("show", entry, "--ledger", ledger, "--json").json().findValue("outputs").get(0);
    return out.get("annotations").get(ManifestFiles.ANNOTATION).textValue().substring("sha256:".length());
  }

  @Test
  void verifyModel_sameModelInAFileAndAUrlLedger_sameVerdicts() throws Exception {
    assertThat(release(fileLedger).code()).isZero();
    Cli.Result r = release(url);
    assertThat(r.code()).as(r.toString()).isZero();

    List<String> intact = verdict(verifyFile());
    assertThat(verdict(verifyUrl())).isEqualTo(intact).contains("exit 0", "ARTIFACT_VERIFIED");
    assertThat(rows("select digest, manifest from custody_manifests").values()).singleElement()
        .isEqualTo(Files.readAllBytes(ManifestFiles.path(fileLedger,
            dev.custody.core.Digest.parse("sha256:" + manifestHex(fileLedger, "acme/m:0")))));

    Files.write(model.resolve("weights.bin"), new byte[] {1, 2, 3});
    Files.writeString(model.resolve("notes.txt"), "added later");
    List<String> altered = verdict(verifyFile());
    assertThat(verdict(verifyUrl())).isEqualTo(altered)
        .contains("exit 1", "ARTIFACT_FILE_CHANGED", "ARTIFACT_FILE_EXTRA", "ARTIFACT_ROOT_MISMATCH");
  }

  @Test
  void verifyModel_manifestRowDeleted_reportedAsAFileLedgerReportsItsFileDeleted() throws Exception {
    release(fileLedger);
    release(url);
    Files.delete(ManifestFiles.path(fileLedger, dev.custody.core.Digest.parse("sha256:"
        + manifestHex(fileLedger, "acme/m:0"))));
    sql("delete from custody_manifests");

    List<String> file = verdict(verifyFile());
    List<String> viaUrl = verdict(verifyUrl());

    assertThat(viaUrl).isEqualTo(file).contains("ARTIFACT_MANIFEST_MISSING");
  }

  @Test
  void verifyModel_manifestRowEditedWithTheCheckDropped_reportedInvalidExit1AsAFileLedger() throws Exception {
    release(fileLedger);
    release(url);
    Path file = ManifestFiles.path(fileLedger, dev.custody.core.Digest.parse("sha256:"
        + manifestHex(fileLedger, "acme/m:0")));
    byte[] edited = Files.readString(file).replace("weights.bin", "weights.bix").getBytes();
    Files.write(file, edited);
    // The table's check refuses the edit; a DBA who drops it can make it.
    assertThatThrownBy(() -> sql("update custody_manifests set manifest = convert_to(replace(convert_from(manifest,"
        + " 'UTF8'), 'weights.bin', 'weights.bix'), 'UTF8')")).isInstanceOf(SQLException.class)
        .hasMessageContaining("custody_manifests_check");
    sql("alter table custody_manifests drop constraint custody_manifests_check");
    sql("update custody_manifests set manifest = convert_to(replace(convert_from(manifest, 'UTF8'), 'weights.bin',"
        + " 'weights.bix'), 'UTF8')");

    List<String> viaFile = verdict(verifyFile());
    List<String> viaUrl = verdict(verifyUrl());

    assertThat(viaUrl).isEqualTo(viaFile).contains("exit 1", "ARTIFACT_MANIFEST_INVALID");
  }

  @Test
  void verifyModel_manifestRowsSwappedWithTheChecksDropped_reportedInvalidExit1() throws Exception {
    release(url);
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("w.bin"), "other");
    Cli.ok("record", "training", "--ledger", url, "--chain", "acme/o", "--key", rel.key(), "--output", "model=" + other);
    sql("alter table custody_manifests drop constraint custody_manifests_check");
    sql("alter table custody_manifests drop constraint custody_manifests_pkey");
    sql("update custody_manifests set manifest = (select manifest from custody_manifests where digest <> m.digest)"
        + " from custody_manifests m where m.digest = custody_manifests.digest");

    Cli.Result r = verifyUrl();

    assertThat(verdict(r)).contains("exit 1", "ARTIFACT_MANIFEST_INVALID");
  }

  /** A policy that trusts ACME's root and names the release bot by its certificate. */
  private Path policy() {
    return w.policy("policy.yaml", """
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

  private Cli.Result verifyWithPolicy(Object ledger) {
    return Cli.run("verify", "--policy", policy(), "--ledger", ledger, "--log-key", vkey, "--format", "json");
  }

  @Test
  void recordCertificate_url_chainStoredOnceAndTheVerifierNamesTheIdentity() throws Exception {
    Cli.Result r = release(url, "--certificate", rel.chain());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(rows("select key_id, chain from custody_certificates")).containsOnlyKeys(rel.keyId());
    assertThat(rows("select key_id, chain from custody_certificates").get(rel.keyId()))
        .isEqualTo(Files.readAllBytes(rel.chain()));
    Cli.Result v = verifyWithPolicy(db.text());
    assertThat(v.code()).as(v.toString()).isZero();
    // The same chain again is no change.
    assertThat(release(url, "--certificate", rel.chain()).code()).isZero();
  }

  @Test
  void recordCertificate_urlWithAnotherChainForTheKey_refusedExit2NothingRecorded() throws Exception {
    assertThat(release(url, "--certificate", rel.chain()).code()).isZero();
    Issued renewed = TestPki.issue(ca, rel.issued().keys(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(400))));
    Path other = Files.write(tmp.resolve("renewed.pem"), TestPki.chain(renewed, ca));

    Cli.Result r = release(url, "--certificate", other);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("custody_certificates row " + rel.keyId()).contains("a different certificate chain");
    assertThat(Cli.ok("log", "--ledger", db.text()).out().lines()).hasSize(1);
    assertThat(rows("select key_id, chain from custody_certificates").get(rel.keyId()))
        .isEqualTo(Files.readAllBytes(rel.chain()));
  }

  @Test
  void verify_certificateRowDeleted_failsExit1() throws Exception {
    release(url, "--certificate", rel.chain());
    sql("delete from custody_certificates");

    Cli.Result v = verifyWithPolicy(db.text());

    assertThat(v.code()).as(v.toString()).isEqualTo(1);
  }

  @Test
  void recordBatch_urlWithCertificate_chainStoredBeforeTheEntries() throws Exception {
    Path batch = Files.writeString(tmp.resolve("b.jsonl"), "{\"chain\":\"acme/m\",\"kind\":\"annotation\",\"text\":\"a\"}\n"
        + "{\"chain\":\"acme/m\",\"kind\":\"annotation\",\"text\":\"b\"}\n");

    Cli.Result r = Cli.run("record", "--ledger", url, "--key", rel.key(), "--certificate", rel.chain(), "--batch", batch);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(rows("select key_id, chain from custody_certificates")).containsOnlyKeys(rel.keyId());
    Cli.Result v = verifyWithPolicy(db.text());
    assertThat(v.code()).as(v.toString()).isZero();
  }

  private static final Path OMS = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");

  /** The base model the OpenSSF vector {@code v1.0.1-elliptic-key} signs (its files, not its signature). */
  private Path signedBase() throws Exception {
    Path base = tmp.resolve("base");
    if (!Files.isDirectory(base)) {
      Files.createDirectories(base);
      for (String f : List.of("signme-1", "signme-2")) {
        Files.copy(OMS.resolve("v1.0.1-elliptic-key").resolve(f), base.resolve(f));
      }
    }
    return base;
  }

  /** {@code record fine-tune --input base=BASE --input-signature model.sig --input-key PEM} into {@code ledger}. */
  private Cli.Result recordSigned(Object ledger, Path publicKey) throws Exception {
    return Cli.run("record", "fine-tune", "--ledger", ledger, "--chain", "acme/ft", "--key", rel.key(), "--input",
        "base=" + signedBase(), "--input-signature", OMS.resolve("v1.0.1-elliptic-key/model.sig"), "--input-key",
        publicKey, "--output", "model=sha256:" + "ab".repeat(32));
  }

  /** {@code verify --chain acme/ft --format json} of {@code ledger}, trusting the recorder's key. */
  private List<String> verifySigned(Object ledger, Path logVkey) {
    return verdict(Cli.run("verify", "--ledger", ledger, "--trust", tmp.resolve("keys"), "--log-key", logVkey,
        "--chain", "acme/ft", "--format", "json"));
  }

  @Test
  void recordInputSignature_urlAndDirectory_sameVerdictsAndTheFilesKeptAsRowsByteForByte() throws Exception {
    Path publicKey = OMS.resolve("keys/signing-key-pub.pem");
    assertThat(recordSigned(fileLedger, publicKey).code()).isZero();

    Cli.Result r = recordSigned(url, publicKey);

    assertThat(r.code()).as(r.toString()).isZero();
    List<String> onDir = verifySigned(fileLedger, fileLedger.resolve("log/vkey"));
    assertThat(onDir).contains("exit 0", "INPUT_SIGNATURE_VERIFIED");
    assertThat(verifySigned(db.text(), vkey)).isEqualTo(onDir);
    Map<String, byte[]> files = files(fileLedger.resolve("oms-signatures"));
    assertThat(files).hasSize(2);
    assertThat(rows("select name, bytes from custody_oms_signatures")).usingRecursiveComparison().isEqualTo(files);
    // The same signature again: the rows are kept, one each.
    assertThat(recordSigned(url, publicKey).code()).isZero();
    assertThat(rows("select name, bytes from custody_oms_signatures")).usingRecursiveComparison().isEqualTo(files);
  }

  @Test
  void recordInputSignature_urlWithAKeyThatDidNotSign_exit1NothingRecordedNoRows() throws Exception {
    Cli.Result r = recordSigned(url, OMS.resolve("../dsse/keys/spec-p256-public.pem"));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("does not verify").contains("nothing was recorded");
    assertThat(Cli.ok("log", "--ledger", db.text()).out()).isBlank();
    assertThat(rows("select name, bytes from custody_oms_signatures")).isEmpty();
  }

  @Test
  void verify_urlSignatureRowDeleted_inputSignatureMissingAsInADirectory() throws Exception {
    Path publicKey = OMS.resolve("keys/signing-key-pub.pem");
    recordSigned(fileLedger, publicKey);
    assertThat(recordSigned(url, publicKey).code()).isZero();
    try (Stream<Path> s = Files.list(fileLedger.resolve("oms-signatures"))) {
      Files.delete(s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow());
    }
    sql("delete from custody_oms_signatures where name like '%.json'");

    List<String> onDir = verifySigned(fileLedger, fileLedger.resolve("log/vkey"));

    assertThat(onDir).contains("exit 1", "INPUT_SIGNATURE_MISSING");
    assertThat(verifySigned(db.text(), vkey)).isEqualTo(onDir);
  }

  @Test
  void verify_urlSignatureRowEditedWithTheCheckDropped_inputSignatureInvalidAsInADirectory() throws Exception {
    Path publicKey = OMS.resolve("keys/signing-key-pub.pem");
    recordSigned(fileLedger, publicKey);
    assertThat(recordSigned(url, publicKey).code()).isZero();
    Path sig;
    try (Stream<Path> s = Files.list(fileLedger.resolve("oms-signatures"))) {
      sig = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.writeString(sig, Files.readString(sig).replace("\"mediaType\"", " \"mediaType\""));
    String edit = "update custody_oms_signatures set bytes = convert_to(replace(convert_from(bytes, 'UTF8'),"
        + " '\"mediaType\"', ' \"mediaType\"'), 'UTF8') where name like '%.json'";
    // The table's check refuses the edit; a DBA who drops it can make it.
    assertThatThrownBy(() -> sql(edit)).isInstanceOf(SQLException.class)
        .hasMessageContaining("custody_oms_signatures_check");
    sql("alter table custody_oms_signatures drop constraint custody_oms_signatures_check");
    sql(edit);

    List<String> onDir = verifySigned(fileLedger, fileLedger.resolve("log/vkey"));

    assertThat(onDir).contains("exit 1", "INPUT_SIGNATURE_INVALID");
    assertThat(verifySigned(db.text(), vkey)).isEqualTo(onDir);
    assertThat(rows("select name, bytes from custody_oms_signatures").get(sig.getFileName().toString()))
        .isEqualTo(Files.readAllBytes(sig));
  }

  @Test
  void recordInputSignature_urlSignatureRowEditedWithTheCheckDropped_refusedNamingTheRowNothingRecorded()
      throws Exception {
    Path publicKey = OMS.resolve("keys/signing-key-pub.pem");
    assertThat(recordSigned(url, publicKey).code()).isZero();
    sql("alter table custody_oms_signatures drop constraint custody_oms_signatures_check");
    sql("update custody_oms_signatures set bytes = '\\x7b7d' where name like '%.json'");

    Cli.Result r = recordSigned(url, publicKey);

    assertThat(r.code()).as(r.toString()).isNotZero();
    assertThat(r.err()).contains("custody_oms_signatures row sha256-").contains("holds other bytes")
        .contains("nothing was recorded");
    assertThat(Cli.ok("log", "--ledger", db.text()).out().lines()).hasSize(1);
  }

  private static Map<String, byte[]> files(Path dir) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.toList()) {
          out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  @Test
  void migrate_directoryWithManifestsAndChainsToUrlAndBack_byteIdenticalAndVerifies() throws Exception {
    Path dir = tmp.resolve("dir");
    Path dirKey = tmp.resolve("dir-log.key");
    Cli.ok("init", "--ledger", dir, "--origin", "example.com/dir", "--checkpoint-interval", "0",
        "--log-private-key", dirKey);
    assertThat(release(dir, "--certificate", rel.chain()).code()).isZero();
    Cli.ok("record", "training", "--ledger", dir, "--chain", "acme/t", "--key", rel.key(), "--output",
        "weights=" + model.resolve("weights.bin"), "--manifest");
    PostgresUrl target = PgServer.shared().newDatabase();

    Cli.ok("migrate", "--from", dir, "--to", target.text());
    Path back = tmp.resolve("back");
    Cli.ok("migrate", "--from", target.text(), "--to", back, "--log-private-key", dirKey);

    assertThat(files(dir.resolve(ManifestFiles.DIR))).hasSize(2);
    assertThat(files(back.resolve(ManifestFiles.DIR))).usingRecursiveComparison()
        .isEqualTo(files(dir.resolve(ManifestFiles.DIR)));
    assertThat(files(back.resolve(CertificateFiles.DIR))).containsOnlyKeys(rel.keyId() + ".pem")
        .usingRecursiveComparison().isEqualTo(files(dir.resolve(CertificateFiles.DIR)));
    assertThat(Cli.records(back)).isEqualTo(Cli.records(dir));
    Cli.Result viaUrl = Cli.run("verify", "--policy", policy(), "--ledger", target.text(), "--log-key",
        dir.resolve("log/vkey"), "--chain", "acme/m", "--model", model, "--format", "json");
    assertThat(viaUrl.code()).as(viaUrl.toString()).isZero();
    assertThat(verdict(viaUrl)).contains("ARTIFACT_VERIFIED");
  }

  @Test
  void run_url_outputManifestAndCertificateKeptAndTheModelVerifies() throws Exception {
    Path out = tmp.resolve("out");

    Cli.Result r = Cli.run("run", "training", "--ledger", url, "--chain", "acme/m", "--key", rel.key(),
        "--certificate", rel.chain(), "--output", "model=" + out, "--json", "--", "cp", "-r", model.toString(),
        out.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(rows("select digest, manifest from custody_manifests")).hasSize(1);
    assertThat(rows("select key_id, chain from custody_certificates")).containsOnlyKeys(rel.keyId());
    Cli.Result v = Cli.run("verify", "--policy", policy(), "--ledger", db.text(), "--log-key", vkey, "--model", out,
        "--entry", "acme/m:0", "--format", "json");
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(verdict(v)).contains("ARTIFACT_VERIFIED");
  }

  @Test
  void run_urlCommandFails_nothingRecordedButTheInputManifestIsHarmless() throws Exception {
    Cli.Result r = Cli.run("run", "training", "--ledger", url, "--chain", "acme/m", "--key", rel.key(),
        "--input", "base=" + model, "--", "false");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(Cli.ok("log", "--ledger", db.text()).out()).isBlank();
    // The input's manifest was kept before the command ran: a blob no entry names claims nothing.
    assertThat(rows("select digest, manifest from custody_manifests")).hasSize(1);
    Cli.Result v = Cli.run("verify", "--ledger", db.text(), "--trust", tmp.resolve("keys"), "--log-key", vkey);
    assertThat(v.code()).as(v.toString()).isZero();
  }

  @Test
  void compareRecord_url_comparisonSignedWithBothManifestsKept() throws Exception {
    Path a = w.model("a", 1, 0f);
    Path b = w.model("b", 1, 0.01f);

    Cli.Result r = Cli.run("compare", a, b, "--record", "--ledger", url, "--chain", "acme/cmp", "--key", rel.key(),
        "--json");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(rows("select digest, manifest from custody_manifests")).hasSize(2);
    JsonNode inputs = Cli.ok("show", "acme/cmp:0", "--ledger", db.text(), "--json").json().findValue("inputs");
    assertThat(inputs.get(0).get("digest").textValue()).isEqualTo(World.digest(a));
    assertThat(inputs.get(1).get("digest").textValue()).isEqualTo(World.digest(b));
    Cli.Result v = Cli.run("verify", "--ledger", db.text(), "--trust", tmp.resolve("keys"), "--log-key", vkey);
    assertThat(v.code()).as(v.toString()).isZero();
  }

  @Test
  void export_url_bundleFromTheReadOnlyCopyCarriesTheManifestAndChainAndVerifies() throws Exception {
    assertThat(release(url, "--certificate", rel.chain()).code()).isZero();
    Path bundle = tmp.resolve("release.bundle");

    Cli.Result r = Cli.run("export", "--ledger", db.text(), "--chain", "acme/m", "--out", bundle);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("1 manifests, 1 certificate chains");
    assertThat(r.err()).contains("to export them there");
    Cli.Result v = Cli.run("verify", "--policy", policy(), "--bundle", bundle, "--log-key", vkey, "--chain", "acme/m",
        "--model", model, "--format", "json");
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(verdict(v)).contains("ARTIFACT_VERIFIED");
  }

  @Test
  void migrate_directoryWithAnOmsSignedBaseModel_signatureCarriedBothWaysAndReCheckedOnTheUrl() throws Exception {
    Path oms = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
    Path base = Files.createDirectories(tmp.resolve("base"));
    for (String f : List.of("signme-1", "signme-2")) {
      Files.copy(oms.resolve("v1.0.1-elliptic-key").resolve(f), base.resolve(f));
    }
    Path dir = tmp.resolve("dir");
    Cli.ok("init", "--ledger", dir, "--origin", "example.com/oms", "--checkpoint-interval", "0");
    Cli.ok("record", "fine-tune", "--ledger", dir, "--chain", "acme/ft", "--key", rel.key(), "--input", "base=" + base,
        "--input-signature", oms.resolve("v1.0.1-elliptic-key/model.sig"), "--input-key",
        oms.resolve("keys/signing-key-pub.pem"), "--output", "model=sha256:" + "ab".repeat(32));
    PostgresUrl target = PgServer.shared().newDatabase();

    Cli.ok("migrate", "--from", dir, "--to", target.text());
    Path back = tmp.resolve("back");
    Cli.ok("migrate", "--from", target.text(), "--to", back);

    Path sigs = dir.resolve("oms-signatures");
    assertThat(files(sigs)).hasSize(2);
    assertThat(files(back.resolve("oms-signatures"))).usingRecursiveComparison().isEqualTo(files(sigs));
    Object[] trust = {"--trust", tmp.resolve("keys"), "--log-key", dir.resolve("log/vkey"), "--format", "json"};
    List<String> onDir = verdict(Cli.run(concat("verify", "--ledger", dir, trust)));
    assertThat(onDir).contains("INPUT_SIGNATURE_VERIFIED");
    assertThat(verdict(Cli.run(concat("verify", "--ledger", target.text(), trust)))).isEqualTo(onDir);
    // The URL's verdict comes from the rows: without them, the signature is missing there too.
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(target)); Statement s = c.createStatement()) {
      s.execute("delete from custody_oms_signatures");
    }
    assertThat(verdict(Cli.run(concat("verify", "--ledger", target.text(), trust)))).contains("INPUT_SIGNATURE_MISSING");
  }

  private static Object[] concat(String command, String option, Object ledger, Object[] rest) {
    List<Object> a = new ArrayList<>(List.of(command, option, ledger));
    a.addAll(List.of(rest));
    return a.toArray();
  }
}
