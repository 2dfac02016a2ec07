package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI's JSON contract (issue 9, "a consistent CLI"), command by command: under {@code --json}
 * every command that prints a result prints JSON of a documented shape on stdout, with every hash
 * as {@code sha256:<64 lowercase hex>}; and every error is one JSON object on stderr,
 * {@code {"error": {"code", "message", ["file"], ["entry"], ["chain"], ["didYouMean"]}}}, with the
 * exit code the text form has. Through the real CLI on real files.
 */
class JsonContractTest {
  static final String CHAIN = "acme/falcon-7b";
  static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  /** Member names whose string values are hashes, wherever they appear. */
  static final Pattern HASH_MEMBER = Pattern.compile("hash|.*Hash|root[12]?|rootDigest|digest|head|sha256[AB]?");

  @TempDir static Path root;
  static Path keys;
  static Path key;
  static Path ledger;
  static Path model;
  static Path modelB;
  static Path checkpoint;
  static Path witnessState;
  static String logKey;

  @TempDir Path work;

  @BeforeAll
  static void setUp() throws Exception {
    keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    key = keys.resolve("alice.key");
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.com/contract");
    model = Files.createDirectories(root.resolve("model"));
    new SafetensorsWriter().metadata("format", "pt").f32("w", new long[] {2, 2}, new float[] {1, 2, 3, 4})
        .write(model.resolve("model.safetensors"));
    modelB = Files.createDirectories(root.resolve("model-b"));
    new SafetensorsWriter().metadata("format", "pt").f32("w", new long[] {2, 2}, new float[] {1, 2, 3, 5})
        .write(modelB.resolve("model.safetensors"));
    Cli.ok("record", "training", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "model=" + model);
    Cli.ok("record", "release", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "model=" + model,
        "--version", "1.0");
    checkpoint = Files.writeString(root.resolve("checkpoint"), Cli.ok("checkpoint", "--ledger", ledger).out());
    logKey = Cli.ok("info", "--ledger", ledger, "--json").json().get("verifierKey").asText();
    witnessState = root.resolve("witness");
    Cli.ok("witness", "init", "--state", witnessState, "--name", "witness.example");
  }

  /** A fresh copy of the ledger, for commands that write. */
  private Path copy() {
    return Cli.copyTree(ledger, work.resolve("ledger-copy"));
  }

  // ------------------------------------------------------------------ success: JSON of a documented shape

  /** One command's success case: its arguments, and the members its JSON output must have. */
  record Success(String name, Function<JsonContractTest, List<Object>> args, boolean lines, List<String> members) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Success> successes() {
    return Stream.of(
        new Success("keys generate", t -> List.of("keys", "generate", "--out", t.work, "--name", "k", "--json"), false,
            List.of("privateKey", "publicKey", "keyId", "algorithm")),
        new Success("init", t -> List.of("init", "--ledger", t.work.resolve("new"), "--json"), false,
            List.of("ledger", "origin", "verifierKey", "checkpointIntervalMillis")),
        new Success("record", t -> List.of("record", "evaluation", "--ledger", t.copy(), "--chain", CHAIN, "--key", key,
            "--metric", "acc=0.9", "--json"), false, List.of("chain", "sequence", "logIndex", "hash")),
        new Success("run", t -> List.of("run", "evaluation", "--ledger", t.copy(), "--chain", CHAIN, "--key", key,
            "--json", "--", "true"), false, List.of("chain", "sequence", "logIndex", "hash")),
        new Success("log", t -> List.of("log", "--ledger", ledger, "--json"), true,
            List.of("chain", "sequence", "logIndex", "hash", "kind", "time", "keyId")),
        new Success("chains", t -> List.of("chains", "--ledger", ledger, "--json"), true,
            List.of("chain", "entries", "sequence", "logIndex", "hash", "kind", "time")),
        new Success("show", t -> List.of("show", CHAIN + ":1", "--ledger", ledger, "--json"), false,
            List.of("chain", "sequence", "logIndex", "hash", "keyId", "time", "event", "payload", "record")),
        new Success("verify --json", t -> List.of("verify", "--ledger", ledger, "--trust", keys, "--json"), false,
            List.of("format", "verified", "ledgers", "entries", "errors", "warnings", "summary", "findings")),
        new Success("verify --format json", t -> List.of("verify", "--ledger", ledger, "--trust", keys, "--format",
            "json"), false, List.of("format", "verified", "ledgers", "entries", "errors", "warnings", "summary")),
        new Success("lineage", t -> List.of("lineage", CHAIN + ":1", "--ledger", ledger, "--trust", keys, "--json"),
            false, List.of("format")),
        new Success("checkpoint", t -> List.of("checkpoint", "--ledger", t.copy(), "--json"), false,
            List.of("origin", "size", "rootHash", "note")),
        new Success("info", t -> List.of("info", "--ledger", ledger, "--json"), false,
            List.of("origin", "size", "rootHash", "verifierKey")),
        new Success("prove inclusion", t -> List.of("prove", "inclusion", CHAIN + ":0", "--ledger", ledger, "--json"),
            false, List.of("logIndex", "treeSize", "leafHash", "rootHash", "proof")),
        new Success("prove consistency", t -> List.of("prove", "consistency", "--from", "1", "--ledger", ledger,
            "--json"), false, List.of("size1", "size2", "root1", "root2", "proof")),
        new Success("hash", t -> List.of("hash", model, "--json"), false,
            List.of("rootDigest", "serialization", "resources")),
        new Success("fingerprint", t -> List.of("fingerprint", model, "--json"), false,
            List.of("path", "architecture", "structure", "tensors", "parameters", "bytes", "files")),
        new Success("compare", t -> List.of("compare", model, modelB, "--json"), false,
            List.of("a", "b", "architecture", "tensors", "summary")),
        new Success("witness init", t -> List.of("witness", "init", "--state", t.work.resolve("w"), "--name", "w.example",
            "--json"), false, List.of("verifierKey", "keyFile", "verifierKeyFile")),
        new Success("witness cosign", t -> List.of("witness", "cosign", "--log-key", logKey, "--witness-key",
            t.witnessCopy().resolve("witness.key"), "--state", t.witnessCopy(), checkpoint, "--json"), false,
            List.of("origin", "size", "rootHash", "firstForLog", "note")),
        new Success("verify-oms", t -> List.of("verify-oms", "--signature", OMS.resolve("v1.0.1-elliptic-key/model.sig"),
            "--public-key", OMS.resolve("keys/signing-key-pub.pem"), "--json", OMS.resolve("v1.0.1-elliptic-key"),
            "--ignore-paths", "ignore-me"), false,
            List.of("verified", "signature", "model", "signer", "rootDigest", "resources", "missing", "extra", "changed")),
        new Success("export", t -> List.of("export", "--ledger", ledger, "--format", "intoto", "--key",
            key, "--out", t.work.resolve("export.jsonl"), "--json"), false, List.of("format", "bundles", "out")));
  }

  private static final Path OMS = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");

  private Path witnessCopy() {
    Path w = work.resolve("witness-copy");
    return Files.exists(w) ? w : Cli.copyTree(witnessState, w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("successes")
  void json_everyCommand_printsDocumentedShapeWithHashesAsSha256Hex(Success c) {
    Cli.Result r = Cli.run(c.args().apply(this).toArray());
    assertThat(r.code()).as("%s", r).isZero();
    List<JsonNode> docs = c.lines() ? r.jsonLines() : List.of(r.json());
    assertThat(docs).as("%s", r).isNotEmpty();
    assertThat(r.out().strip().lines()).as("one JSON document per line").hasSize(docs.size());
    for (JsonNode d : docs) {
      assertThat(d.isObject()).as("%s", r).isTrue();
      List<String> names = new ArrayList<>();
      d.fieldNames().forEachRemaining(names::add);
      assertThat(names).as("%s", r).containsAll(c.members());
      assertHashesAreSha256Hex(d, "$");
    }
    assertThat(r.err()).as("%s", r).doesNotContain("custody: error");
  }

  /** Every member named like a hash, anywhere in {@code n}, holds sha256:<64 lowercase hex> (or a list of them). */
  private static void assertHashesAreSha256Hex(JsonNode n, String path) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> m = it.next();
        String p = path + "." + m.getKey();
        if (p.startsWith("$.resources[")) {
          continue; // hash --json: the OMS predicate, verbatim ({"algorithm": "sha256", "digest": hex})
        }
        if (HASH_MEMBER.matcher(m.getKey()).matches() && m.getValue().isTextual()) {
          assertThat(m.getValue().asText()).as(p).matches(HASH);
        } else if (m.getKey().equals("proof") && m.getValue().isArray()) {
          m.getValue().forEach(h -> assertThat(h.asText()).as(p).matches(HASH));
        } else {
          assertHashesAreSha256Hex(m.getValue(), p);
        }
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        assertHashesAreSha256Hex(n.get(i), path + "[" + i + "]");
      }
    }
  }

  // ------------------------------------------------------------------ errors: one JSON object on stderr

  /** One command's error case: its arguments, exit code, error code, and members the error must carry. */
  record Failure(String name, Function<JsonContractTest, List<Object>> args, int exit, String code,
      Map<String, String> members) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Failure> failures() {
    String missing = "no-such-file";
    return Stream.of(
        new Failure("keys generate: bad algorithm", t -> List.of("keys", "generate", "--out", t.work, "--alg", "rsa",
            "--json"), 2, "BAD_ARGUMENT", Map.of()),
        new Failure("keys generate: misspelled option", t -> List.of("keys", "generate", "--out", t.work, "--nmae", "x",
            "--json"), 2, "USAGE", Map.of("didYouMean", "--name")),
        new Failure("init: ledger exists", t -> List.of("init", "--ledger", ledger, "--json"), 2, "ALREADY_EXISTS",
            Map.of("file", "/ledger")),
        new Failure("record: misspelled kind", t -> List.of("record", "traning", "--ledger", t.copy(), "--chain", CHAIN,
            "--key", key, "--json"), 2, "BAD_ARGUMENT", Map.of("didYouMean", "training")),
        new Failure("record: new chain refused", t -> List.of("record", "training", "--ledger", t.copy(), "--chain",
            "acme/falcon7b", "--existing-chain", "--key", key, "--json"), 2, "NO_SUCH_CHAIN",
            Map.of("chain", "acme/falcon7b", "didYouMean", CHAIN)),
        new Failure("record: missing key file", t -> List.of("record", "training", "--ledger", t.copy(), "--chain",
            CHAIN, "--key", t.work.resolve(missing), "--json"), 2, "NO_SUCH_FILE",
            Map.of("file", "/" + missing)),
        new Failure("run: new chain refused", t -> List.of("run", "training", "--ledger", t.copy(), "--chain",
            "acme/falcon-7", "--existing-chain", "--key", key, "--json", "--", "true"), 2, "NO_SUCH_CHAIN",
            Map.of("chain", "acme/falcon-7", "didYouMean", CHAIN)),
        new Failure("run: command fails", t -> List.of("run", "training", "--ledger", t.copy(), "--chain", CHAIN,
            "--key", key, "--json", "--", "false"), 1, "COMMAND_FAILED", Map.of()),
        new Failure("log: misspelled chain", t -> List.of("log", "--ledger", ledger, "--chain", "acme/falcon-7c",
            "--json"), 2, "NO_SUCH_CHAIN", Map.of("chain", "acme/falcon-7c", "didYouMean", CHAIN)),
        new Failure("chains: not a ledger", t -> List.of("chains", "--ledger", t.work.resolve(missing), "--json"), 2,
            null, Map.of()),
        new Failure("show: no such entry", t -> List.of("show", CHAIN + ":9", "--ledger", ledger, "--json"), 2,
            "NO_SUCH_ENTRY", Map.of("entry", CHAIN + ":9")),
        new Failure("verify --json: missing trust", t -> List.of("verify", "--ledger", ledger, "--trust",
            t.work.resolve(missing), "--json"), 2, null, Map.of()),
        new Failure("verify --format json: unknown option", t -> List.of("verify", "--ledger", ledger, "--trust", keys,
            "--format", "json", "--chian", CHAIN), 2, "USAGE", Map.of("didYouMean", "--chain")),
        new Failure("lineage: target in no entry", t -> List.of("lineage", "sha256:" + "00".repeat(32), "--ledger",
            ledger, "--trust", keys, "--json"), 1, "NOT_IN_LEDGER", Map.of("entry", "sha256:" + "00".repeat(32))),
        new Failure("checkpoint: not a ledger", t -> List.of("checkpoint", "--ledger", t.work.resolve(missing),
            "--json"), 2, null, Map.of()),
        new Failure("info: not a ledger", t -> List.of("info", "--ledger", t.work.resolve(missing), "--json"), 2, null,
            Map.of()),
        new Failure("prove inclusion: no such entry", t -> List.of("prove", "inclusion", "sha256:" + "00".repeat(32),
            "--ledger", ledger, "--json"), 2, "NO_SUCH_ENTRY", Map.of("entry", "sha256:" + "00".repeat(32))),
        new Failure("prove consistency: checkpoint of another ledger", t -> List.of("prove", "consistency", "--from",
            t.otherCheckpoint(), "--ledger", ledger, "--json"), 2, "BAD_FORMAT", Map.of()),
        new Failure("hash: no such model", t -> List.of("hash", t.work.resolve(missing), "--json"), 2, "NO_SUCH_FILE",
            Map.of("file", "/" + missing)),
        new Failure("fingerprint: not safetensors", t -> List.of("fingerprint", checkpoint, "--json"), 2, "BAD_FORMAT",
            Map.of("file", "checkpoint")),
        new Failure("compare: no such model", t -> List.of("compare", model, t.work.resolve(missing), "--json"), 2,
            null, Map.of()),
        new Failure("witness init: bad name", t -> List.of("witness", "init", "--state", t.work.resolve("w"), "--name",
            "bad\u202ename", "--json"), 2, "BAD_ARGUMENT", Map.of()),
        new Failure("witness cosign: not a checkpoint", t -> List.of("witness", "cosign", "--log-key", logKey,
            "--witness-key", witnessState.resolve("witness.key"), "--state", t.witnessCopy(), model.resolve(
                "model.safetensors"), "--json"), 2, "FAILED", Map.of()),
        new Failure("verify-oms: keyless", t -> List.of("verify-oms", "--signature",
            OMS.resolve("v1.0.1-certificate/model.sig"), "--json", OMS.resolve("v1.0.1-certificate")), 2,
            "NEEDS_TRUST_ROOT", Map.of("file", "model.sig")),
        new Failure("verify-oms: wrong key", t -> List.of("verify-oms", "--signature",
            OMS.resolve("v1.0.1-elliptic-key/model.sig"), "--public-key", OMS.resolve("../dsse/keys/spec-p256-public.pem"),
            "--json", OMS.resolve("v1.0.1-elliptic-key")), 1, "VERIFICATION_FAILED", Map.of("file", "model.sig")),
        new Failure("export --format oms: chain without a release", t -> List.of("export", "--ledger", ledger, "--format",
            "oms", "--chain", "acme/none", "--key", key, "--out", t.work.resolve("x.sig"), "--json"), 2, "BAD_FORMAT",
            Map.of()),
        new Failure("unknown command", t -> List.of("chians", "--json"), 2, "USAGE", Map.of("didYouMean", "chains")));
  }

  private Path otherCheckpoint() {
    Path other = work.resolve("other");
    Cli.ok("init", "--ledger", other, "--origin", "example.com/other");
    Cli.ok("record", "training", "--ledger", other, "--chain", CHAIN, "--key", key);
    return other.resolve("checkpoint");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void json_everyCommandsError_isOneJsonObjectOnStderrWithStableCode(Failure c) throws Exception {
    Cli.Result r = Cli.run(c.args().apply(this).toArray());
    assertThat(r.code()).as("%s", r).isEqualTo(c.exit());
    List<String> lines = r.err().strip().lines().toList();
    JsonNode last = Cli.MAPPER.readTree(lines.get(lines.size() - 1));
    for (String l : lines) {
      assertThat(Cli.MAPPER.readTree(l).isObject()).as("every stderr line is a JSON object: %s", r).isTrue();
    }
    JsonNode error = last.get("error");
    assertThat(error).as("%s", r).isNotNull();
    assertThat(last.size()).as("%s", r).isEqualTo(1);
    List<String> names = new ArrayList<>();
    error.fieldNames().forEachRemaining(names::add);
    assertThat(names).as("%s", r).contains("code", "message")
        .isSubsetOf("code", "message", "file", "entry", "chain", "didYouMean");
    assertThat(error.get("code").asText()).as("%s", r).isIn(codes());
    if (c.code() != null) {
      assertThat(error.get("code").asText()).as("%s", r).isEqualTo(c.code());
    }
    assertThat(error.get("message").asText()).isNotBlank();
    for (Map.Entry<String, String> m : c.members().entrySet()) {
      JsonNode v = error.get(m.getKey());
      assertThat(v).as("%s in %s", m.getKey(), r).isNotNull();
      if (m.getKey().equals("didYouMean")) {
        assertThat(v.get(0).asText()).as("%s", r).isEqualTo(m.getValue());
      } else if (m.getKey().equals("file")) {
        assertThat(v.asText()).as("%s", r).endsWith(m.getValue());
      } else {
        assertThat(v.asText()).as("%s", r).isEqualTo(m.getValue());
      }
    }
    // Nothing but JSON on stderr, nothing at all on stdout for these.
    assertThat(r.out()).as("%s", r).isEmpty();
  }

  private static List<String> codes() {
    return Stream.of(ErrorReport.Code.values()).map(Enum::name).toList();
  }

  // ------------------------------------------------------------------ the text forms beside them

  @Test
  void unknownOption_text_printsShortUsageWithSuggestion() {
    Cli.Result r = Cli.run("record", "training", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--ignore-path",
        "x");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err().lines().toList()).hasSizeLessThanOrEqualTo(5);
    assertThat(r.err()).contains("Unknown options: '--ignore-path'").contains("Did you mean: --ignore-paths?")
        .contains("Usage: custody record").contains("See 'custody record --help'.");
  }

  @Test
  void unknownCommand_text_suggestsClosest() {
    Cli.Result r = Cli.run("verfy");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("'verfy'").contains("Did you mean: verify?").contains("See 'custody --help'.");
    assertThat(r.err().lines().toList()).hasSizeLessThanOrEqualTo(5);
  }

  @Test
  void verify_jsonWithHtmlFormat_exitsTwo() {
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--json", "--format", "html");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("\"code\":\"USAGE\"");
  }

  @Test
  void verify_jsonAndFormatJson_sameDocument() {
    JsonNode a = Cli.ok("verify", "--ledger", ledger, "--trust", keys, "--json").json();
    JsonNode b = Cli.ok("verify", "--ledger", ledger, "--trust", keys, "--format", "json").json();
    assertThat(a).isEqualTo(b);
  }

  @Test
  void show_json_payloadIsTheSignedPayloadAndRecordTheStoredBytes() throws Exception {
    JsonNode s = Cli.ok("show", CHAIN + ":0", "--ledger", ledger, "--json").json();
    String record = Cli.records(ledger).get(0);
    assertThat(s.get("record").asText()).isEqualTo(record);
    assertThat(s.get("hash").asText()).isEqualTo("sha256:" + Cli.sha256Hex(record.getBytes(
        java.nio.charset.StandardCharsets.UTF_8)));
    JsonNode envelope = Cli.MAPPER.readTree(record);
    byte[] payload = java.util.Base64.getUrlDecoder().decode(envelope.get("payload").asText());
    assertThat(s.get("payload")).isEqualTo(Cli.MAPPER.readTree(payload));
    assertThat(s.get("payload").get("event")).isEqualTo(s.get("event"));
    assertThat(s.get("payload").get("chain").asText()).isEqualTo(CHAIN);
  }

  @Test
  void info_json_rootHashIsTheCheckpointRootInSha256Hex() throws Exception {
    JsonNode info = Cli.ok("info", "--ledger", ledger, "--json").json();
    String base64Root = Files.readAllLines(checkpoint).get(2);
    assertThat(info.get("rootHash").asText()).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(
        java.util.Base64.getDecoder().decode(base64Root)));
  }
}
