package dev.custody.verify.lineage;

import static dev.custody.verify.lineage.TestSteps.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The lineage graph over hand-built steps (the payloads are real {@link EntryPayload}s; signatures
 * are the replay's business and are covered by {@code LineageVerificationTest} end to end).
 */
class LineageGraphTest {

  static List<FindingCode> codes(LineageGraph g) {
    return g.findings().stream().map(Finding::code).toList();
  }

  @Test
  void build_honestLineage_linksEveryUseToItsProducerWithoutFindings() {
    Ledger l = honest();
    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(g.findings()).isEmpty();
    Step ingest = l.steps.get(0);
    Step training = l.steps.get(1);
    Step evaluation = l.steps.get(2);
    Step release = l.steps.get(3);
    assertThat(g.network().successors(ingest)).containsExactly(training);
    assertThat(g.network().successors(training)).containsExactlyInAnyOrder(evaluation, release);
    assertThat(g.producersOf(BASE)).containsExactly(training);
    assertThat(g.releasesOf(BASE)).containsExactly(release);
    assertThat(g.ancestors(release)).containsExactly(training, ingest);
    Link link = g.network().edgesConnecting(training, release).iterator().next();
    assertThat(link.type()).isEqualTo(Link.Type.ARTIFACT);
    assertThat(link.digest()).isEqualTo(BASE);
    assertThat(link.fromName()).isEqualTo("model");
  }

  @Test
  void build_fineTuneOfRandomBase_isUnprovenInputBySeverityOfSettings() {
    Ledger l = honest();
    Digest random = digest("nobody made this");
    Step ft = l.add("acme/m", event(EventType.FINE_TUNE, List.of(model("base", random)), List.of(model("model", TUNED))));

    LineageGraph strict = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());
    assertThat(codes(strict)).containsExactly(FindingCode.LINEAGE_INPUT_UNPROVEN);
    Finding f = strict.findings().get(0);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.entry()).contains(ft.ref());
    assertThat(f.message()).contains("fine-tune acme/m:4", "'base'", random.toString(), "externalRoots");
    assertThat(strict.rootsOf(ft)).singleElement().satisfies(r -> assertThat(r.isDeclared()).isFalse());

    LineageGraph lenient = LineageGraph.build(l.steps, LineageSettings.lenient(), List.of());
    assertThat(lenient.findings()).singleElement().satisfies(x -> assertThat(x.severity()).isEqualTo(Severity.WARNING));

    java.util.EnumMap<LineageSettings.Check, LineageSettings.Level> levels =
        new java.util.EnumMap<>(LineageSettings.strict().levels());
    levels.put(LineageSettings.Check.INPUT_UNPROVEN, LineageSettings.Level.OFF);
    LineageSettings off = new LineageSettings(levels, LineageSettings.strict().backedKinds());
    assertThat(LineageGraph.build(l.steps, off, List.of()).findings()).isEmpty();
  }

  @Test
  void build_declaredExternalRoot_acceptsTheInputAndShowsItAsRoot() {
    Ledger l = new Ledger("acme");
    Step ft = l.add("acme/m", event(EventType.FINE_TUNE, List.of(model("base", BASE)), List.of(model("model", TUNED))));
    ExternalRoot llama = new ExternalRoot(BASE, ArtifactKind.MODEL, "llama-3-8b", Optional.of("meta"), "policy.yaml:7:5");

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of(llama));

    assertThat(g.findings()).isEmpty();
    assertThat(g.rootsOf(ft)).singleElement().satisfies(r -> {
      assertThat(r.declared()).contains(llama);
      assertThat(r.artifact().name()).isEqualTo("base");
    });
    assertThat(llama.describe()).isEqualTo("llama-3-8b (published by meta)");
  }

  @Test
  void build_externalRootOfAnotherKind_doesNotBackTheInput() {
    Ledger l = new Ledger("acme");
    l.add("acme/m", event(EventType.TRAINING, List.of(dataset("train", BASE)), List.of(model("model", TUNED))));
    ExternalRoot onlyAsModel = new ExternalRoot(BASE, ArtifactKind.MODEL, "base", Optional.empty(), "policy.yaml:7:5");

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of(onlyAsModel));

    assertThat(codes(g)).containsExactly(FindingCode.LINEAGE_INPUT_UNPROVEN);
  }

  @Test
  void build_releaseOfUnproducedModel_isReleaseUnproduced() {
    Ledger l = honest();
    Digest other = digest("weights nobody trained");
    Step release = l.add("acme/m", event(EventType.RELEASE, List.of(), List.of(model("model", other))));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.RELEASE_UNPRODUCED);
    assertThat(g.findings().get(0).entry()).contains(release.ref());
    assertThat(g.findings().get(0).message()).contains("release acme/m:4 releases 'model' " + other);
  }

  @Test
  void build_producerLaterInTheLog_doesNotBackAnEarlierUse() {
    Ledger l = new Ledger("acme");
    Step eval = l.add("acme/m", event(EventType.FINE_TUNE, List.of(model("base", BASE)), List.of()));
    l.add("acme/m", event(EventType.TRAINING, List.of(), List.of(model("model", BASE))));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.LINEAGE_INPUT_UNPROVEN);
    assertThat(g.findings().get(0).entry()).contains(eval.ref());
    assertThat(g.findings().get(0).message()).contains("later in the log (log index 1)");
    assertThat(g.network().inDegree(eval)).isZero();
  }

  @Test
  void build_evaluationOfUnproducedWeights_isEvaluationUnproduced() {
    Ledger l = honest();
    Digest other = digest("weights nobody trained");
    Step eval = l.add("acme/m", event(EventType.EVALUATION, List.of(model("model", other)), List.of()));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.EVALUATION_UNPRODUCED);
    assertThat(g.findings().get(0).entry()).contains(eval.ref());
    assertThat(g.findings().get(0).message()).contains("evaluation acme/m:4 evaluates 'model' " + other);
  }

  @Test
  void build_twoChainsProduceTheSameDigest_isClaimedTwiceOnTheSecond() {
    Ledger l = new Ledger("acme");
    l.add("acme/a", event(EventType.TRAINING, List.of(), List.of(model("model", BASE))));
    Step copy = l.add("acme/b", event(EventType.TRAINING, List.of(), List.of(model("weights", BASE))));
    l.add("acme/a", event(EventType.CONVERSION, List.of(model("model", BASE)), List.of(model("model", BASE))));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.DIGEST_CLAIMED_TWICE);
    assertThat(g.findings().get(0).entry()).contains(copy.ref());
    assertThat(g.findings().get(0).message()).contains("training acme/b:0", "training acme/a:0");
  }

  @Test
  void build_sameChainReproducesADigest_isNoFinding() {
    Ledger l = new Ledger("acme");
    l.add("acme/a", event(EventType.TRAINING, List.of(), List.of(model("model", BASE))));
    l.add("acme/a", event(EventType.TRAINING, List.of(), List.of(model("model", BASE))));

    assertThat(LineageGraph.build(l.steps, LineageSettings.strict(), List.of()).findings()).isEmpty();
  }

  @Test
  void build_acrossLedgers_linksABaseReleasedByOneOrganisationToAFineTuneByAnother() {
    Ledger base = honest();
    Ledger ft = new Ledger("other");
    ft.time = 100;
    Step tune = ft.add("other/ft", event(EventType.FINE_TUNE, List.of(model("base", BASE)), List.of(model("model", TUNED))));
    Step quant = ft.add("other/ft", event(EventType.CONVERSION, List.of(model("model", TUNED)),
        List.of(model("model", QUANT))));
    Step rel = ft.add("other/ft", event(EventType.RELEASE, List.of(), List.of(model("model", QUANT))));
    List<Step> all = new ArrayList<>(ft.steps);
    all.addAll(base.steps);

    LineageGraph g = LineageGraph.build(all, LineageSettings.strict(), List.of());

    assertThat(g.findings()).isEmpty();
    assertThat(g.severalLedgers()).isTrue();
    assertThat(g.ancestors(rel)).containsExactly(quant, tune, base.steps.get(1), base.steps.get(0));
    assertThat(g.steps().get(0).ledger()).isEqualTo("acme");
    assertThat(g.lineageRoots(rel)).isEmpty();
  }

  @Test
  void build_acrossLedgersProducerClaimsALaterTime_isTimeReversedWarning() {
    Ledger base = honest();
    Ledger ft = new Ledger("other");
    Step tune = ft.add("other/ft", event(EventType.FINE_TUNE, List.of(model("base", BASE)), List.of(model("model", TUNED))),
        T0.minusSeconds(3600));
    List<Step> all = new ArrayList<>(base.steps);
    all.addAll(ft.steps);

    LineageGraph g = LineageGraph.build(all, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.LINEAGE_TIME_REVERSED);
    assertThat(g.findings().get(0).severity()).isEqualTo(Severity.WARNING);
    assertThat(g.findings().get(0).entry()).contains(tune.ref());
    assertThat(g.findings().get(0).message()).contains("in 'acme'", "in 'other'");
  }

  @Test
  void build_ledgersThatEachUseTheOthersProduct_isACycle() {
    Ledger a = new Ledger("a");
    a.add("a/m", event(EventType.TRAINING, List.of(model("in", BASE)), List.of(model("out", TUNED))));
    Ledger b = new Ledger("b");
    b.add("b/m", event(EventType.TRAINING, List.of(model("in", TUNED)), List.of(model("out", BASE))));
    List<Step> all = new ArrayList<>(a.steps);
    all.addAll(b.steps);

    LineageGraph g = LineageGraph.build(all, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.LINEAGE_CYCLE);
    assertThat(g.findings().get(0).message()).contains("training a/m:0 in 'a' -> training b/m:0 in 'b' -> training a/m:0");
  }

  @Test
  void dependencyOrder_ledgerWhoseLabelSortsFirstUsesTheOther_keepsItsOwnLogOrder() {
    // "a" evaluates acme's base first (entry 0), then trains on its own (entries 1, 2) and releases (3):
    // entry 0 waits for acme's training; 1 to 3 do not, yet they stay after 0, as a's log has them.
    Ledger acme = honest();
    Ledger a = new Ledger("a");
    Step eval = a.add("a/m", event(EventType.EVALUATION, List.of(model("base", BASE)), List.of()));
    Step ingest = a.add("a/m", event(EventType.DATASET_INGEST, List.of(), List.of(dataset("d", digest("a data")))));
    Step train = a.add("a/m", event(EventType.TRAINING, List.of(dataset("d", digest("a data"))),
        List.of(model("model", digest("a model")))));
    Step rel = a.add("a/m", event(EventType.RELEASE, List.of(), List.of(model("model", digest("a model")))));
    List<Step> all = new ArrayList<>(a.steps);
    all.addAll(acme.steps);

    List<Step> order = LineageGraph.build(all, LineageSettings.strict(), List.of()).dependencyOrder();

    assertThat(order.stream().filter(s -> s.ledger().equals("a")).toList()).containsExactly(eval, ingest, train, rel);
    assertThat(order.indexOf(acme.steps.get(1))).isLessThan(order.indexOf(eval)); // the training before its use
    assertThat(order.stream().filter(s -> s.ledger().equals("acme")).toList()).containsExactlyElementsOf(acme.steps);
  }

  @Test
  void dependencyOrder_ledgersWaitingOnEachOther_stillKeepsEachLogOrderAndEveryStep() {
    Ledger a = new Ledger("a");
    Step a0 = a.add("a/m", event(EventType.TRAINING, List.of(model("in", BASE)), List.of(model("out", TUNED))));
    Step a1 = a.add("a/m", event(EventType.DATASET_INGEST, List.of(), List.of()));
    Ledger b = new Ledger("b");
    Step b0 = b.add("b/m", event(EventType.TRAINING, List.of(model("in", TUNED)), List.of(model("out", BASE))));
    List<Step> all = new ArrayList<>(b.steps);
    all.addAll(a.steps);

    List<Step> order = LineageGraph.build(all, LineageSettings.strict(), List.of()).dependencyOrder();

    assertThat(order).containsExactly(a0, a1, b0);
  }

  @Test
  void build_approval_linksToItsSubjectEntry() {
    Ledger l = honest();
    Step release = l.steps.get(3);
    Step approval = l.add("acme/m", approval(release.hash()));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(g.findings()).isEmpty();
    Link link = g.network().edgesConnecting(release, approval).iterator().next();
    assertThat(link.type()).isEqualTo(Link.Type.SUBJECT);
    assertThat(g.step(release.hash())).contains(release);
  }

  @Test
  void build_datasetIngestInputsAndCodeInputs_areNotRequiredToBeBacked() {
    Ledger l = new Ledger("acme");
    l.add("acme/d", event(EventType.DATASET_INGEST, List.of(dataset("raw", digest("s3 dump"))),
        List.of(dataset("corpus", DATA))));
    Step t = l.add("acme/m", event(EventType.TRAINING, List.of(dataset("train", DATA),
        ArtifactRef.of("script", ArtifactKind.CODE, digest("train.py"))), List.of(model("model", BASE))));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(g.findings()).isEmpty();
    assertThat(g.rootsOf(t)).singleElement().satisfies(r -> assertThat(r.artifact().name()).isEqualTo("script"));
  }

  @Test
  void build_comparison_producesNothingAndItsInputsNeedNotBeBacked() {
    // A comparison is analysis, not a lifecycle step: comparing the lineage's model with one nobody
    // recorded (a suspect copy, a competitor's model) is its purpose, so the unproduced side is no gap.
    Ledger l = honest();
    Step training = l.steps.get(1);
    Digest suspect = digest("a model found elsewhere");
    Step cmp = l.add("audit/cases", dev.custody.core.derivation.Summaries.event(BASE, suspect,
        dev.custody.core.derivation.Summaries.unrelated()));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(g.findings()).isEmpty();
    assertThat(g.rootsOf(cmp)).isEmpty();
    assertThat(g.producersOf(suspect)).isEmpty();
    assertThat(g.producersOf(BASE)).containsExactly(training);
    // It is linked to the producer of the model it compared (for display), and nothing depends on it.
    assertThat(g.network().predecessors(cmp)).containsExactly(training);
    assertThat(g.network().successors(cmp)).isEmpty();
    assertThat(LineageGraph.produces(EventType.COMPARISON)).isFalse();
  }

  @Test
  void build_comparisonOfTwoUnproducedModels_isNoFindingEvenUnderStrictSettings() {
    Ledger l = new Ledger("audit");
    Step cmp = l.add("audit/cases", dev.custody.core.derivation.Summaries.event(digest("x"), digest("y"),
        dev.custody.core.derivation.Summaries.fineTune()));
    // A release of one of them is still judged: comparing a model does not produce it.
    l.add("audit/cases", event(EventType.RELEASE, List.of(), List.of(model("model", digest("x")))));

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(codes(g)).containsExactly(FindingCode.RELEASE_UNPRODUCED);
    assertThat(g.rootsOf(cmp)).isEmpty();
  }

  @Test
  void build_hostileCustomKind_isEscapedInMessages() {
    Ledger l = new Ledger("acme");
    EventType hostile = EventType.of("urn:x:\u202Eevil");
    l.add("acme/m", Event.builder(hostile).input(model("base", BASE)).build());

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    assertThat(g.findings()).singleElement().satisfies(f -> {
      assertThat(f.message()).doesNotContain("\u202E");
      assertThat(f.message()).contains("urn:x:\\u202Eevil");
    });
  }

  @Test
  void ancestors_ofAStepNotInTheGraph_isRejected() {
    Ledger l = honest();
    LineageGraph g = LineageGraph.build(l.steps.subList(0, 2), LineageSettings.strict(), List.of());
    assertThatThrownBy(() -> g.ancestors(l.steps.get(3))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a step of this lineage");
  }

  @Test
  void step_environmentIsDropped_andEqualityIsByLedgerAndLogIndex() {
    Ledger l = new Ledger("acme");
    Event withEnv = Event.builder(EventType.TRAINING).environment("host.name", "gpu-1").build();
    Step s = l.add("acme/m", withEnv);
    assertThat(s.event().environment()).isEmpty();
    Step same = new Step("acme", s.ref(), KEY, T0, Event.builder(EventType.ANNOTATION)
        .details(new EventDetails.Annotation("x")).build());
    assertThat(same).isEqualTo(s).hasSameHashCodeAs(s);
    assertThat(new Step("other", s.ref(), KEY, T0, s.event())).isNotEqualTo(s);
  }
}
