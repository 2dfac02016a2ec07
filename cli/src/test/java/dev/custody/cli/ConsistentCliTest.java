package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "a consistent CLI", beside the JSON contract ({@link JsonContractTest}): new chains said
 * and refusable, "did you mean" for kinds and chains, {@code custody chains}, the hash options on
 * {@code record} and {@code run}, and {@code record --event-json} naming the kind itself.
 */
class ConsistentCliTest {
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
    Cli.ok("record", "annotation", "--ledger", base, "--chain", "acme/notes", "--key", key, "--text", "n");
    Cli.ok("record", "release", "--ledger", base, "--chain", CHAIN, "--key", key, "--version", "1");
  }

  private Path ledger() {
    return Cli.copyTree(base, work.resolve("ledger"));
  }

  // ------------------------------------------------------------------ new chains

  @Test
  void record_newChain_saysSoOnStderrNamingTheClosestChain() {
    Path l = ledger();
    Cli.Result r = Cli.ok("record", "annotation", "--ledger", l, "--chain", "acme/falcon7b", "--key", key, "--text",
        "x");
    assertThat(r.err()).contains("custody: starting a new chain 'acme/falcon7b'")
        .contains("did you mean '" + CHAIN + "'?");
    assertThat(r.out()).contains("acme/falcon7b:0");
  }

  @Test
  void record_existingChain_saysNothingOnStderr() {
    Path l = ledger();
    Cli.Result r = Cli.ok("record", "annotation", "--ledger", l, "--chain", CHAIN, "--key", key, "--text", "x",
        "--existing-chain");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void record_existingChainFlagAndNewChain_exitsTwoRecordingNothing() throws Exception {
    Path l = ledger();
    Path model = Files.createDirectories(work.resolve("model"));
    Files.writeString(model.resolve("w.bin"), "weights");
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "training", "--ledger", l, "--chain", "acme/falcon-7", "--key", key,
        "--output", "model=" + model, "--existing-chain");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("no chain 'acme/falcon-7'").contains("--existing-chain")
        .contains("did you mean '" + CHAIN + "'?");
    assertThat(Cli.snapshot(l)).isEqualTo(before); // not even the model's manifest
  }

  @Test
  void run_existingChainFlagAndNewChain_exitsTwoBeforeTheCommandRuns() {
    Path l = ledger();
    Path marker = work.resolve("ran");
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("run", "training", "--ledger", l, "--chain", "acme/falcon-8b", "--key", key,
        "--existing-chain", "--", "touch", marker);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("'acme/falcon-8b'").contains(CHAIN);
    assertThat(marker).doesNotExist();
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  private Path batchOf(String... chains) throws Exception {
    StringBuilder b = new StringBuilder();
    for (String c : chains) {
      b.append("{\"chain\":\"").append(c).append("\",\"kind\":\"annotation\",\"text\":\"x\"}\n");
    }
    return Files.writeString(work.resolve("chains.jsonl"), b.toString());
  }

  @Test
  void recordBatch_newChains_eachSaidOnceNamingItsLine() throws Exception {
    Path l = ledger();
    Path batch = batchOf(CHAIN, "acme/falcon7b", "acme/falcon7b", "acme/other");
    Cli.Result r = Cli.ok("record", "--ledger", l, "--key", key, "--batch", batch);
    assertThat(r.err()).contains("line 2: starting a new chain 'acme/falcon7b'")
        .contains("did you mean '" + CHAIN + "'?").contains("line 4: starting a new chain 'acme/other'");
    assertThat(r.err().split("acme/falcon7b'", -1)).hasSize(2); // said once, not for line 3
    assertThat(r.out().lines()).hasSize(4);
  }

  @Test
  void recordBatch_existingChainFlagAndANewChainOnLine3_exitsTwoRecordingNothing() throws Exception {
    Path l = ledger();
    Path batch = batchOf(CHAIN, "acme/notes", "acme/falcon-7", CHAIN);
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "--ledger", l, "--key", key, "--batch", batch, "--existing-chain");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("line 3: no chain 'acme/falcon-7'").contains("--existing-chain")
        .contains("nothing was recorded").contains("did you mean '" + CHAIN + "'?");
    assertThat(r.out()).isEmpty();
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void recordBatch_existingChainFlagAndKnownChains_recordsSayingNothing() throws Exception {
    Path l = ledger();
    Cli.Result r = Cli.ok("record", "--ledger", l, "--key", key, "--batch", batchOf(CHAIN, "acme/notes"),
        "--existing-chain");
    assertThat(r.err()).isEmpty();
    assertThat(r.out().lines()).hasSize(2);
  }

  @Test
  void run_newChain_saysSoBeforeTheCommandRuns() {
    Path l = ledger();
    Cli.Result r = Cli.ok("run", "training", "--ledger", l, "--chain", "acme/other", "--key", key, "--", "true");
    assertThat(r.err()).startsWith("custody: starting a new chain 'acme/other'");
  }

  // ------------------------------------------------------------------ did you mean

  @Test
  void record_misspelledKind_exitsTwoSuggestingTheBuiltInKindAndRecordsNothing() {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "fine-tuning", "--ledger", l, "--chain", CHAIN, "--key", key);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("'fine-tuning'").contains("did you mean 'fine-tune'?");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void record_customKindUri_isNotMistakenForATypo() {
    Path l = ledger();
    Cli.ok("record", "https://example.com/kinds/training", "--ledger", l, "--chain", CHAIN, "--key", key);
    assertThat(Cli.ok("show", CHAIN + ":2", "--ledger", l, "--json").json().get("event").get("type").asText())
        .isEqualTo("https://example.com/kinds/training");
  }

  @Test
  void log_misspelledChain_exitsTwoSuggestingTheChain() {
    Cli.Result r = Cli.run("log", "--ledger", base, "--chain", "acme/note");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("no chain 'acme/note'").contains("did you mean 'acme/notes'?");
  }

  @Test
  void unknownOption_jsonAfterIt_stillAnswersInJson() {
    Cli.Result r = Cli.run("log", "--ledger", base, "--chian", CHAIN, "--json");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    JsonNode e = Cli.MAPPER.valueToTree(parse(r.err())).get("error");
    assertThat(e.get("code").asText()).isEqualTo("USAGE");
    assertThat(e.get("didYouMean").get(0).asText()).isEqualTo("--chain");
  }

  private static JsonNode parse(String s) {
    try {
      return Cli.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  // ------------------------------------------------------------------ custody chains

  @Test
  void chains_json_oneLinePerChainWithItsNewestEntry() {
    List<JsonNode> chains = Cli.ok("chains", "--ledger", base, "--json").jsonLines();
    assertThat(chains).extracting(c -> c.get("chain").asText() + " " + c.get("entries").asLong() + " "
        + c.get("sequence").asLong() + " " + c.get("logIndex").asLong() + " " + c.get("kind").asText())
        .containsExactly("acme/falcon-7b 2 1 2 release", "acme/notes 1 0 1 annotation");
    JsonNode head = Cli.ok("show", CHAIN + ":1", "--ledger", base, "--json").json();
    assertThat(chains.get(0).get("hash")).isEqualTo(head.get("hash"));
    assertThat(chains.get(0).get("time")).isEqualTo(head.get("time"));
  }

  @Test
  void chains_text_oneLinePerChain() {
    Cli.Result r = Cli.ok("chains", "--ledger", base);
    assertThat(r.out().lines()).hasSize(2);
    assertThat(r.out()).contains("acme/falcon-7b:1").contains("release").contains("acme/notes:0");
  }

  @Test
  void chains_emptyLedger_printsNothing() {
    Path l = work.resolve("empty");
    Cli.ok("init", "--ledger", l);
    assertThat(Cli.ok("chains", "--ledger", l).out()).isEmpty();
  }

  // ------------------------------------------------------------------ record --event-json names the kind

  @Test
  void record_eventJsonWithType_needsNoKind() throws Exception {
    Path l = ledger();
    Path ev = Files.writeString(work.resolve("event.json"), "{\"type\":\"evaluation\",\"metrics\":{\"acc\":0.7}}");
    Cli.ok("record", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev);
    JsonNode event = Cli.ok("show", CHAIN + ":2", "--ledger", l, "--json").json().get("event");
    assertThat(event.get("type").asText()).isEqualTo("evaluation");
    assertThat(event.get("metrics").get("acc").decimalValue()).isEqualByComparingTo("0.7");
  }

  @Test
  void record_eventJsonWithoutTypeNorKind_exitsTwoAskingForEither() throws Exception {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    Path ev = Files.writeString(work.resolve("event.json"), "{\"parameters\":{\"a\":\"b\"}}");
    Cli.Result r = Cli.run("record", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("missing KIND").contains(ev.toString());
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void record_eventJsonWithMisspelledType_exitsTwoNamingFileAndKind() throws Exception {
    Path l = ledger();
    Path ev = Files.writeString(work.resolve("event.json"), "{\"type\":\"evalution\"}");
    Cli.Result r = Cli.run("record", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    JsonNode e = parse(r.err()).get("error");
    assertThat(e.get("file").asText()).isEqualTo(ev.toString());
    assertThat(e.get("didYouMean").get(0).asText()).isEqualTo("evaluation");
  }

  @Test
  void record_eventJsonWithNonStringType_exitsTwo() throws Exception {
    Path l = ledger();
    Path ev = Files.writeString(work.resolve("event.json"), "{\"type\":7}");
    Cli.Result r = Cli.run("record", "--ledger", l, "--chain", CHAIN, "--key", key, "--event-json", ev);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(ev.toString()).contains("\"type\"");
  }

  // ------------------------------------------------------------------ the hash options on record and run

  private Path modelWithLogs() throws Exception {
    Path m = Files.createDirectories(work.resolve("model"));
    Files.writeString(m.resolve("weights.bin"), "weights");
    Files.createDirectories(m.resolve("logs"));
    Files.writeString(m.resolve("logs/train.log"), "changes every run");
    return m;
  }

  private static String hash(Object... args) {
    return Cli.ok(args).out().strip();
  }

  @Test
  void record_ignorePaths_recordsTheDigestHashPrints() throws Exception {
    Path l = ledger();
    Path m = modelWithLogs();
    String withLogs = hash("hash", m, "--ledger", l);
    String withoutLogs = hash("hash", m, "--ledger", l, "--ignore-paths", "logs");
    assertThat(withoutLogs).isNotEqualTo(withLogs);
    JsonNode ref = Cli.ok("record", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--output",
        "model=" + m, "--ignore-paths", "logs", "--json").json();
    JsonNode out = Cli.ok("show", ref.get("hash").asText(), "--ledger", l, "--json").json().get("event")
        .get("outputs").get(0);
    assertThat(out.get("digest").asText()).isEqualTo(withoutLogs);
  }

  @Test
  void record_shardSerialization_recordsTheDigestHashPrints() throws Exception {
    Path l = ledger();
    Path m = modelWithLogs();
    String sharded = hash("hash", m, "--ledger", l, "--shard-size", "4");
    JsonNode ref = Cli.ok("record", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--output",
        "model=" + m, "--shard-size", "4", "--json").json();
    assertThat(Cli.ok("show", ref.get("hash").asText(), "--ledger", l, "--json").json().get("event").get("outputs")
        .get(0).get("digest").asText()).isEqualTo(sharded);
  }

  @Test
  void run_symlinkInModel_refusedUnlessAllowSymlinks() throws Exception {
    Path l = ledger();
    Path m = modelWithLogs();
    Path target = Files.writeString(work.resolve("outside.bin"), "linked");
    Files.createSymbolicLink(m.resolve("linked.bin"), target);
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result refused = Cli.run("run", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--input",
        "model=" + m, "--", "true");
    assertThat(refused.code()).as("%s", refused).isEqualTo(Main.BAD_INPUT);
    assertThat(refused.err()).contains("symbolic link");
    assertThat(Cli.snapshot(l)).isEqualTo(before);

    String followed = hash("hash", m, "--ledger", l, "--allow-symlinks");
    JsonNode ref = Cli.ok("run", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--input", "model=" + m,
        "--allow-symlinks", "--json", "--", "true").json();
    assertThat(Cli.ok("show", ref.get("hash").asText(), "--ledger", l, "--json").json().get("event").get("inputs")
        .get(0).get("digest").asText()).isEqualTo(followed);
  }

  @Test
  void record_batchWithHashOption_exitsTwoNamingIt() throws Exception {
    Path l = ledger();
    Path batch = Files.writeString(work.resolve("b.jsonl"), "{\"chain\":\"" + CHAIN + "\",\"kind\":\"annotation\","
        + "\"event\":{\"text\":\"x\"}}\n");
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "--ledger", l, "--key", key, "--batch", batch, "--ignore-paths", "logs");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("--ignore-paths");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void hash_sameOptionsAsBefore_unchangedDigest() throws Exception {
    Path m = modelWithLogs();
    // The options moved into a mixin shared with record and run: hash answers as it did.
    assertThat(hash("hash", m, "--ignore-paths", m.resolve("logs"))).isEqualTo(hash("hash", m, "--ignore-paths",
        "logs"));
    Cli.Result bad = Cli.run("hash", m, "--shard-size", "0");
    assertThat(bad.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(bad.err()).contains("--shard-size must be a positive number");
  }

  // ------------------------------------------------------------------ attempts on the JSON error contract

  @Test
  void run_jsonAfterDoubleDash_isTheCommandsArgumentNotCustodys() {
    Path l = ledger();
    Cli.Result r = Cli.run("run", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--", "sh", "-c",
        "exit 3", "sh", "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(3);
    assertThat(r.err()).startsWith("custody: command exited with 3; nothing recorded");
  }

  @Test
  void error_fileNameWithNewlineAndQuote_oneJsonLineWithTheNameEscaped() throws Exception {
    Path l = ledger();
    Path odd = work.resolve("it's\nnot.key");
    Cli.Result r = Cli.run("record", "training", "--ledger", l, "--chain", CHAIN, "--key", odd, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err().strip().lines()).hasSize(1);
    JsonNode e = parse(r.err()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("NO_SUCH_FILE");
    // Escaped as custody quotes untrusted text (the raw name could act on a terminal), never raw.
    assertThat(e.get("file").asText()).doesNotContain("\n").contains("it's\\u000Anot.key");
  }

  @Test
  void error_plainFileName_fileMemberIsThePathItself() {
    Path l = ledger();
    Path missing = work.resolve("nobody.key");
    JsonNode e = parse(Cli.run("record", "training", "--ledger", l, "--chain", CHAIN, "--key", missing, "--json")
        .err()).get("error");
    assertThat(e.get("file").asText()).isEqualTo(missing.toString());
  }

  @Test
  void misspelledRequiredOption_namesTheUnknownOptionFirstWithSuggestion() {
    Cli.Result r = Cli.run("record", "training", "--ledger", base, "--chian", CHAIN, "--kye", key);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).startsWith("custody: error: Unknown options: '--chian'").contains("Missing required option")
        .contains("Did you mean: --chain?");
  }

  @Test
  void record_existingChainOnEmptyLedger_exitsTwoSuggestingNothing() {
    Path l = work.resolve("empty");
    Cli.ok("init", "--ledger", l);
    Cli.Result r = Cli.run("record", "training", "--ledger", l, "--chain", CHAIN, "--key", key, "--existing-chain",
        "--json");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    JsonNode e = parse(r.err()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("NO_SUCH_CHAIN");
    assertThat(e.has("didYouMean")).isFalse();
    assertThat(Cli.ok("chains", "--ledger", l).out()).isEmpty();
  }

  @Test
  void verify_formatEqualsJson_errorsAreJsonToo() {
    Cli.Result r = Cli.run("verify", "--ledger", base, "--trust", work.resolve("none"), "--format=json");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(parse(r.err()).get("error").get("message").asText()).contains("none");
  }

  @Test
  void record_symlinkedFile_refusedNamingTheOptionThenFollowedWithIt() throws Exception {
    Path l = ledger();
    Path target = Files.writeString(work.resolve("data.jsonl"), "rows");
    Path link = Files.createSymbolicLink(work.resolve("data-link.jsonl"), target);
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result refused = Cli.run("record", "dataset-ingest", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--output", "data=" + link);
    assertThat(refused.code()).as("%s", refused).isEqualTo(Main.BAD_INPUT);
    assertThat(refused.err()).contains("symbolic links are refused unless --allow-symlinks");
    assertThat(Cli.snapshot(l)).isEqualTo(before);
    JsonNode ref = Cli.ok("record", "dataset-ingest", "--ledger", l, "--chain", CHAIN, "--key", key,
        "--output", "data=" + link, "--allow-symlinks", "--json").json();
    assertThat(Cli.ok("show", ref.get("hash").asText(), "--ledger", l, "--json").json().get("event").get("outputs")
        .get(0).get("digest").asText()).isEqualTo("sha256:" + Cli.sha256Hex("rows".getBytes()));
  }

  @Test
  void show_misspelledChainOfChainSeq_suggestsTheEntryInTheClosestChain() {
    Cli.Result r = Cli.run("show", "acme/falcon-7c:1", "--ledger", base, "--json");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    JsonNode e = parse(r.err()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("NO_SUCH_ENTRY");
    assertThat(e.get("entry").asText()).isEqualTo("acme/falcon-7c:1");
    assertThat(e.get("didYouMean").get(0).asText()).isEqualTo(CHAIN + ":1");
    Cli.Result text = Cli.run("prove", "inclusion", "acme/falcon-7c:1", "--ledger", base);
    assertThat(text.err()).contains("did you mean '" + CHAIN + ":1'?");
  }

  @Test
  void lineage_modelInNoEntry_errorNamesTheModelAsFile() throws Exception {
    Path m = modelWithLogs();
    Cli.Result r = Cli.run("lineage", m, "--ledger", base, "--trust", keys, "--json", "-q");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    JsonNode e = parse(r.err()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("NOT_IN_LEDGER");
    assertThat(e.get("file").asText()).isEqualTo(m.toString());
    assertThat(e.has("entry")).isFalse();
  }

  @Test
  void compareRecord_newChain_noticeNamesNoOptionCompareLacks() throws Exception {
    Path l = ledger();
    Path a = Files.createDirectories(work.resolve("a"));
    new dev.custody.core.safetensors.SafetensorsWriter().f32("w", new long[] {2}, new float[] {1, 2})
        .write(a.resolve("model.safetensors"));
    Cli.Result r = Cli.ok("compare", a, a, "--record", "--chain", "audit/cases", "--key", key, "--ledger", l);
    assertThat(r.err()).contains("starting a new chain 'audit/cases'").doesNotContain("--existing-chain");
  }
}
