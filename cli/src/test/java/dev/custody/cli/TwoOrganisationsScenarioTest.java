package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's happy path across two organisations, through the real CLI: ACME ingests a corpus, trains
 * a base model, evaluates and releases it (its release bot is certified by ACME's CA and records its
 * chain with {@code --certificate}); ACME hands the chain over to BaseCorp, which accepts the
 * transfer; BaseCorp fine-tunes ACME's release on its own data, quantizes it, evaluates and releases
 * the result in its own ledger. The auditor's policy names both organisations' identities, roles and
 * rules; {@code custody verify} over both ledgers is verified, and {@code custody lineage} of
 * BaseCorp's model directory shows the chain back to ACME's corpus with the signers.
 */
class TwoOrganisationsScenarioTest {
  @TempDir static Path tmp;
  static World w;
  static Path acme;
  static Path basecorp;
  static Path policy;
  static Path baseModel;
  static Path quantized;
  static JsonNode baseRelease;
  static JsonNode transfer;
  static JsonNode finalRelease;

  /** ACME's CA and both organisations' signers; both ledgers; the policy. */
  @BeforeAll
  static void build() {
    w = new World(tmp);
    Issued acmeRoot = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root CA, O=ACME"));
    Issued acmeSigning = TestPki.issue(acmeRoot, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));
    World.Signer data = w.key("acme/data");
    World.Signer trainer = w.key("acme/trainer");
    World.Signer evaluator = w.key("acme/evaluator");
    World.Signer releaseBot = w.certified("acme/release-bot", TestPki.issue(acmeSigning, TestPki.ed25519(),
        Spec.leaf("CN=release-bot, O=ACME").email("release-bot@acme.example")), acmeSigning);
    World.Signer lead = w.key("basecorp/lead");
    World.Signer tuner = w.key("basecorp/tuner");
    World.Signer bEvaluator = w.key("basecorp/evaluator");
    World.Signer bRelease = w.key("basecorp/release");

    acme = w.ledger("acme-ledger");
    Path corpus = w.file("data/corpus.jsonl", "{\"text\":\"hello\"}\n{\"text\":\"world\"}\n");
    baseModel = w.model("acme-base", 7, 0f);
    w.record(acme, data, "dataset-ingest", "acme/base", "--output", "corpus:dataset=" + corpus,
        "--param", "license=CC-BY-4.0", "--param", "source=s3://acme/raw/0001");
    w.record(acme, trainer, "training", "acme/base", "--input", "corpus:dataset=" + corpus, "--output",
        "model=" + baseModel, "--param", "epochs=3");
    w.record(acme, evaluator, "evaluation", "acme/base", "--input", "model=" + baseModel, "--metric",
        "accuracy=0.91");
    baseRelease = w.record(acme, releaseBot, "release", "acme/base", "--output", "model=" + baseModel,
        "--version", "1.0");
    transfer = w.record(acme, releaseBot, "custody-transfer", "acme/base", "--from", "acme", "--to", "basecorp");
    w.record(acme, lead, "approval", "acme/base", "--subject", "acme/base:" + transfer.get("sequence").asLong(),
        "--reason", "basecorp accepts custody of acme/base");

    basecorp = w.ledger("basecorp-ledger");
    Path sft = w.file("data/sft.jsonl", "{\"prompt\":\"hi\",\"answer\":\"hello\"}\n");
    Path received = Cli.copyTree(baseModel, tmp.resolve("received-base")); // BaseCorp's copy of the release
    Path tuned = w.model("basecorp-ft", 7, 0.01f);
    quantized = w.halfModel("basecorp-ft-q", 7, 0.01f);
    w.record(basecorp, tuner, "dataset-ingest", "basecorp/falcon-ft", "--output", "sft:dataset=" + sft,
        "--param", "license=CC-BY-SA-4.0");
    w.record(basecorp, tuner, "fine-tune", "basecorp/falcon-ft", "--input", "base=" + received, "--input",
        "sft:dataset=" + sft, "--output", "model=" + tuned);
    w.record(basecorp, tuner, "conversion", "basecorp/falcon-ft", "--input", "model=" + tuned, "--output",
        "model=" + quantized, "--method", "quantize-f16");
    w.record(basecorp, bEvaluator, "evaluation", "basecorp/falcon-ft", "--input", "model=" + quantized,
        "--metric", "accuracy=0.88");
    finalRelease = w.record(basecorp, bRelease, "release", "basecorp/falcon-ft", "--output", "model=" + quantized,
        "--version", "2.0");

    policy = w.policy("policy.yaml", """
        version: custody/policy/v1
        organisations:
          acme:
            roots: [%s]
          basecorp: {}
        identities:
          - {name: acme/data, organisation: acme, keys: [%s]}
          - {name: acme/trainer, organisation: acme, keys: [%s]}
          - {name: acme/evaluator, organisation: acme, keys: [%s]}
          - name: acme/release-bot
            organisation: acme
            certificate:
              subject: "CN=release-bot, O=ACME"
              san: ["email:release-bot@acme.example"]
          - {name: basecorp/lead, organisation: basecorp, keys: [%s]}
          - {name: basecorp/tuner, organisation: basecorp, keys: [%s]}
          - {name: basecorp/evaluator, organisation: basecorp, keys: [%s]}
          - {name: basecorp/release, organisation: basecorp, keys: [%s]}
        roles:
          - identities: [acme/release-bot]
            kinds: [release, custody-transfer]
            chains: ["acme/*"]
          - identities: [acme/data, acme/trainer, acme/evaluator]
            kinds: [dataset-ingest, training, evaluation]
            chains: ["acme/**"]
          - identities: [basecorp/lead]
            kinds: [approval]
            chains: ["acme/base", "basecorp/**"]
          - identities: [basecorp/tuner, basecorp/evaluator]
            kinds: [dataset-ingest, fine-tune, conversion, evaluation]
            chains: ["basecorp/**"]
          - identities: [basecorp/release]
            kinds: [release]
            chains: ["basecorp/*"]
        rules:
          - id: release-after-evaluation
            requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}
          - id: evaluator-not-trainer
            separationOfDuties: {kinds: [evaluation], distinctFrom: [training, fine-tune, conversion], by: identity}
          - id: accuracy
            metric: {name: accuracy, min: 0.8}
          - id: dataset-licence
            requireParameter: {kind: dataset-ingest, parameter: license}
        """.formatted(w.pem("acme-root.pem", acmeRoot), data.pub(), trainer.pub(), evaluator.pub(), lead.pub(),
        tuner.pub(), bEvaluator.pub(), bRelease.pub()));
  }

  @Test
  void verify_policyOverBothLedgers_isVerified() {
    Cli.Result r = w.verify(policy, List.of(acme, basecorp));

    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").booleanValue()).isTrue();
    assertThat(j.get("errors").asLong()).as(r.out()).isZero();
    assertThat(World.codes(r, "WARNING")).as(r.out()).isEmpty();
    assertThat(j.get("entries").asLong()).isEqualTo(11);
  }

  @Test
  void verify_text_namesTheCertifiedSigner() {
    List<Object> a = new ArrayList<>(List.of("verify", "--policy", policy));
    a.addAll(World.ledgerArgs(List.of(acme, basecorp)));
    Cli.Result r = Cli.run(a.toArray());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("VERIFIED");
  }

  @Test
  void verifyModel_basecorpsDeliveredCopy_isCheckedAgainstTheReleaseOfItsDigest() {
    Path delivered = Cli.copyTree(quantized, tmp.resolve("delivered"));

    Cli.Result ok = w.verify(policy, List.of(acme, basecorp), "--model", delivered);

    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(World.findings(ok, "ARTIFACT_VERIFIED")).hasSize(1);
    assertThat(World.at(World.findings(ok, "ARTIFACT_VERIFIED").get(0))).isEqualTo("basecorp/falcon-ft:4");
  }

  @Test
  void verifyModel_alteredCopy_isNoReleasedModelAndTheEntryNamesTheChangedFile() throws Exception {
    Path delivered = Cli.copyTree(quantized, tmp.resolve("altered"));
    java.nio.file.Files.writeString(delivered.resolve("config.json"), "{\"model_type\":\"toy\",\"hidden_size\":9}\n");

    Cli.Result byDigest = w.verify(policy, List.of(acme, basecorp), "--model", delivered);
    assertThat(byDigest.code()).as(byDigest.toString()).isEqualTo(1);
    JsonNode notFound = World.findings(byDigest, "ARTIFACT_ENTRY_NOT_FOUND").get(0);
    assertThat(notFound.get("message").textValue()).contains("its files differ from the released model's");

    Cli.Result byEntry = w.verify(policy, List.of(acme, basecorp), "--model", delivered, "--entry",
        finalRelease.get("hash").textValue());
    assertThat(byEntry.code()).as(byEntry.toString()).isEqualTo(1);
    assertThat(World.findings(byEntry, "ARTIFACT_FILE_CHANGED")).hasSize(1);
    assertThat(World.findings(byEntry, "ARTIFACT_FILE_CHANGED").get(0).get("message").textValue())
        .contains("config.json");
  }

  @Test
  void verify_html_drawsBothLedgersLineageWithTheVerdict() throws Exception {
    Path page = tmp.resolve("report.html");

    Cli.Result r = w.verifyAs("html", policy, List.of(acme, basecorp), "--out", page);

    assertThat(r.code()).as(r.toString()).isZero();
    String html = java.nio.file.Files.readString(page);
    assertThat(html).contains("data-verdict=\"VERIFIED\"");
    for (String entry : List.of("acme/base:0", "acme/base:1", "acme/base:3", "basecorp/falcon-ft:1",
        "basecorp/falcon-ft:2", "basecorp/falcon-ft:4")) {
      assertThat(html).contains("data-entry=\"" + entry + "\" data-kind=");
    }
    // ACME's training produced the base that BaseCorp's fine-tune used: an edge across the two ledgers.
    assertThat(html).contains("data-type=\"artifact\" data-from=\"acme/base:1\" data-to=\"basecorp/falcon-ft:1\"");
    assertThat(html).contains("acme/release-bot").contains("basecorp/tuner");
  }

  @Test
  void lineage_ofBasecorpsModelDirectory_showsTheChainBackToAcmesCorpusWithSigners() {
    List<Object> a = new ArrayList<>(List.of("lineage", quantized, "--policy", policy));
    a.addAll(World.ledgerArgs(List.of(acme, basecorp)));
    Cli.Result r = Cli.run(a.toArray());

    assertThat(r.code()).as(r.toString()).isZero();
    String out = r.out();
    assertThat(out).contains("release basecorp/falcon-ft:4");
    assertThat(out).contains("from conversion basecorp/falcon-ft:2");
    assertThat(out).contains("from fine-tune basecorp/falcon-ft:1");
    assertThat(out).contains("from training acme/base:1");
    assertThat(out).contains("from dataset-ingest acme/base:0");
    assertThat(out).contains("from dataset-ingest basecorp/falcon-ft:0");
    assertThat(out).contains("by acme/trainer (acme)").contains("by basecorp/tuner (basecorp)")
        .contains("by basecorp/release (basecorp)");
    assertThat(out).contains("LINEAGE VERIFIED");
  }

  @Test
  void lineage_json_holdsEveryStepBackToAcmesIngest() {
    List<Object> a = new ArrayList<>(List.of("lineage", World.digest(quantized), "--policy", policy, "--json"));
    a.addAll(World.ledgerArgs(List.of(acme, basecorp)));
    Cli.Result r = Cli.run(a.toArray());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("acme/base").contains("basecorp/falcon-ft");
  }
}
