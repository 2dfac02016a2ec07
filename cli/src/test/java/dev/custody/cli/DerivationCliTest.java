package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.derivation.TestModels;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.safetensors.Dtype;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Derivation evidence end to end through the real CLI, on real safetensors models the test writes
 * ({@link TestModels}: a small transformer, a fine-tune of it, a re-quantised copy, an unrelated
 * model): {@code custody compare --record} signs a comparison; {@code custody verify --weights}
 * checks the lineage's model links against the weights and the signed comparisons.
 */
class DerivationCliTest {
  @TempDir static Path models;
  static Path base;       // acme's base model
  static Path tuned;      // a real fine-tune of base (update 10% of the weights' spread)
  static Path unrelated;  // a model of the same layout with other weights
  static Path bf16;       // base re-quantised to BF16
  static Path hostile;    // tuned, with its most-changed tensor renamed to hostile text
  static Path hostileBase;

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path key;

  @BeforeAll
  static void writeModels() throws Exception {
    TestModels b = TestModels.transformer(1, 2, 64);
    base = b.writeF32(models.resolve("base"));
    tuned = b.fineTuned(0.1, 7).writeF32(models.resolve("tuned"));
    unrelated = TestModels.transformer(2, 2, 64).writeF32(models.resolve("unrelated"));
    bf16 = b.write(models.resolve("bf16"), Dtype.BF16);
    // The tensor that changes most gets a name with a right-to-left override and a line separator.
    String evil = "lm_head.\u202Ethgiew\u2028";
    hostileBase = b.renamed(n -> n.equals("lm_head.weight") ? evil : n).writeF32(models.resolve("hostile-base"));
    hostile = b.renamed(n -> n.equals("lm_head.weight") ? evil : n)
        .fineTuned(0.1, 7, n -> !n.equals(evil)).fineTuned(0.9, 8, n -> n.equals(evil))
        .writeF32(models.resolve("hostile"));
  }

  @BeforeEach
  void setUp() {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    key = keys.resolve("acme.key");
    Cli.ok("keys", "generate", "--out", keys, "--name", "acme");
    Cli.ok("init", "--ledger", ledger);
  }

  private Cli.Result record(Object... args) {
    List<Object> a = new ArrayList<>(List.of("record"));
    a.addAll(List.of(args));
    a.addAll(List.of("--ledger", ledger, "--key", key, "--json"));
    return Cli.ok(a.toArray());
  }

  /** {@code custody verify --format json} with {@code extra}, trusting the keys and the ledger's log key. */
  private Cli.Result verify(Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log").resolve("vkey"), "--format", "json"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  private static Map<String, List<JsonNode>> findings(Cli.Result r) {
    Map<String, List<JsonNode>> m = new LinkedHashMap<>();
    for (JsonNode f : r.json().get("findings")) {
      m.computeIfAbsent(f.get("code").textValue(), k -> new ArrayList<>()).add(f);
    }
    return m;
  }

  private static String message(Cli.Result r, String code) {
    List<JsonNode> fs = findings(r).get(code);
    assertThat(fs).as("findings %s in %s", code, r).hasSize(1);
    return fs.get(0).get("message").textValue();
  }

  // ---------------------------------------------------------------- compare --record

  @Test
  void compareRecord_appendsACanonicalComparisonThatVerifies() throws Exception {
    Cli.Result r = Cli.ok("compare", base, tuned, "--record", "--chain", "audit/cases", "--key", key, "--ledger", ledger);
    assertThat(r.out()).contains("architecture   identical", "cosine         mean 0.99", "recorded audit/cases:0");

    Cli.Result v = verify();
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(findings(v)).doesNotContainKeys("RECORD_NOT_CANONICAL", "PAYLOAD_MALFORMED");

    // The stored record: inputs a and b by manifest root digest with their manifests kept, the figures as signed.
    String line = Cli.records(ledger).get(0);
    EntryRecord rec = EntryRecord.parse(line.getBytes(StandardCharsets.UTF_8), "record");
    EntryPayload p = rec.payload("record");
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8))
        .isEqualTo(new String(rec.envelope().payload().toByteArray(), StandardCharsets.UTF_8));
    assertThat(p.event().type()).isEqualTo(EventType.COMPARISON);
    assertThat(p.event().inputs()).extracting(a -> a.name()).containsExactly("a", "b");
    assertThat(p.event().inputs().get(0).digest().toString()).isEqualTo(Cli.ok("hash", base).out().strip());
    assertThat(p.event().inputs().get(1).digest().toString()).isEqualTo(Cli.ok("hash", tuned).out().strip());
    assertThat(p.event().inputs()).allSatisfy(a -> assertThat(a.annotations()).containsKey("custody.manifest"));
    try (var s = Files.list(ledger.resolve("manifests"))) {
      assertThat(s.count()).isEqualTo(2);
    }
    EventDetails.Comparison c = (EventDetails.Comparison) p.event().details();
    assertThat(c.summary().tensors().changed()).isEqualTo(c.summary().tensors().a());
    assertThat(new String(EntryCodec.encode(p), StandardCharsets.UTF_8))
        .contains("\"method\":\"custody/compare/v1\"", "\"architecture\":\"identical\"", "\"cosine\":{\"tensors\":");
  }

  @Test
  void compareRecord_json_printsTheSignedFiguresAndTheReference() {
    Cli.Result r = Cli.ok("compare", base, bf16, "--json", "--record", "--chain", "audit/cases", "--key", key,
        "--ledger", ledger);
    JsonNode j = r.json();
    assertThat(j.get("summary").get("architecture").textValue()).isEqualTo("different");
    assertThat(j.get("summary").get("tensors").get("dtypeChanged").asLong()).isEqualTo(j.get("summary")
        .get("tensors").get("a").asLong());
    assertThat(j.get("summary").get("cosine").get("mean").decimalValue().scale()).isEqualTo(6);
    assertThat(j.get("recorded").get("chain").textValue()).isEqualTo("audit/cases");
    assertThat(j.get("recorded").get("a").textValue()).isEqualTo(Cli.ok("hash", base).out().strip());
    // Without --record, the same figures, nothing recorded.
    JsonNode plain = Cli.ok("compare", base, bf16, "--json").json();
    assertThat(plain.get("summary")).isEqualTo(j.get("summary"));
    assertThat(plain.has("recorded")).isFalse();
  }

  @Test
  void compareRecord_singleFiles_recordedAsRecordNamesThem() throws Exception {
    Path fa = base.resolve("model.safetensors");
    Path fb = tuned.resolve("model.safetensors");
    JsonNode plain = Cli.ok("compare", fa, fb, "--json", "--record", "--chain", "audit/c", "--key", key, "--ledger",
        ledger).json();
    assertThat(plain.get("recorded").get("a").textValue()).isEqualTo("sha256:" + Cli.sha256Hex(Files.readAllBytes(fa)));
    JsonNode asManifest = Cli.ok("compare", fa, fb, "--json", "--record", "--manifest", "--chain", "audit/c", "--key",
        key, "--ledger", ledger).json();
    assertThat(asManifest.get("recorded").get("a").textValue())
        .isEqualTo(Cli.ok("hash", fa).out().strip()).isNotEqualTo(plain.get("recorded").get("a").textValue());
  }

  @Test
  void compareRecord_optionsMisused_exit2AndNothingRecorded() {
    Map<String, String> before = Cli.snapshot(ledger);
    Cli.Result noKey = Cli.run("compare", base, tuned, "--record", "--chain", "audit/c", "--ledger", ledger);
    assertThat(noKey.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(noKey.err()).contains("--record needs --chain ID and --key KEYFILE");
    Cli.Result noRecord = Cli.run("compare", base, tuned, "--chain", "audit/c", "--key", key);
    assertThat(noRecord.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(noRecord.err()).contains("are for --record");
    Cli.Result badChain = Cli.run("compare", base, tuned, "--record", "--chain", "audit//c", "--key", key, "--ledger",
        ledger);
    assertThat(badChain.code()).isEqualTo(Main.BAD_INPUT);
    Cli.Result noLedger = Cli.run("compare", base, tuned, "--record", "--chain", "audit/c", "--key", key, "--ledger",
        tmp.resolve("nowhere"));
    assertThat(noLedger.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(noLedger.err()).contains("nowhere");
    for (Path badKey : List.of(keys.resolve("acme.pub"), Path.of("/dev/zero"), tmp.resolve("no-such.key"))) {
      Cli.Result r = Cli.run("compare", base, tuned, "--record", "--chain", "audit/c", "--key", badKey, "--ledger",
          ledger);
      assertThat(r.code()).as(r.toString()).isEqualTo(Main.BAD_INPUT);
      assertThat(r.err()).contains(badKey.toString());
    }
    assertThat(Cli.snapshot(ledger)).isEqualTo(before);
  }

  @Test
  void compareRecord_truncatedModel_exit2NamingTheFileAndNothingRecorded() throws Exception {
    Path cut = Cli.copyTree(tuned, tmp.resolve("cut"));
    Path f = cut.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    Map<String, String> before = Cli.snapshot(ledger);

    Cli.Result r = Cli.run("compare", base, cut, "--record", "--chain", "audit/c", "--key", key, "--ledger", ledger);

    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(f.toString());
    assertThat(Cli.snapshot(ledger)).isEqualTo(before); // no manifest, no entry
  }

  @Test
  void compareRecord_symlinkedModel_exit2AsRecordRefusesIt() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tuned);
    Map<String, String> before = Cli.snapshot(ledger);

    Cli.Result r = Cli.run("compare", base, link, "--record", "--chain", "audit/c", "--key", key, "--ledger", ledger);

    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("symbolic link");
    assertThat(Cli.snapshot(ledger)).isEqualTo(before);
  }

  @Test
  void compareRecord_hostileTensorName_isEscapedInEveryOutput() throws Exception {
    Cli.Result r = Cli.ok("compare", hostileBase, hostile, "--record", "--chain", "audit/cases", "--key", key,
        "--ledger", ledger);
    assertThat(r.out()).doesNotContain("\u202E").doesNotContain("\u2028").contains("lm_head.\\u202Ethgiew\\u2028");

    Cli.Result show = Cli.ok("show", "audit/cases:0", "--ledger", ledger);
    assertThat(show.out()).doesNotContain("\u202E").doesNotContain("\u2028");
    // The signed record holds the exact name; JSON output gives it back exactly.
    assertThat(Cli.ok("show", "audit/cases:0", "--ledger", ledger, "--json").out())
        .doesNotContain("\u202E").contains("\\u202E");

    // A fine-tune claim of the two, checked by the signed comparison alone (the result's weights are not at hand):
    // the finding quotes the name, escaped, in text and JSON reports.
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + hostileBase, "--output", "model=" + hostile);
    Cli.Result text = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--weights", hostileBase);
    assertThat(text.out()).as(text.toString()).contains("DERIVATION_SUPPORTED")
        .contains("least similar tensor 'lm_head.\\u202Ethgiew\\u2028'").doesNotContain("\u202E").doesNotContain("\u2028");
    Cli.Result json = verify("--weights", hostileBase);
    assertThat(message(json, "DERIVATION_SUPPORTED")).contains("'lm_head.\\u202Ethgiew\\u2028'");
  }

  // ---------------------------------------------------------------- verify --weights

  @Test
  void verifyWeights_claimedBaseWhoseWeightsAreUnrelated_exit1DerivationUnsupported() {
    // The "fine-tune" claims acme's base, but its weights come from an unrelated model.
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + base, "--output", "model=" + unrelated);
    Cli.Result plain = verify();
    assertThat(plain.code()).as("without weights, signatures alone verify").isZero();

    Cli.Result r = verify("--weights", base, "--weights", unrelated);

    assertThat(r.code()).as(r.toString()).isEqualTo(Main.FAILED);
    assertThat(message(r, "DERIVATION_UNSUPPORTED")).contains("fine-tune acme/ft:0", "'base'", "unrelated",
        "Evidence: the weights at hand", "'" + base + "'", "'" + unrelated + "'", "compared now");
    assertThat(findings(r).get("DERIVATION_UNSUPPORTED").get(0).get("entry").get("chain").textValue())
        .isEqualTo("acme/ft");
  }

  @Test
  void verifyWeights_realFineTuneAndQuantisation_exit0WithSupportingFigures() {
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + base, "--output", "model=" + tuned);
    record("conversion", "--chain", "acme/ft", "--method", "quantize-bf16", "--input", "model=" + base, "--output",
        "quantized:model=" + bf16);

    Cli.Result r = verify("--weights", base, "--weights", tuned, "--weights", bf16);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(findings(r).get("DERIVATION_SUPPORTED")).hasSize(2);
    assertThat(findings(r)).doesNotContainKeys("DERIVATION_UNSUPPORTED", "DERIVATION_UNDECLARED",
        "DERIVATION_INCONCLUSIVE", "WEIGHTS_UNMATCHED");
  }

  @Test
  void verifyWeights_modelTrainedFromScratchThatCopiesAnother_exit1DerivationUndeclared() {
    // acme releases its base; "other" claims to train a model from its own data alone, but it is acme's, fine-tuned.
    record("training", "--chain", "acme/base", "--input", "corpus:dataset=sha256:" + "1".repeat(64), "--output",
        "model=" + base);
    record("release", "--chain", "acme/base", "--version", "1.0", "--output", "model=" + base);
    record("training", "--chain", "other/m", "--input", "corpus:dataset=sha256:" + "2".repeat(64), "--output",
        "model=" + tuned);

    Cli.Result r = verify("--weights", base, "--weights", tuned);

    assertThat(r.code()).as(r.toString()).isEqualTo(Main.FAILED);
    assertThat(message(r, "DERIVATION_UNDECLARED")).contains("training other/m:0 produced", "near-copy of",
        "produced by training acme/base:0", "neither lineage includes the other");
  }

  @Test
  void verifyWeights_signedComparisonContradictsTheClaimedEdge_exit1EvenWithoutTheResultsWeights() {
    // An auditor compared the two models earlier and signed it; now only the claimed base is at hand.
    Cli.ok("compare", base, unrelated, "--record", "--chain", "audit/cases", "--key", key, "--ledger", ledger);
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + base, "--output", "model=" + unrelated);

    Cli.Result r = verify("--weights", base);

    assertThat(r.code()).as(r.toString()).isEqualTo(Main.FAILED);
    assertThat(message(r, "DERIVATION_UNSUPPORTED")).contains("fine-tune acme/ft:0",
        "Evidence: the signed comparison audit/cases:0", "signed by key");
  }

  @Test
  void verifyWeights_insiderSignsAFakeComparisonToBackAFalseClaim_caughtOnceBothWeightsAreAtHand() throws Exception {
    // An insider with a trusted key copies the figures of a real fine-tune's comparison into a comparison of
    // the claimed base and the unrelated result, and signs it with 'record comparison --event-json'.
    // (Read with custody's strict reader: it keeps the figures' six decimal places, as the entry format requires.)
    JsonNode real = dev.custody.core.internal.json.StrictJson.parse(Cli.ok("compare", base, tuned, "--json").out().strip()
        .getBytes(StandardCharsets.UTF_8), 1 << 24, "compare output");
    ObjectNodeBuilder fake = new ObjectNodeBuilder(real.get("summary"));
    Path json = tmp.resolve("fake-comparison.json");
    // (A comparison event is complete only with its inputs a and b, so the file names them by digest.)
    Files.writeString(json, fake.withType("comparison", Cli.ok("hash", base).out().strip(),
        Cli.ok("hash", unrelated).out().strip()));
    record("comparison", "--chain", "audit/cases", "--event-json", json);
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + base, "--output", "model=" + unrelated);

    // With the result's weights missing, the signed comparison is all the evidence there is, and it lies.
    Cli.Result fooled = verify("--weights", base);
    assertThat(fooled.code()).as(fooled.toString()).isZero();
    assertThat(message(fooled, "DERIVATION_SUPPORTED")).contains("signed comparison audit/cases:0");

    // With both weights at hand, the claim fails and the comparison is shown to misstate them.
    Cli.Result caught = verify("--weights", base, "--weights", unrelated);
    assertThat(caught.code()).as(caught.toString()).isEqualTo(Main.FAILED);
    assertThat(findings(caught)).containsKeys("DERIVATION_UNSUPPORTED", "COMPARISON_MISMATCH");
    assertThat(message(caught, "COMPARISON_MISMATCH")).contains("comparison audit/cases:0", "signed architecture"
        + " identical", "now architecture identical");
  }

  /** A comparison event object from a {@code compare --json} summary. */
  private record ObjectNodeBuilder(JsonNode summary) {
    String withType(String type, String a, String b) {
      com.fasterxml.jackson.databind.node.ObjectNode o = Cli.MAPPER.createObjectNode().put("type", type);
      o.putArray("inputs").add(Cli.MAPPER.createObjectNode().put("name", "a").put("kind", "model").put("digest", a))
          .add(Cli.MAPPER.createObjectNode().put("name", "b").put("kind", "model").put("digest", b));
      o.setAll((com.fasterxml.jackson.databind.node.ObjectNode) summary.deepCopy());
      return o.toString();
    }
  }

  @Test
  void verifyWeights_chain_judgesThatChainsLineageOnly() {
    record("fine-tune", "--chain", "acme/bad", "--input", "base=" + base, "--output", "model=" + unrelated);
    record("fine-tune", "--chain", "acme/good", "--input", "base=" + base, "--output", "model=" + tuned);

    Cli.Result good = verify("--weights", base, "--weights", tuned, "--weights", unrelated, "--chain", "acme/good");
    Cli.Result bad = verify("--weights", base, "--weights", tuned, "--weights", unrelated, "--chain", "acme/bad");

    assertThat(good.code()).as(good.toString()).isZero();
    assertThat(bad.code()).as(bad.toString()).isEqualTo(Main.FAILED);
    assertThat(findings(bad)).containsKey("DERIVATION_UNSUPPORTED");
  }

  @Test
  void verifyWeights_weightsNoStepNames_warnsUnmatched() {
    record("fine-tune", "--chain", "acme/ft", "--input", "base=" + base, "--output", "model=" + tuned);

    Cli.Result r = verify("--weights", bf16);

    assertThat(r.code()).isZero();
    assertThat(message(r, "WEIGHTS_UNMATCHED")).contains("'" + bf16 + "'", "no step");
  }

  @Test
  void verifyWeights_badPaths_exit2NamingThem() throws Exception {
    Cli.Result missing = verify("--weights", tmp.resolve("no-such-model"));
    assertThat(missing.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(missing.err()).contains("no-such-model");

    Path link = Files.createSymbolicLink(tmp.resolve("weights-link"), base);
    Cli.Result symlink = verify("--weights", link);
    assertThat(symlink.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(symlink.err()).contains("symbolic link");

    Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
    Files.writeString(notModel.resolve("README.md"), "no weights here");
    Cli.Result none = verify("--weights", notModel);
    assertThat(none.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(none.err()).contains("not-a-model", "safetensors");

    Path cut = Cli.copyTree(tuned, tmp.resolve("cut"));
    Files.write(cut.resolve("model.safetensors"), new byte[] {1, 2, 3});
    Cli.Result malformed = verify("--weights", cut);
    assertThat(malformed.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(malformed.err()).contains(cut.resolve("model.safetensors").toString());
  }

  @Test
  void verifyWeights_outInsideTheWeights_refusedBeforeReading() {
    Cli.Result r = verify("--weights", tuned, "--out", tuned.resolve("report.json"));
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("--weights");
    assertThat(Files.exists(tuned.resolve("report.json"))).isFalse();
  }

  @Test
  void verifyWeights_ledgerInsideTheWeightsDirectory_isIgnoredWhenHashing() throws Exception {
    // A model directory that holds the ledger (custody record ignores it when hashing; so does --weights).
    Path home = Cli.copyTree(tuned, tmp.resolve("home"));
    Path inner = home.resolve(".custody");
    Cli.ok("init", "--ledger", inner);
    Cli.ok("record", "fine-tune", "--ledger", inner, "--key", key, "--chain", "acme/ft", "--input", "base=" + base,
        "--output", "model=" + home);

    Cli.Result r = Cli.run("verify", "--ledger", inner, "--trust", keys, "--format", "json", "--weights", base,
        "--weights", home);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(findings(r)).containsKey("DERIVATION_SUPPORTED").doesNotContainKey("WEIGHTS_UNMATCHED");
  }
}
