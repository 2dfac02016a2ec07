package dev.custody.verify.policy;

import static dev.custody.verify.policy.TestSteps.approval;
import static dev.custody.verify.policy.TestSteps.evaluation;
import static dev.custody.verify.policy.TestSteps.fineTune;
import static dev.custody.verify.policy.TestSteps.model;
import static dev.custody.verify.policy.TestSteps.ingest;
import static dev.custody.verify.policy.TestSteps.release;
import static dev.custody.verify.policy.TestSteps.training;
import static dev.custody.verify.policy.TestSteps.transfer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import java.time.Instant;
import dev.custody.core.TestPki;
import dev.custody.core.jws.Pem;
import java.util.Optional;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.policy.TestSteps.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rule shape, and custody transfers, over a small set of real steps. */
class PolicyEvaluatorTest {
  static final List<String> IDENTITIES = List.of("acme/trainer", "acme/evaluator", "acme/approver-1",
      "acme/approver-2", "acme/release-bot", "basecorp/tuner", "basecorp/approver");

  @TempDir
  static Path dir;
  static String identities;

  @BeforeAll
  static void keys() throws Exception {
    StringBuilder b = new StringBuilder("identities:\n");
    for (String id : IDENTITIES) {
      String file = id.replace('/', '_') + ".pub";
      Files.writeString(dir.resolve(file), Pem.encode(TestPki.ed25519().getPublic().getEncoded(), "PUBLIC KEY"));
      b.append("  - {name: ").append(id).append(", organisation: ").append(id, 0, id.indexOf('/'))
          .append(", keys: [").append(file).append("]}\n");
    }
    identities = b.toString();
  }

  static int n;

  static TrustPolicy policy(String more) throws Exception {
    Path p = dir.resolve("policy-" + (n++) + ".yaml");
    return TrustPolicy.load(Files.writeString(p, "version: custody/policy/v1\norganisations: {acme: {}, basecorp: {}}\n"
        + identities + more));
  }

  static List<PolicyFinding> evaluate(TrustPolicy p, TestSteps steps) {
    return new PolicyEvaluator(p).evaluate(steps);
  }

  static List<String> messages(List<PolicyFinding> f) {
    return f.stream().map(x -> x.finding().message()).toList();
  }

  /** dataset → training → evaluation → release on acme/falcon, by separate identities. */
  static TestSteps happyLineage() {
    TestSteps s = new TestSteps();
    s.add("acme/corpus", "acme/trainer", ingest("corpus", "CC-BY-4.0"));
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.91"));
    s.add("acme/falcon", "acme/release-bot", release("falcon", Map.of("region", "eu")));
    return s;
  }

  static final String ALL_RULES = """
      rules:
        - id: release-after-evaluation
          requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}
        - id: evaluator-not-trainer
          separationOfDuties: {kinds: [evaluation, approval], distinctFrom: [training, fine-tune]}
        - id: accuracy
          metric: {name: accuracy, min: 0.8, max: 1}
        - id: dataset-licence
          requireParameter: {kind: dataset-ingest, parameter: license}
        - id: eu-only
          cel: {kind: release, expression: "event.parameters['region'] == 'eu'"}
      """;

  @Test
  void evaluate_happyLineage_hasNoFinding() throws Exception {
    assertThat(evaluate(policy(ALL_RULES), happyLineage())).isEmpty();
  }

  @Test
  void evaluate_trustAll_checksNothing() {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", release("falcon"));
    assertThat(evaluate(TrustPolicy.trustAll(TrustedKeys.of(List.of())), s)).isEmpty();
  }

  /**
   * The rules on several threads give the findings of the rules one after another, in the same order:
   * seeded random lineages that break every rule (and the transfer rules) in many places.
   */
  @Test
  void evaluate_onSeveralThreads_sameFindingsInTheSameOrderAsOneThread() throws Exception {
    TrustPolicy p = policy(ALL_RULES + """
          - id: two-approvals
            approvals: {kind: release, count: 2, identities: ["acme/approver-*"]}
          - id: ordered
            requirePredecessor: {kind: approval, predecessor: evaluation}
        """);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (long seed = 1; seed <= 25; seed++) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        TestSteps s = new TestSteps();
        List<Step> releases = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
          String chain = (rnd.nextBoolean() ? "acme/m" : "basecorp/m") + rnd.nextInt(6);
          String who = IDENTITIES.get(rnd.nextInt(IDENTITIES.size()));
          String m = "m" + rnd.nextInt(12);
          Event e = switch (rnd.nextInt(8)) {
            case 0 -> ingest("d" + rnd.nextInt(5), rnd.nextBoolean() ? "MIT" : " ");
            case 1 -> training("d" + rnd.nextInt(5), m);
            case 2 -> fineTune("m" + rnd.nextInt(12), m);
            case 3 -> evaluation(m, "accuracy", "0." + rnd.nextInt(10));
            case 4 -> release(m, Map.of("region", rnd.nextBoolean() ? "eu" : "us"));
            case 5 -> releases.isEmpty() ? release(m) : approval(releases.get(rnd.nextInt(releases.size())),
                rnd.nextInt(4) == 0 ? "rejected" : "approved");
            case 6 -> transfer(rnd.nextBoolean() ? "acme" : "basecorp", rnd.nextBoolean() ? "basecorp" : "nowhere");
            default -> release(m);
          };
          Step x = s.add(chain, who, e);
          if (e.type().equals(EventType.RELEASE)) {
            releases.add(x);
          }
        }
        PolicyEvaluator evaluator = new PolicyEvaluator(p);
        List<PolicyFinding> one = evaluator.evaluate(s);
        assertThat(one).extracting(f -> f.finding().code()).contains(FindingCode.RULE_VIOLATION,
            FindingCode.CHAIN_NOT_OWNER);
        assertThat(one).extracting(PolicyFinding::rule).contains(Optional.of("two-approvals"), Optional.of("eu-only"),
            Optional.of("dataset-licence"), Optional.of("accuracy"), Optional.of("ordered"));
        assertThat(evaluator.evaluate(s, pool)).containsExactlyElementsOf(one);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- requirePredecessor

  static final String PREDECESSOR = """
      rules:
        - id: release-after-evaluation
          requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}
      """;

  @Test
  void requirePredecessor_releaseWithoutEvaluation_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    List<PolicyFinding> f = evaluate(policy(PREDECESSOR), s);
    assertThat(f).singleElement().satisfies(x -> {
      assertThat(x.rule()).contains("release-after-evaluation");
      assertThat(x.finding().code()).isEqualTo(FindingCode.RULE_VIOLATION);
      assertThat(x.finding().entry().orElseThrow().hash()).contains(r.hash());
      assertThat(x.finding().message()).startsWith("rule 'release-after-evaluation': 'acme/falcon:1' of model "
          + TestSteps.digest("falcon") + " has no earlier 'evaluation' step of that exact model");
    });
  }

  @Test
  void requirePredecessor_evaluationOfOtherWeights_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon-candidate-2", "accuracy", "0.9"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(policy(PREDECESSOR), s)).hasSize(1);
  }

  @Test
  void requirePredecessor_evaluationAfterTheRelease_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.9"));
    assertThat(evaluate(policy(PREDECESSOR), s)).hasSize(1);
  }

  @Test
  void requirePredecessor_evaluationOnAnotherChain_counts() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/evals", "acme/evaluator", evaluation("falcon", "accuracy", "0.9"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(policy(PREDECESSOR), s)).isEmpty();
  }

  @Test
  void requirePredecessor_withoutSameModel_needsOneOnTheChainOrInTheLineage() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: trained-first\n    requirePredecessor: {kind: release, predecessor: training}\n");
    TestSteps ok = new TestSteps();
    ok.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    ok.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(p, ok)).isEmpty();
    TestSteps unrelated = new TestSteps();
    unrelated.add("acme/other", "acme/trainer", training("corpus", "other"));
    unrelated.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(messages(evaluate(p, unrelated))).singleElement().asString()
        .contains("has no earlier 'training' step on its chain or in its lineage");
  }

  // ---- separationOfDuties

  static final String SEPARATION = """
      rules:
        - id: evaluator-not-trainer
          separationOfDuties: {kinds: [evaluation, approval], distinctFrom: [training, fine-tune]}
      """;

  @Test
  void separationOfDuties_trainerEvaluatesOwnModel_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    Step t = s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/trainer", evaluation("falcon", "accuracy", "0.99"));
    assertThat(messages(evaluate(policy(SEPARATION), s))).singleElement().asString()
        .contains("is signed by 'acme/trainer', the identity that also signed 'training' 'acme/falcon:0'");
    assertThat(t).isNotNull();
  }

  @Test
  void separationOfDuties_trainerApprovesOwnRelease_isViolationThroughTheSubject() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/trainer", approval(r, "approved"));
    assertThat(evaluate(policy(SEPARATION), s)).singleElement()
        .satisfies(x -> assertThat(x.finding().entry().orElseThrow().sequence().getAsLong()).isEqualTo(2));
  }

  @Test
  void separationOfDuties_trainerOfTheBaseModelUpstream_isNotTheFineTunesTrainer() throws Exception {
    // The fine-tune's trainer is who fine-tuned it; the walk back stops at the nearest training or fine-tune.
    TestSteps s = new TestSteps();
    s.add("acme/base", "acme/trainer", training("corpus", "base"));
    s.add("acme/falcon", "acme/evaluator", fineTune("base", "falcon"));
    s.add("acme/falcon", "acme/trainer", evaluation("falcon", "accuracy", "0.9"));
    assertThat(evaluate(policy(SEPARATION), s)).isEmpty();
  }

  @Test
  void separationOfDuties_trainerEvaluatesTheQuantizedModel_isFoundThroughTheConversion() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/evaluator", Event.builder(EventType.CONVERSION).input(model("falcon", "model"))
        .output(model("falcon-q4", "model")).details(new EventDetails.Method(Optional.of("q4"))).build());
    s.add("acme/falcon", "acme/trainer", evaluation("falcon-q4", "accuracy", "0.9"));
    assertThat(evaluate(policy(SEPARATION), s)).singleElement()
        .satisfies(x -> assertThat(x.finding().message()).contains("acme/falcon:0"));
  }

  @Test
  void separationOfDuties_byOrganisation_flagsAColleague() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: sod\n    separationOfDuties: {kinds: [evaluation], distinctFrom: [training],"
        + " by: organisation}\n");
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.9"));
    assertThat(messages(evaluate(p, s))).singleElement().asString().contains("the organisation that also signed");
    assertThat(evaluate(policy(SEPARATION), s)).isEmpty();
  }

  // ---- approvals

  static final String APPROVALS = """
      rules:
        - id: two-approvals
          approvals: {kind: release, count: 2, identities: ["acme/approver-*"]}
      """;

  @Test
  void approvals_twoDistinctApprovers_pass() throws Exception {
    TestSteps s = new TestSteps();
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "approved"));
    s.add("acme/falcon", "acme/approver-2", approval(r, "approved"));
    assertThat(evaluate(policy(APPROVALS), s)).isEmpty();
  }

  @Test
  void approvals_oneApproverTwice_countsOnce() throws Exception {
    TestSteps s = new TestSteps();
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "approved"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "approved"));
    assertThat(messages(evaluate(policy(APPROVALS), s))).singleElement().asString()
        .contains("has 1 of the 2 approvals required from [acme/approver-*] (approved by ['acme/approver-1'])");
  }

  @Test
  void approvals_byNonMatchingIdentities_areNotCounted() throws Exception {
    TestSteps s = new TestSteps();
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "approved"));
    s.add("acme/falcon", "acme/trainer", approval(r, "approved"));
    s.add("basecorp/reviews", "basecorp/approver", approval(r, "approved"));
    assertThat(messages(evaluate(policy(APPROVALS), s))).singleElement().asString()
        .contains("not counted: 'acme/trainer' (not among [acme/approver-*]), 'basecorp/approver'");
  }

  @Test
  void approvals_ofAnotherEntry_doNotCount() throws Exception {
    TestSteps s = new TestSteps();
    Step first = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/approver-1", approval(first, "approved"));
    s.add("acme/falcon", "acme/approver-2", approval(first, "approved"));
    s.add("acme/falcon", "acme/release-bot", release("falcon-2"));
    assertThat(evaluate(policy(APPROVALS), s)).singleElement()
        .satisfies(x -> assertThat(x.finding().entry().orElseThrow().sequence().getAsLong()).isEqualTo(3));
  }

  @Test
  void approvals_selfApproval_doesNotCount() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: one\n    approvals: {kind: release, count: 1, identities: [\"acme/*\"]}\n");
    TestSteps s = new TestSteps();
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/release-bot", approval(r, "approved"));
    assertThat(messages(evaluate(p, s))).singleElement().asString().contains("(the step's own signer)");
  }

  @Test
  void approvals_rejectionByAnEligibleApprover_isViolationWhateverTheCount() throws Exception {
    TestSteps s = new TestSteps();
    Step r = s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "approved"));
    s.add("acme/falcon", "acme/approver-2", approval(r, "approved"));
    s.add("acme/falcon", "acme/approver-1", approval(r, "rejected"));
    assertThat(messages(evaluate(policy(APPROVALS), s))).singleElement().asString()
        .contains("was rejected by 'acme/approver-1' in 'acme/falcon:3'");
  }

  // ---- metric

  static final String METRIC = "rules:\n  - id: accuracy\n    metric: {name: accuracy, min: 0.8, max: 1}\n";

  @Test
  void metric_negativeAccuracy_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "-5"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(messages(evaluate(policy(METRIC), s))).singleElement().asString()
        .contains("reports accuracy = -5, below the minimum 0.8");
  }

  @Test
  void metric_aboveMax_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "1.0001"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(messages(evaluate(policy(METRIC), s))).singleElement().asString().contains("above the maximum 1");
  }

  @Test
  void metric_exactlyTheMinimum_passes() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.800"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(policy(METRIC), s)).isEmpty();
  }

  @Test
  void metric_absent_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "toxicity", "0.01"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(messages(evaluate(policy(METRIC), s))).singleElement().asString()
        .contains("no evaluation of that model reports metric 'accuracy'");
  }

  @Test
  void metric_failingEvaluationBesideAPassingOne_isStillViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.5"));
    s.add("acme/falcon", "acme/evaluator", evaluation("falcon", "accuracy", "0.95"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(policy(METRIC), s)).hasSize(1);
  }

  @Test
  void metric_evaluationOfOtherWeights_doesNotCount() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/evaluator", evaluation("other", "accuracy", "0.95"));
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(evaluate(policy(METRIC), s)).hasSize(1);
  }

  // ---- requireParameter

  @Test
  void requireParameter_datasetWithoutLicence_isViolation() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: dataset-licence\n    requireParameter: {kind: dataset-ingest, parameter: license}\n");
    TestSteps s = new TestSteps();
    s.add("acme/corpus", "acme/trainer", ingest("a", "MIT"));
    s.add("acme/corpus", "acme/trainer", ingest("b", null));
    assertThat(messages(evaluate(p, s))).singleElement().asString()
        .contains("'acme/corpus:1' lacks parameter 'license'");
  }

  @Test
  void requireParameter_valueOutsideTheAllowList_isViolation() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: open\n    requireParameter: {kind: dataset-ingest, parameter: license,"
        + " values: [MIT, CC-BY-4.0]}\n");
    TestSteps s = new TestSteps();
    s.add("acme/corpus", "acme/trainer", ingest("a", "proprietary"));
    assertThat(messages(evaluate(p, s))).singleElement().asString()
        .contains("has license = 'proprietary', not one of [MIT, CC-BY-4.0]");
  }

  // ---- cel

  static final String CEL = "rules:\n  - id: eu-only\n    cel: {kind: release, expression: \"event.parameters['region'] == 'eu'\"}\n";

  @Test
  void cel_expressionHolds_passes() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon", Map.of("region", "eu")));
    assertThat(evaluate(policy(CEL), s)).isEmpty();
  }

  @Test
  void cel_expressionFalse_isViolation() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon", Map.of("region", "us")));
    assertThat(messages(evaluate(policy(CEL), s))).singleElement().asString()
        .contains("does not satisfy \"event.parameters['region'] == 'eu'\"".replace('"', '\''))
        .contains("the expression is false");
  }

  @Test
  void cel_missingKey_isViolationNotACrash() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    assertThat(messages(evaluate(policy(CEL), s))).singleElement().asString().contains("cannot be evaluated");
  }

  @Test
  void cel_seesSignerAndArtifacts() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: bot-releases\n    cel: {kind: release, expression: \"event.identity =="
        + " 'acme/release-bot' && event.outputs.exists(o, o.kind == 'model') && event.version == '1.0'\"}\n");
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    s.add("acme/falcon", "acme/trainer", release("falcon-2"));
    assertThat(evaluate(p, s)).singleElement()
        .satisfies(x -> assertThat(x.finding().entry().orElseThrow().sequence().getAsLong()).isEqualTo(1));
  }

  @Test
  void cel_seesTheRunsInvocationAndTimes_aFailedOrUnrecordedRunIsAViolation() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: clean-run\n    cel: {kind: training, expression: \"event.invocation.exitCode == 0"
        + " && event.invocation.command[0] == 'python' && event.startedAt < event.finishedAt\"}\n");
    TestSteps s = new TestSteps();
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    for (int exit : new int[] {0, 7}) {
      s.add("acme/falcon", "acme/trainer", Event.builder(EventType.TRAINING).output(TestSteps.model("m" + exit, "out"))
          .startedAt(start).finishedAt(start.plusSeconds(3600))
          .invocation(new Invocation(List.of("python", "train.py"), exit, "/work")).build());
    }
    s.add("acme/falcon", "acme/trainer", Event.builder(EventType.TRAINING).output(TestSteps.model("m9", "out")).build());

    List<String> found = messages(evaluate(p, s));
    assertThat(found).hasSize(2);
    assertThat(found.get(0)).contains("'acme/falcon:1'").contains("the expression is false");
    assertThat(found.get(1)).contains("'acme/falcon:2'").contains("cannot be evaluated");
  }

  @Test
  void cel_runawayComprehension_isBoundedAndAViolation() throws Exception {
    TrustPolicy p = policy("rules:\n  - id: slow\n    cel: {expression: \"event.inputs.all(a, event.inputs.all(b,"
        + " event.inputs.all(c, true)))\"}\n");
    dev.custody.core.event.Event.Builder b = dev.custody.core.event.Event.builder(dev.custody.core.event.EventType.TRAINING);
    for (int i = 0; i < 100; i++) {
      b.input(TestSteps.model("m" + i, "in-" + i));
    }
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", b.build());
    long start = System.nanoTime();
    assertThat(messages(evaluate(p, s))).singleElement().asString().contains("cannot be evaluated");
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }

  // ---- custody transfers

  @Test
  void transfer_acceptedByTheReceiver_handsTheChainOver() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    Step t = s.add("acme/falcon", "acme/release-bot", transfer("acme", "basecorp"));
    s.add("acme/falcon", "basecorp/approver", approval(t, "approved"));
    s.add("acme/falcon", "basecorp/tuner", fineTune("falcon", "falcon-ft"));
    assertThat(evaluate(policy(""), s)).isEmpty();
  }

  @Test
  void transfer_notAccepted_isTransferNotAccepted() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", release("falcon"));
    Step t = s.add("acme/falcon", "acme/release-bot", transfer("acme", "basecorp"));
    s.add("acme/falcon", "basecorp/tuner", fineTune("falcon", "falcon-ft"));
    assertThat(evaluate(policy(""), s)).singleElement().satisfies(x -> {
      assertThat(x.rule()).isEmpty();
      assertThat(x.finding().code()).isEqualTo(FindingCode.TRANSFER_NOT_ACCEPTED);
      assertThat(x.finding().entry().orElseThrow().hash()).contains(t.hash());
    });
  }

  @Test
  void transfer_acceptanceNotRequired_passesWithoutIt() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", transfer("acme", "basecorp"));
    s.add("acme/falcon", "basecorp/tuner", fineTune("falcon", "falcon-ft"));
    assertThat(evaluate(policy("transfers: {requireAcceptance: false}\n"), s)).isEmpty();
  }

  @Test
  void transfer_formerOwnerAppendsAfterIt_isChainNotOwner() throws Exception {
    TestSteps s = new TestSteps();
    Step t = s.add("acme/falcon", "acme/release-bot", transfer("acme", "basecorp"));
    s.add("acme/falcon", "basecorp/approver", approval(t, "approved"));
    s.add("acme/falcon", "acme/trainer", fineTune("falcon", "falcon-2"));
    assertThat(evaluate(policy(""), s)).singleElement().satisfies(x -> {
      assertThat(x.finding().code()).isEqualTo(FindingCode.CHAIN_NOT_OWNER);
      assertThat(x.finding().message()).contains("organisation 'acme', but the chain belongs to 'basecorp'");
    });
  }

  @Test
  void chain_otherOrganisationAppendsWithoutTransfer_isChainNotOwner() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "basecorp/tuner", fineTune("falcon", "falcon-ft"));
    assertThat(evaluate(policy(""), s)).extracting(x -> x.finding().code()).containsExactly(FindingCode.CHAIN_NOT_OWNER);
  }

  @Test
  void transfer_fromAnOrganisationThatDoesNotOwnTheChain_isTransferInvalid() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/trainer", training("corpus", "falcon"));
    s.add("acme/falcon", "acme/release-bot", transfer("basecorp", "acme"));
    assertThat(evaluate(policy(""), s)).extracting(x -> x.finding().code()).containsExactly(FindingCode.TRANSFER_INVALID);
  }

  @Test
  void transfer_toAnUnknownOrganisation_isTransferInvalidAndMovesNothing() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", transfer("acme", "evilcorp"));
    s.add("acme/falcon", "acme/trainer", fineTune("falcon", "falcon-2"));
    assertThat(evaluate(policy(""), s)).extracting(x -> x.finding().code()).containsExactly(FindingCode.TRANSFER_INVALID);
  }

  @Test
  void transfer_lastStepOfTheChain_awaitsAcceptanceAsAWarning() throws Exception {
    TestSteps s = new TestSteps();
    s.add("acme/falcon", "acme/release-bot", transfer("acme", "basecorp"));
    assertThat(evaluate(policy(""), s)).singleElement().satisfies(x -> {
      assertThat(x.finding().code()).isEqualTo(FindingCode.TRANSFER_NOT_ACCEPTED);
      assertThat(x.finding().severity()).isEqualTo(Severity.WARNING);
    });
  }
}
