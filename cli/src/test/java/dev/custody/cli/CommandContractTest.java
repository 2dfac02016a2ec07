package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command surface of issue 2 as a contract: options, outputs and exit codes of every command,
 * through the real CLI on real files. Failing commands must exit 2, name the offending file or
 * value, and leave the ledger byte for byte as it was.
 */
class CommandContractTest {
  static final String CHAIN = "acme/falcon-7b";

  @TempDir static Path root;
  static Path keys;
  static Path key;
  static Path base;

  @TempDir Path work;

  @BeforeAll
  static void setUp() {
    keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    key = keys.resolve("alice.key");
    base = root.resolve("base");
    Cli.ok("init", "--ledger", base);
    Cli.ok("record", "training", "--ledger", base, "--chain", CHAIN, "--key", key,
        "--output", "model=sha256:" + "ab".repeat(32));
  }

  /** A fresh copy of a ledger holding one entry (so its lock file and segment already exist). */
  private Path ledger() {
    return Cli.copyTree(base, work.resolve("ledger"));
  }

  private static JsonNode show(Path ledger, String which) {
    return Cli.ok("show", which, "--ledger", ledger, "--json").json();
  }

  // ------------------------------------------------------------------ help and usage

  @ParameterizedTest
  @ValueSource(strings = {"", "keys", "keys generate", "init", "record", "log", "chains", "show", "verify", "demo",
      "checkpoint", "info", "prove", "prove inclusion", "prove consistency"})
  void help_everyCommand_exitsZeroWithUsage(String command) {
    List<Object> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of((Object[]) command.split(" ")));
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray());
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Usage: custody" + (command.isEmpty() ? "" : " " + command));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "keys", "keys generate", "init", "record", "log", "chains", "show", "verify", "demo",
      "checkpoint", "info", "prove", "prove inclusion", "prove consistency"})
  void run_unknownOption_exitsTwoNamingIt(String command) {
    List<Object> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of((Object[]) command.split(" ")));
    // Required options given, so that the unknown option is the only mistake.
    switch (command) {
      case "keys generate" -> args.addAll(List.of("--out", work));
      case "record" -> args.addAll(List.of("training", "--key", key, "--chain", CHAIN, "--ledger", base));
      case "show" -> args.addAll(List.of(CHAIN + ":0", "--ledger", base));
      case "verify" -> args.addAll(List.of("--trust", keys, "--ledger", base));
      case "prove inclusion" -> args.addAll(List.of(CHAIN + ":0", "--ledger", base));
      case "prove consistency" -> args.addAll(List.of("--from", "1", "--ledger", base));
      case "checkpoint", "info", "chains" -> args.addAll(List.of("--ledger", base));
      default -> { }
    }
    Map<String, String> before = Cli.snapshot(base);
    args.add("--no-such-option");
    Cli.Result r = Cli.run(args.toArray());
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("--no-such-option");
    assertThat(Cli.snapshot(base)).isEqualTo(before);
    assertThat(work).isEmptyDirectory();
  }

  @Test
  void run_noCommandOrUnknownCommand_exitsTwo() {
    assertThat(Cli.run().code()).isEqualTo(Main.BAD_INPUT);
    Cli.Result r = Cli.run("frobnicate");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("frobnicate");
  }

  @Test
  void version_printsVersion_exitsZero() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("custody ");
  }

  // ------------------------------------------------------------------ keys generate

  @Test
  void keysGenerate_newName_writesPrivateKey0600AndPublicKey() throws Exception {
    Cli.Result r = Cli.ok("keys", "generate", "--out", work, "--name", "bob", "--alg", "es256");
    Path priv = work.resolve("bob.key");
    Path pub = work.resolve("bob.pub");
    assertThat(Files.readString(priv)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
    assertThat(r.out()).contains(priv.toString()).contains("es256");
  }

  @Test
  void keysGenerate_defaultName_writesCustodyKey() {
    Cli.ok("keys", "generate", "--out", work);
    assertThat(work.resolve("custody.key")).isRegularFile();
    assertThat(work.resolve("custody.pub")).isRegularFile();
  }

  @Test
  void keysGenerate_existingKey_exitsTwoAndLeavesFilesUnchanged() {
    Cli.ok("keys", "generate", "--out", work, "--name", "k");
    Map<String, String> before = Cli.snapshot(work);
    Cli.Result r = Cli.run("keys", "generate", "--out", work, "--name", "k");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(work.resolve("k.pub").toString());
    assertThat(Cli.snapshot(work)).isEqualTo(before);
  }

  @Test
  void keysGenerate_onlyPrivateKeyExists_exitsTwoAndWritesNoPublicKey() throws Exception {
    Files.writeString(work.resolve("k.key"), "precious");
    Cli.Result r = Cli.run("keys", "generate", "--out", work, "--name", "k");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(work.resolve("k.key").toString());
    assertThat(Files.readString(work.resolve("k.key"))).isEqualTo("precious");
    assertThat(work.resolve("k.pub")).doesNotExist();
  }

  @Test
  void keysGenerate_unknownAlgorithm_exitsTwoNamingIt() {
    Cli.Result r = Cli.run("keys", "generate", "--out", work, "--alg", "rsa");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("'rsa'");
    assertThat(work).isEmptyDirectory();
  }

  // ------------------------------------------------------------------ init

  @Test
  void init_newDirectory_createsEmptyLedgerThatVerifies() {
    Path l = work.resolve("new/ledger");
    Cli.ok("init", "--ledger", l);
    assertThat(l.resolve("ledger.json")).isRegularFile();
    assertThat(Cli.ok("log", "--ledger", l, "--json").out()).isEmpty();
    Cli.Result v = Cli.run("verify", "--ledger", l, "--trust", keys.resolve("alice.pub"));
    assertThat(v.code()).as("%s", v).isZero();
  }

  @Test
  void init_existingLedger_exitsTwoAndLedgerUnchanged() {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("init", "--ledger", l);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(l.toString()).contains("already");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void init_nonEmptyDirectory_exitsTwoAndCreatesNothing() throws Exception {
    Path dir = Files.createDirectories(work.resolve("project"));
    Files.writeString(dir.resolve("README"), "not a ledger");
    Map<String, String> before = Cli.snapshot(dir);
    Cli.Result r = Cli.run("init", "--ledger", dir);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(dir.toString());
    assertThat(Cli.snapshot(dir)).isEqualTo(before);
    assertThat(dir.resolve("segments")).doesNotExist();
  }

  // ------------------------------------------------------------------ record

  @Test
  void record_json_printsReferenceWhoseHashIsTheStoredRecord() throws Exception {
    Path l = ledger();
    JsonNode ref = Cli.ok("record", "evaluation", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--metric", "accuracy=0.91", "--json").json();
    assertThat(ref.get("chain").asText()).isEqualTo(CHAIN);
    assertThat(ref.get("sequence").asLong()).isEqualTo(1);
    assertThat(ref.get("logIndex").asLong()).isEqualTo(1);
    String record = Cli.records(l).get(1);
    assertThat(ref.get("hash").asText()).isEqualTo("sha256:" + Cli.sha256Hex(record.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void record_text_printsChainPositionAndHash() {
    Path l = ledger();
    Cli.Result r = Cli.ok("record", "annotation", "--ledger", l, "--chain", "x/y", "--key", key, "--text", "hi");
    assertThat(r.out()).contains("x/y:0").contains("log index 1").contains("sha256:");
  }

  @Test
  void record_inputFileAndDigest_hashesFileAndTakesDigest() throws Exception {
    Path l = ledger();
    byte[] content = "shard 0\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(work.resolve("shard0.jsonl"), content);
    String given = "sha256:" + "cd".repeat(32);
    Cli.ok("record", "dataset-ingest", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--input", "raw=" + file, "--input", "ref:config=" + given, "--output", "train-data=" + file,
        "--param", "split=train", "--env", "host=ci-7");
    JsonNode event = show(l, CHAIN + ":1").get("event");
    String fileDigest = "sha256:" + Cli.sha256Hex(content);
    assertThat(event.get("type").asText()).isEqualTo("dataset-ingest");
    assertThat(event.get("inputs")).extracting(a -> a.get("name").asText() + "/" + a.get("kind").asText() + "="
        + a.get("digest").asText()).containsExactly("raw/other=" + fileDigest, "ref/config=" + given);
    assertThat(event.get("outputs").get(0).get("digest").asText()).isEqualTo(fileDigest);
    assertThat(event.get("outputs").get(0).get("kind").asText()).isEqualTo("dataset");
    assertThat(event.get("parameters").get("split").asText()).isEqualTo("train");
    assertThat(event.get("environment").get("host").asText()).isEqualTo("ci-7");
  }

  @Test
  void record_kindSpecificOptions_appearInShowJson() {
    Path l = ledger();
    String subjectHash = show(l, CHAIN + ":0").get("hash").asText();
    Cli.ok("record", "release", "--ledger", l, "--chain", CHAIN, "--key", key, "--version", "1.2.0");
    Cli.ok("record", "evaluation", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--metric", "accuracy=0.910", "--metric", "f1=0.5");
    Cli.ok("record", "conversion", "--ledger", l, "--chain", CHAIN, "--key", key, "--method", "quantize-int8");
    Cli.ok("record", "custody-transfer", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--from", "acme", "--to", "medlab");
    Cli.ok("record", "approval", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--subject", CHAIN + ":0", "--reason", "looks right");
    Cli.ok("record", "annotation", "--ledger", l, "--chain", CHAIN, "--key", key, "--text", "model card v2");
    Cli.ok("record", "revocation", "--ledger", l, "--chain", CHAIN, "--key", key, "--subject", subjectHash);

    assertThat(show(l, CHAIN + ":1").get("event").get("version").asText()).isEqualTo("1.2.0");
    JsonNode metrics = show(l, CHAIN + ":2").get("event").get("metrics");
    assertThat(metrics.get("accuracy").decimalValue()).isEqualByComparingTo("0.91");
    assertThat(metrics.get("f1").decimalValue()).isEqualByComparingTo("0.5");
    assertThat(show(l, CHAIN + ":3").get("event").get("method").asText()).isEqualTo("quantize-int8");
    JsonNode transfer = show(l, CHAIN + ":4").get("event");
    assertThat(transfer.get("from").asText() + ">" + transfer.get("to").asText()).isEqualTo("acme>medlab");
    JsonNode approval = show(l, CHAIN + ":5").get("event");
    assertThat(approval.get("subject").asText()).isEqualTo(subjectHash);
    assertThat(approval.get("decision").asText()).isEqualTo("approved");
    assertThat(approval.get("reason").asText()).isEqualTo("looks right");
    assertThat(show(l, CHAIN + ":6").get("event").get("text").asText()).isEqualTo("model card v2");
    JsonNode revocation = show(l, CHAIN + ":7").get("event");
    assertThat(revocation.get("subject").asText()).isEqualTo(subjectHash);
    assertThat(revocation.get("decision").asText()).isEqualTo("revoked");
  }

  @Test
  void record_eventJson_takesEventFromFileAndAddsOptions() throws Exception {
    Path l = ledger();
    Path ev = Files.writeString(work.resolve("event.json"), "{\"type\":\"evaluation\",\"inputs\":[{\"name\":\"model\","
        + "\"kind\":\"model\",\"digest\":\"sha256:" + "ab".repeat(32) + "\"}],\"parameters\":{\"suite\":\"mmlu\"},"
        + "\"metrics\":{\"acc\":0.7},\"startedAt\":\"2026-01-01T00:00:00Z\"}");
    Cli.ok("record", "evaluation", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev,
        "--param", "shots=5");
    JsonNode event = show(l, CHAIN + ":1").get("event");
    assertThat(event.get("inputs").get(0).get("name").asText()).isEqualTo("model");
    assertThat(event.get("parameters").get("suite").asText()).isEqualTo("mmlu");
    assertThat(event.get("parameters").get("shots").asText()).isEqualTo("5");
    assertThat(event.get("metrics").get("acc").decimalValue()).isEqualByComparingTo("0.7");
    assertThat(event.get("startedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void record_eventJsonOfAnotherKind_exitsTwoNamingFileAndLedgerUnchanged() throws Exception {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    Path ev = Files.writeString(work.resolve("event.json"), "{\"type\":\"training\"}");
    Cli.Result r = Cli.run("record", "evaluation", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(ev.toString()).contains("training").contains("evaluation");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  // ------------------------------------------------------------------ log and show

  @Test
  void log_json_oneObjectPerEntryInLogOrder() {
    Path l = ledger();
    Cli.ok("record", "annotation", "--ledger", l, "--chain", "other/x", "--key", key, "--text", "a");
    Cli.ok("record", "release", "--ledger", l, "--chain", CHAIN, "--key", key, "--version", "1");
    List<JsonNode> entries = Cli.ok("log", "--ledger", l, "--json").jsonLines();
    assertThat(entries).extracting(e -> e.get("logIndex").asLong() + " " + e.get("chain").asText() + ":"
        + e.get("sequence").asLong() + " " + e.get("kind").asText())
        .containsExactly("0 " + CHAIN + ":0 training", "1 other/x:0 annotation", "2 " + CHAIN + ":1 release");
    List<String> records = Cli.records(l);
    for (JsonNode e : entries) {
      assertThat(e.get("hash").asText()).isEqualTo("sha256:"
          + Cli.sha256Hex(records.get(e.get("logIndex").asInt()).getBytes(StandardCharsets.UTF_8)));
    }
    List<JsonNode> chain = Cli.ok("log", "--ledger", l, "--json", "--chain", CHAIN).jsonLines();
    assertThat(chain).extracting(e -> e.get("logIndex").asLong()).containsExactly(0L, 2L);
    assertThat(Cli.ok("log", "--ledger", l).out().lines()).hasSize(3);
  }

  @Test
  void log_unknownChain_exitsTwoNamingIt() {
    Cli.Result r = Cli.run("log", "--ledger", base, "--chain", "no/such");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("no/such");
  }

  @Test
  void show_chainSeqAndHash_sameEntry() {
    Path l = ledger();
    JsonNode byPos = show(l, CHAIN + ":0");
    assertThat(byPos.get("chain").asText()).isEqualTo(CHAIN);
    assertThat(byPos.get("sequence").asLong()).isZero();
    assertThat(byPos.get("logIndex").asLong()).isZero();
    assertThat(byPos.get("record").asText()).isEqualTo(Cli.records(l).get(0));
    JsonNode byHash = show(l, byPos.get("hash").asText());
    assertThat(byHash).isEqualTo(byPos);
    Cli.Result text = Cli.ok("show", CHAIN + ":0", "--ledger", l);
    assertThat(text.out()).contains(byPos.get("hash").asText()).contains("\"type\" : \"training\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme/falcon-7b:9", "no/such:0", "acme/falcon-7b", "acme/falcon-7b:01",
      "sha256:0000000000000000000000000000000000000000000000000000000000000000"})
  void show_unknownOrMalformedEntry_exitsTwoNamingIt(String which) {
    Cli.Result r = Cli.run("show", which, "--ledger", base);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(which);
  }

  // ------------------------------------------------------------------ bad input leaves the ledger alone

  private void assertRejected(Path l, String mustName, Object... args) {
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run(args);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).as("%s", r).contains(mustName).doesNotContain("internal error");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void record_missingKeyFile_exitsTwoNamingFile() {
    Path l = ledger();
    Path missing = work.resolve("nobody.key");
    assertRejected(l, missing.toString(), "record", "training", "--ledger", l, "--chain", CHAIN, "--key", missing);
  }

  @Test
  void record_publicKeyAsKey_exitsTwoNamingFile() {
    Path l = ledger();
    Path pub = keys.resolve("alice.pub");
    assertRejected(l, pub.toString(), "record", "training", "--ledger", l, "--chain", CHAIN, "--key", pub);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:abc", "sha256:" + "AB" + "ab0000000000000000000000000000000000000000000000000000000000",
      "md5:d41d8cd98f00b204e9800998ecf8427e", "./no-such-file"})
  void record_badDigestOrMissingFile_exitsTwoNamingValue(String value) {
    Path l = ledger();
    assertRejected(l, value, "record", "training", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--input", "model=" + value);
  }

  @Test
  void record_unknownKind_exitsTwoNamingIt() {
    Path l = ledger();
    assertRejected(l, "'pretraining'", "record", "pretraining", "--ledger", l, "--chain", CHAIN, "--key", key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/acme", "acme//x", "acme/../x", "-acme", "acme x"})
  void record_badChainId_exitsTwoNamingIt(String chain) {
    Path l = ledger();
    assertRejected(l, "'" + chain + "'", "record", "training", "--ledger", l, "--chain", chain, "--key", key);
  }

  @Test
  void record_badMetric_exitsTwoNamingIt() {
    Path l = ledger();
    assertRejected(l, "acc=high", "record", "evaluation", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--metric", "acc=high");
  }

  @Test
  void record_subjectNotInLedger_exitsTwoNamingIt() {
    Path l = ledger();
    assertRejected(l, CHAIN + ":5", "record", "approval", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--subject", CHAIN + ":5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"record", "log", "show", "verify"})
  void command_notALedger_exitsTwoNamingDirectory(String command) throws Exception {
    Path dir = Files.createDirectories(work.resolve("plain"));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    Path missing = work.resolve("absent");
    for (Path l : List.of(dir, missing)) {
      Object[] args = switch (command) {
        case "record" -> new Object[] {"record", "training", "--ledger", l, "--chain", CHAIN, "--key", key};
        case "show" -> new Object[] {"show", CHAIN + ":0", "--ledger", l};
        case "verify" -> new Object[] {"verify", "--ledger", l, "--trust", keys};
        default -> new Object[] {command, "--ledger", l};
      };
      assertRejected(dir, l.toString(), args);
      assertThat(missing).doesNotExist();
    }
  }

  @Test
  void verify_missingTrustPath_exitsTwoNamingIt() {
    Path trust = work.resolve("no-keys");
    Cli.Result r = Cli.run("verify", "--ledger", base, "--trust", trust);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(trust.toString());
  }

  @Test
  void verify_badFormat_exitsTwo() {
    Cli.Result r = Cli.run("verify", "--ledger", base, "--trust", keys, "--format", "xml");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("'xml'");
  }

  @Test
  void verify_singlePublicKeyFileAndChainFilter_exitsZero() {
    Cli.Result r = Cli.run("verify", "--ledger", base, "--trust", keys.resolve("alice.pub"), "--chain", CHAIN);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("VERIFIED: 1 entry in 1 chain");
  }

  @Test
  void verify_keyNotTrusted_exitsOne() throws Exception {
    Path other = work.resolve("other");
    Cli.ok("keys", "generate", "--out", other, "--name", "eve");
    Cli.Result r = Cli.run("verify", "--ledger", base, "--trust", other);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.out()).contains("KEY_UNTRUSTED");
  }

  // ------------------------------------------------------------------ demo

  @Test
  void demo_inGivenDirectory_exitsZero() {
    Path dir = work.resolve("demo");
    Cli.Result r = Cli.run("demo", "--dir", dir);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("VERIFIED").contains("FAILED").contains("(exit 1)");
    Cli.Result v = Cli.run("verify", "--ledger", dir.resolve("ledger"), "--trust", dir.resolve("keys"));
    assertThat(v.code()).as("%s", v).isZero();
  }
}
