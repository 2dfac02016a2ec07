package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's scenarios about the policy's rules and roles, each a small realistic lineage in one ACME
 * ledger built through the real CLI and verified with {@code custody verify --policy}: a release
 * without an evaluation, an evaluation of other weights than those released, a trainer who approves
 * its own release, a role violation, k-of-n approvals, a dataset without its licence, a CEL rule —
 * and the failing cases of the "Why", with the policy and with plain {@code --trust}.
 */
class PolicyRulesScenarioTest {
  @TempDir static Path shared;
  static World w;
  static World.Signer data;
  static World.Signer trainer;
  static World.Signer evaluator;
  static World.Signer releaseBot;
  static World.Signer approver1;
  static World.Signer approver2;
  static World.Signer approver3;
  static Path corpus;
  static Path model;
  static int scenarios;
  @TempDir Path tmp;
  Path ledger;
  String name;

  /** The signers, the corpus and the model every scenario uses (read only). */
  @BeforeAll
  static void signers() {
    w = new World(shared);
    data = w.key("acme/data");
    trainer = w.key("acme/trainer");
    evaluator = w.key("acme/evaluator");
    releaseBot = w.key("acme/release-bot");
    approver1 = w.key("acme/approver-1");
    approver2 = w.key("acme/approver-2");
    approver3 = w.key("acme/approver-3");
    corpus = w.file("data/corpus.jsonl", "{\"text\":\"hello\"}\n");
    model = w.model("model", 11, 0f);
  }

  /** A fresh ledger (and policy file name) per scenario, beside the shared keys the policy names. */
  @BeforeEach
  void setUp() {
    name = "scenario-" + (++scenarios);
    ledger = w.ledger(name);
  }

  /**
   * ACME's policy: its identities; the data team ingests, the trainer trains, the evaluator evaluates,
   * the release bot releases, approvers approve; and {@code rules} (YAML list items, indented by 2).
   */
  private Path policy(String rules) {
    return w.policy(name + ".yaml", """
        version: custody/policy/v1
        organisations:
          acme: {}
        identities:
          - {name: acme/data, organisation: acme, keys: [%s]}
          - {name: acme/trainer, organisation: acme, keys: [%s]}
          - {name: acme/evaluator, organisation: acme, keys: [%s]}
          - {name: acme/release-bot, organisation: acme, keys: [%s]}
          - {name: acme/approver-1, organisation: acme, keys: [%s]}
          - {name: acme/approver-2, organisation: acme, keys: [%s]}
          - {name: acme/approver-3, organisation: acme, keys: [%s]}
        roles:
          - {identities: [acme/data], kinds: [dataset-ingest], chains: ["acme/**"]}
          - {identities: [acme/trainer], kinds: [training, fine-tune, conversion, approval], chains: ["acme/**"]}
          - {identities: [acme/evaluator], kinds: [evaluation], chains: ["acme/**"]}
          - {identities: [acme/release-bot], kinds: [release], chains: ["acme/*"]}
          - {identities: ["acme/approver-*"], kinds: [approval], chains: ["acme/**"]}
        rules:
        %s
        """.formatted(data.pub(), trainer.pub(), evaluator.pub(), releaseBot.pub(), approver1.pub(), approver2.pub(),
        approver3.pub(), rules.isBlank() ? "  []" : rules.indent(2).stripTrailing()));
  }

  private JsonNode ingest() {
    return w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus,
        "--param", "license=CC-BY-4.0");
  }

  private JsonNode train() {
    return w.record(ledger, trainer, "training", "acme/m", "--input", "corpus:dataset=" + corpus,
        "--output", "model=" + model);
  }

  private JsonNode evaluate(Path what, String metric) {
    return w.record(ledger, evaluator, "evaluation", "acme/m", "--input", "model=" + what, "--metric", metric);
  }

  private JsonNode release(World.Signer by, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("--output", "model=" + model, "--version", "1.0"));
    a.addAll(List.of(extra));
    return w.record(ledger, by, "release", "acme/m", a.toArray());
  }

  private JsonNode approve(World.Signer by, JsonNode subject) {
    return w.record(ledger, by, "approval", "acme/m", "--subject", subject.get("hash").textValue());
  }

  private Cli.Result verify(Path policy) {
    return w.verify(policy, List.of(ledger));
  }

  /** The one error of {@code r}: its code and entry; fails unless there is exactly one. */
  private static JsonNode onlyError(Cli.Result r) {
    List<JsonNode> errors = new ArrayList<>();
    r.json().get("findings").forEach(f -> {
      if (f.get("severity").textValue().equals("ERROR")) {
        errors.add(f);
      }
    });
    assertThat(errors).as(r.out()).hasSize(1);
    return errors.get(0);
  }

  private static void assertRuleViolation(Cli.Result r, String rule, String at) {
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    JsonNode f = onlyError(r);
    assertThat(f.get("code").textValue()).isEqualTo("RULE_VIOLATION");
    assertThat(World.at(f)).isEqualTo(at);
    assertThat(f.get("message").textValue()).startsWith("rule '" + rule + "':");
    if (f.has("rule")) { // the JSON report's rule member (report schema v1)
      assertThat(f.get("rule").textValue()).isEqualTo(rule);
    }
  }

  private static final String RELEASE_AFTER_EVALUATION = """
      - id: release-after-evaluation
        requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}
      """;

  // ---------------------------------------------------------------- requirePredecessor

  @Test
  void releaseAfterEvaluation_evaluatedThenReleased_isVerified() {
    ingest();
    train();
    evaluate(model, "accuracy=0.9");
    release(releaseBot);

    Cli.Result r = verify(policy(RELEASE_AFTER_EVALUATION));

    assertThat(r.code()).as(r.toString()).isZero();
  }

  @Test
  void releaseAfterEvaluation_releaseWithoutEvaluation_isRuleViolation() {
    ingest();
    train();
    release(releaseBot);

    Cli.Result r = verify(policy(RELEASE_AFTER_EVALUATION));

    assertRuleViolation(r, "release-after-evaluation", "acme/m:2");
    assertThat(onlyError(r).get("message").textValue()).contains("has no earlier 'evaluation' step of that exact"
        + " model");
  }

  @Test
  void releaseAfterEvaluation_reports_textJsonAndHtmlNameTheRuleAndMarkTheStep() throws Exception {
    ingest();
    train();
    release(releaseBot);
    Path policy = policy(RELEASE_AFTER_EVALUATION);

    List<Object> a = new ArrayList<>(List.of("verify", "--policy", policy));
    a.addAll(World.ledgerArgs(List.of(ledger)));
    Cli.Result text = Cli.run(a.toArray());
    assertThat(text.code()).as(text.toString()).isEqualTo(1);
    assertThat(text.out()).contains("RULE_VIOLATION").contains("rule 'release-after-evaluation'");

    Cli.Result json = verify(policy);
    assertThat(json.json().get("verified").booleanValue()).isFalse();
    assertRuleViolation(json, "release-after-evaluation", "acme/m:2");

    Path page = tmp.resolve("report.html");
    Cli.Result html = w.verifyAs("html", policy, List.of(ledger), "--out", page);
    assertThat(html.code()).isEqualTo(1);
    String h = java.nio.file.Files.readString(page);
    assertThat(h).contains("data-verdict=\"FAILED\"")
        .contains("data-code=\"RULE_VIOLATION\" data-severity=\"ERROR\" data-entry=\"acme/m:2\"")
        .contains("release-after-evaluation")
        .contains("data-entry=\"acme/m:2\" data-kind=\"release\"");
  }

  @Test
  void releaseAfterEvaluation_evaluationAfterTheRelease_isRuleViolation() {
    ingest();
    train();
    release(releaseBot);
    evaluate(model, "accuracy=0.9");

    assertRuleViolation(verify(policy(RELEASE_AFTER_EVALUATION)), "release-after-evaluation", "acme/m:2");
  }

  @Test
  void sameModel_evaluationOfOtherWeights_isRuleViolation() {
    Path other = w.model(name + "-other-weights", 12, 0f); // a checkpoint that was evaluated, not the one released
    ingest();
    w.record(ledger, trainer, "training", "acme/m", "--input", "corpus:dataset=" + corpus, "--output",
        "model=" + model, "--output", "checkpoint:model=" + other);
    evaluate(other, "accuracy=0.95");
    release(releaseBot);

    Cli.Result r = verify(policy(RELEASE_AFTER_EVALUATION));

    assertRuleViolation(r, "release-after-evaluation", "acme/m:3");
    assertThat(onlyError(r).get("message").textValue()).contains(World.digest(model));
  }

  // ---------------------------------------------------------------- separationOfDuties

  private static final String TRAINER_NOT_APPROVER = """
      - id: approver-not-trainer
        separationOfDuties: {kinds: [approval], distinctFrom: [training, fine-tune], by: identity}
      """;

  @Test
  void separationOfDuties_trainerApprovesOwnRelease_isRuleViolation() {
    ingest();
    train();
    JsonNode rel = release(releaseBot);
    approve(trainer, rel);

    Cli.Result r = verify(policy(TRAINER_NOT_APPROVER));

    assertRuleViolation(r, "approver-not-trainer", "acme/m:3");
    assertThat(onlyError(r).get("message").textValue()).contains("'acme/trainer'").contains("'training' 'acme/m:1'");
  }

  @Test
  void separationOfDuties_anotherIdentityApproves_isVerified() {
    ingest();
    train();
    approve(approver1, release(releaseBot));

    assertThat(verify(policy(TRAINER_NOT_APPROVER)).code()).isZero();
  }

  // ---------------------------------------------------------------- roles

  @Test
  void role_trainerSignsARelease_isRoleViolationNamingIdentityKindAndChain() {
    ingest();
    train();
    release(trainer);

    Cli.Result r = verify(policy(""));

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    JsonNode f = onlyError(r);
    assertThat(f.get("code").textValue()).isEqualTo("ROLE_VIOLATION");
    assertThat(World.at(f)).isEqualTo("acme/m:2");
    assertThat(f.get("message").textValue()).contains("'acme/trainer'").contains("'release'").contains("'acme/m'")
        .contains("acme/release-bot");
  }

  @Test
  void role_releaseOnANestedChainTheRoleDoesNotCover_isRoleViolation() {
    // The release bot may release on acme/* only; acme/m/experiments is two segments deep.
    w.record(ledger, data, "dataset-ingest", "acme/m/experiments", "--output", "corpus:dataset=" + corpus,
        "--param", "license=CC-BY-4.0");
    w.record(ledger, trainer, "training", "acme/m/experiments", "--input", "corpus:dataset=" + corpus, "--output",
        "model=" + model);
    w.record(ledger, releaseBot, "release", "acme/m/experiments", "--output", "model=" + model, "--version", "0.1");

    Cli.Result r = verify(policy(""));

    assertThat(onlyError(r).get("code").textValue()).isEqualTo("ROLE_VIOLATION");
    assertThat(World.at(onlyError(r))).isEqualTo("acme/m/experiments:2");
  }

  // ---------------------------------------------------------------- approvals (k of n)

  private static final String TWO_APPROVALS = """
      - id: two-approvals
        approvals: {kind: release, count: 2, identities: ["acme/approver-*"]}
      """;

  @Test
  void approvals_twoOfThreeApprovers_isVerified() {
    ingest();
    train();
    JsonNode rel = release(releaseBot);
    approve(approver1, rel);
    approve(approver3, rel);

    assertThat(verify(policy(TWO_APPROVALS)).code()).isZero();
  }

  @Test
  void approvals_oneApprovalOnly_isRuleViolation() {
    ingest();
    train();
    JsonNode rel = release(releaseBot);
    approve(approver2, rel);

    Cli.Result r = verify(policy(TWO_APPROVALS));

    assertRuleViolation(r, "two-approvals", "acme/m:2");
    assertThat(onlyError(r).get("message").textValue()).contains("has 1 of the 2 approvals");
  }

  @Test
  void approvals_sameApproverTwice_countsOnce() {
    ingest();
    train();
    JsonNode rel = release(releaseBot);
    approve(approver2, rel);
    approve(approver2, rel);

    assertRuleViolation(verify(policy(TWO_APPROVALS)), "two-approvals", "acme/m:2");
  }

  @Test
  void approvals_approvalByAnIdentityOutsideThePattern_doesNotCount() {
    ingest();
    train();
    JsonNode rel = release(releaseBot);
    approve(approver1, rel);
    approve(trainer, rel);

    Cli.Result r = verify(policy(TWO_APPROVALS));

    assertRuleViolation(r, "two-approvals", "acme/m:2");
    assertThat(onlyError(r).get("message").textValue()).contains("not counted: 'acme/trainer'");
  }

  // ---------------------------------------------------------------- requireParameter

  private static final String DATASET_LICENCE = """
      - id: dataset-licence
        requireParameter: {kind: dataset-ingest, parameter: license}
      """;

  @Test
  void requireParameter_datasetWithoutLicence_isRuleViolation() {
    w.record(ledger, data, "dataset-ingest", "acme/m", "--output", "corpus:dataset=" + corpus, "--param",
        "source=s3://acme/raw");
    train();

    Cli.Result r = verify(policy(DATASET_LICENCE));

    assertRuleViolation(r, "dataset-licence", "acme/m:0");
    assertThat(onlyError(r).get("message").textValue()).contains("lacks parameter 'license'");
  }

  @Test
  void requireParameter_datasetWithLicence_isVerified() {
    ingest();
    train();

    assertThat(verify(policy(DATASET_LICENCE)).code()).isZero();
  }

  // ---------------------------------------------------------------- CEL

  private static final String EU_ONLY = """
      - id: eu-only
        cel: {kind: release, expression: "event.parameters['region'] == 'eu'"}
      """;

  @Test
  void cel_releaseOutsideTheRegion_isRuleViolation() {
    ingest();
    train();
    release(releaseBot, "--param", "region=us");

    Cli.Result r = verify(policy(EU_ONLY));

    assertRuleViolation(r, "eu-only", "acme/m:2");
  }

  @Test
  void cel_releaseWithoutTheParameter_isRuleViolationNotAPass() {
    ingest();
    train();
    release(releaseBot);

    assertRuleViolation(verify(policy(EU_ONLY)), "eu-only", "acme/m:2");
  }

  @Test
  void cel_releaseInTheRegion_isVerified() {
    ingest();
    train();
    release(releaseBot, "--param", "region=eu");

    assertThat(verify(policy(EU_ONLY)).code()).isZero();
  }

  // ---------------------------------------------------------------- the "Why", with and without a policy

  private Cli.Result trustOnly() {
    List<Object> a = new ArrayList<>(List.of("verify", "--trust", w.keys));
    a.addAll(World.ledgerArgs(List.of(ledger)));
    a.addAll(List.of("--format", "json"));
    return Cli.run(a.toArray());
  }

  @Test
  void why_fineTuneOfARandomBaseDigest_failsUnderThePolicyAndWarnsUnderTrust() {
    ingest();
    String random = "sha256:" + "5e".repeat(32);
    w.record(ledger, trainer, "fine-tune", "acme/m", "--input", "base:model=" + random, "--input",
        "corpus:dataset=" + corpus, "--output", "model=" + model);

    Cli.Result strict = verify(policy(""));
    assertThat(strict.code()).as(strict.toString()).isEqualTo(1);
    JsonNode f = onlyError(strict);
    assertThat(f.get("code").textValue()).isEqualTo("LINEAGE_INPUT_UNPROVEN");
    assertThat(World.at(f)).isEqualTo("acme/m:1");
    assertThat(f.get("message").textValue()).contains(random).contains("'base'");

    Cli.Result trust = trustOnly();
    assertThat(trust.code()).as(trust.toString()).isZero();
    assertThat(World.codes(trust, "WARNING")).contains("LINEAGE_INPUT_UNPROVEN");
  }

  @Test
  void why_releaseOfAModelNoStepProduced_failsUnderThePolicyAndWarnsUnderTrust() {
    ingest();
    release(releaseBot);

    Cli.Result strict = verify(policy(""));
    assertThat(strict.code()).as(strict.toString()).isEqualTo(1);
    JsonNode f = onlyError(strict);
    assertThat(f.get("code").textValue()).isEqualTo("RELEASE_UNPRODUCED");
    assertThat(World.at(f)).isEqualTo("acme/m:1");

    Cli.Result trust = trustOnly();
    assertThat(trust.code()).as(trust.toString()).isZero();
    assertThat(World.codes(trust, "WARNING")).contains("RELEASE_UNPRODUCED");
  }

  @Test
  void why_approvalOfAnEntryThatDoesNotExist_failsWithThePolicyAndWithTrust() {
    ingest();
    train();
    w.record(ledger, approver1, "approval", "acme/m", "--subject", "sha256:" + "ab".repeat(32));

    Cli.Result strict = verify(policy(""));
    assertThat(strict.code()).as(strict.toString()).isEqualTo(1);
    assertThat(onlyError(strict).get("code").textValue()).isEqualTo("SUBJECT_NOT_FOUND");
    assertThat(World.at(onlyError(strict))).isEqualTo("acme/m:2");

    Cli.Result trust = trustOnly();
    assertThat(trust.code()).as(trust.toString()).isEqualTo(1);
    assertThat(World.codes(trust, "ERROR")).containsExactly("SUBJECT_NOT_FOUND");
  }

  @Test
  void why_negativeAccuracy_failsUnderAMetricRuleAndPassesUnderTrust() {
    ingest();
    train();
    evaluate(model, "accuracy=-5");
    release(releaseBot);

    Cli.Result strict = verify(policy("""
        - id: accuracy
          metric: {name: accuracy, min: 0}
        """));
    assertRuleViolation(strict, "accuracy", "acme/m:3");
    assertThat(onlyError(strict).get("message").textValue()).contains("accuracy = -5, below the minimum 0");

    Cli.Result trust = trustOnly();
    assertThat(trust.code()).as(trust.toString()).isZero(); // --trust has no rules: the "Why" still passes there
  }
}
