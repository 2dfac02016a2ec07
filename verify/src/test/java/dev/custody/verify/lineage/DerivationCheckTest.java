package dev.custody.verify.lineage;

import static dev.custody.verify.lineage.TestSteps.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.derivation.ModelComparison;
import dev.custody.core.derivation.Summaries;
import dev.custody.core.derivation.TestModels;
import dev.custody.core.Digest;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.manifest.HashProgress;
import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsModel;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DerivationCheck} on real safetensors models (written by {@link TestModels}) and lineages of
 * real entry payloads ({@link TestSteps}); the CLI tests cover the same through {@code custody verify
 * --weights} on signed ledgers.
 */
class DerivationCheckTest {
  @TempDir static Path dir;
  static TestModels baseModel;
  static ModelWeights base;
  static ModelWeights tuned;      // a fine-tune of base (update 10% of the weights' spread)
  static ModelWeights sibling;    // another fine-tune of base
  static ModelWeights unrelated;  // same layout, other weights
  static ModelWeights wider;      // another layout altogether
  static ModelWeights bf16;       // base re-quantised

  @BeforeAll
  static void models() throws Exception {
    baseModel = TestModels.transformer(1, 2, 64);
    base = open(baseModel.writeF32(dir.resolve("base")));
    tuned = open(baseModel.fineTuned(0.1, 7).writeF32(dir.resolve("tuned")));
    sibling = open(baseModel.fineTuned(0.05, 8).writeF32(dir.resolve("sibling")));
    unrelated = open(TestModels.transformer(2, 2, 64).writeF32(dir.resolve("unrelated")));
    wider = open(TestModels.transformer(3, 2, 96).writeF32(dir.resolve("wider")));
    bf16 = open(baseModel.write(dir.resolve("bf16"), Dtype.BF16));
  }

  static ModelWeights open(Path p) throws Exception {
    return ModelWeights.open(p, List.of(), HashProgress.NONE);
  }

  static LineageGraph graph(Ledger... ledgers) {
    List<Step> steps = new java.util.ArrayList<>();
    for (Ledger l : ledgers) {
      steps.addAll(l.steps);
    }
    return LineageGraph.build(steps, LineageSettings.lenient(), List.of());
  }

  static List<FindingCode> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  static Event step(EventType kind, Digest in, Digest out) {
    return event(kind, List.of(model("base", in)), List.of(model("model", out)));
  }

  /** A lineage in which {@code producer} makes {@code out} from a dataset alone ("trained from scratch"). */
  static Step trainedFromScratch(Ledger l, String chain, Digest out) {
    l.add(chain, event(EventType.DATASET_INGEST, List.of(), List.of(dataset("corpus", digest(chain)))));
    return l.add(chain, event(EventType.TRAINING, List.of(dataset("train", digest(chain))), List.of(model("model", out))));
  }

  // ---------------------------------------------------------------- claimed derivations, weights at hand

  @Test
  void check_fineTuneOfUnrelatedBase_isUnsupportedNamingTheWeightsCompared() throws Exception {
    Ledger l = new Ledger("acme");
    Step ft = l.add("acme/ft", step(EventType.FINE_TUNE, unrelated.digest(), tuned.digest()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(unrelated, tuned));

    assertThat(codes(fs)).containsExactly(FindingCode.DERIVATION_UNSUPPORTED);
    Finding f = fs.get(0);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.entry()).contains(ft.ref());
    assertThat(f.message()).contains("fine-tune acme/ft:0", "'model'", tuned.digest().toString(), "'base'",
        unrelated.digest().toString(), "unrelated", "mean cosine", "the weights at hand",
        "'" + unrelated.path() + "'", "compared now", "evidence, not proof");
  }

  @Test
  void check_fineTuneOfBaseWithAnotherLayout_isUnsupportedAsNothingInCommon() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, wider.digest(), tuned.digest()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(wider, tuned));

    assertThat(codes(fs)).containsExactly(FindingCode.DERIVATION_UNSUPPORTED);
    assertThat(fs.get(0).message()).contains("no tensor identical, none comparable", "architecture different");
  }

  @Test
  void check_realFineTune_isSupportedWithItsFigures() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, base.digest(), tuned.digest()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(base, tuned));

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DERIVATION_SUPPORTED);
      assertThat(f.severity()).isEqualTo(Severity.INFO);
      assertThat(f.message()).contains("near-copy", "mean cosine 0.99");
    });
  }

  @Test
  void check_requantisation_isSupported() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/q", event(EventType.CONVERSION, List.of(model("model", base.digest())),
        List.of(model("quantized", bf16.digest()))));

    assertThat(codes(DerivationCheck.check(graph(l), List.of(base, bf16))))
        .containsExactly(FindingCode.DERIVATION_SUPPORTED);
  }

  @Test
  void check_conversionToAnotherLayout_isInconclusiveNotUnsupported() throws Exception {
    // Pruning or re-shaping may leave no tensor in place: for a conversion that is no contradiction.
    Ledger l = new Ledger("acme");
    l.add("acme/q", event(EventType.CONVERSION, List.of(model("model", base.digest())),
        List.of(model("pruned", wider.digest()))));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(base, wider));

    assertThat(codes(fs)).containsExactly(FindingCode.DERIVATION_INCONCLUSIVE);
    assertThat(fs.get(0).severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void check_conversionToUnrelatedWeightsOfTheSameLayout_isUnsupported() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/q", event(EventType.CONVERSION, List.of(model("model", base.digest())),
        List.of(model("quantized", unrelated.digest()))));

    assertThat(codes(DerivationCheck.check(graph(l), List.of(base, unrelated))))
        .containsExactly(FindingCode.DERIVATION_UNSUPPORTED);
  }

  @Test
  void check_distillation_isNotJudged() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/d", Event.builder(EventType.CONVERSION).input(model("teacher", base.digest()))
        .output(model("student", unrelated.digest())).details(new EventDetails.Method(Optional.of("distillation-kd")))
        .build());

    assertThat(DerivationCheck.check(graph(l), List.of(base, unrelated))).isEmpty();
  }

  @Test
  void check_mergeWithAnUnrelatedInput_isUnsupportedForThatInputOnly() throws Exception {
    Ledger l = new Ledger("acme");
    Step m = l.add("acme/m", event(EventType.MERGE, List.of(model("base-a", base.digest()),
        model("base-b", unrelated.digest())), List.of(model("model", tuned.digest()))));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(base, unrelated, tuned));

    assertThat(codes(fs)).containsExactly(FindingCode.DERIVATION_SUPPORTED, FindingCode.DERIVATION_UNSUPPORTED);
    assertThat(fs.get(1).message()).contains("'base-b'").doesNotContain("'base-a'");
    assertThat(fs.get(1).entry()).contains(m.ref());
  }

  @Test
  void check_weightsOfOnlyOneSide_judgeNothing() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, unrelated.digest(), tuned.digest()));

    assertThat(DerivationCheck.check(graph(l), List.of(tuned))).isEmpty();
  }

  // ---------------------------------------------------------------- undeclared copies

  @Test
  void check_modelTrainedFromScratchThatIsANearCopyOfAnotherModel_isUndeclared() throws Exception {
    Ledger l = new Ledger("acme");
    Step training = trainedFromScratch(l, "acme/m", tuned.digest());

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(tuned, base));

    assertThat(codes(fs)).containsExactly(FindingCode.WEIGHTS_UNMATCHED, FindingCode.DERIVATION_UNDECLARED);
    Finding f = fs.get(1);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.entry()).contains(training.ref());
    assertThat(f.message()).contains("training acme/m:1 produced " + tuned.digest(), "near-copy of " + base.digest(),
        "the weights at hand '" + base.path() + "'", "neither lineage includes the other");
  }

  @Test
  void check_nearCopyOfTheDeclaredBase_isNoUndeclaredFinding() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, base.digest(), tuned.digest()));

    assertThat(codes(DerivationCheck.check(graph(l), List.of(tuned, base))))
        .containsExactly(FindingCode.DERIVATION_SUPPORTED);
  }

  @Test
  void check_siblingFineTunesOfOneBase_areExplainedByTheirCommonAncestor() throws Exception {
    Ledger l = new Ledger("acme");
    Digest b = digest("base weights, not at hand");
    l.add("acme/ft1", step(EventType.FINE_TUNE, b, tuned.digest()));
    l.add("acme/ft2", step(EventType.FINE_TUNE, b, sibling.digest()));

    assertThat(DerivationCheck.check(graph(l), List.of(tuned, sibling))).isEmpty();
  }

  @Test
  void check_twoModelsTrainedFromScratchThatAreNearCopies_reportedOnceAtTheLaterProducer() throws Exception {
    Ledger acme = new Ledger("acme");
    Ledger other = new Ledger("other");
    Step first = trainedFromScratch(acme, "acme/m", tuned.digest());
    other.time = 100; // later claimed times
    Step second = trainedFromScratch(other, "other/m", sibling.digest());

    List<Finding> fs = DerivationCheck.check(graph(acme, other), List.of(tuned, sibling));

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DERIVATION_UNDECLARED);
      assertThat(f.entry()).contains(second.ref());
      assertThat(f.message()).contains("produced " + sibling.digest(), "near-copy of " + tuned.digest()
          + ", produced by training acme/m:1 in 'acme'");
    });
    assertThat(first.time()).isBefore(second.time());
  }

  @Test
  void check_modelDerivedFromTheOtherDownstream_isExplained() throws Exception {
    // base is produced from scratch; tuned is declared as its fine-tune: base's near-copy tuned is downstream.
    Ledger l = new Ledger("acme");
    trainedFromScratch(l, "acme/m", base.digest());
    l.add("acme/ft", step(EventType.FINE_TUNE, base.digest(), tuned.digest()));

    assertThat(codes(DerivationCheck.check(graph(l), List.of(base, tuned))))
        .containsExactly(FindingCode.DERIVATION_SUPPORTED);
  }

  // ---------------------------------------------------------------- signed comparisons

  @Test
  void check_signedComparisonSayingNothingInCommon_contradictsAClaimedFineTuneWithoutWeights() throws Exception {
    Ledger l = new Ledger("acme");
    Step ft = l.add("acme/ft", step(EventType.FINE_TUNE, BASE, TUNED));
    Step cmp = l.add("audit/cases", Summaries.event(TUNED, BASE, Summaries.unrelated()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of());

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DERIVATION_UNSUPPORTED);
      assertThat(f.entry()).contains(ft.ref());
      assertThat(f.message()).contains("Evidence: the signed comparison audit/cases:0 (entry " + cmp.hash(),
          "signed by key " + KEY, "claimed time " + cmp.time(), "architecture different");
    });
  }

  @Test
  void check_signedComparisonOfARealFineTune_supportsTheClaim() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, BASE, TUNED));
    l.add("audit/cases", Summaries.event(BASE, TUNED, Summaries.fineTune()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of());

    assertThat(codes(fs)).containsExactly(FindingCode.DERIVATION_SUPPORTED);
    assertThat(fs.get(0).message()).contains("signed comparison audit/cases:0",
        "least similar tensor 'model.layers.0.mlp.weight'");
  }

  @Test
  void check_signedComparisonShowingANearCopyOfAModelOutsideTheLineage_isUndeclared() throws Exception {
    Ledger l = new Ledger("acme");
    Step training = trainedFromScratch(l, "acme/m", TUNED);
    Digest elsewhere = digest("a competitor's model");
    l.add("audit/cases", Summaries.event(elsewhere, TUNED, Summaries.fineTune()));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of());

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DERIVATION_UNDECLARED);
      assertThat(f.entry()).contains(training.ref());
      assertThat(f.message()).contains("near-copy of " + elsewhere, "signed comparison audit/cases:0");
    });
  }

  @Test
  void check_signedComparisonThatMisstatesTheWeights_isMismatch() throws Exception {
    Ledger l = new Ledger("audit");
    // The truth: base and unrelated are unrelated. The signer claims a fine-tune-like resemblance.
    Step lie = l.add("audit/cases", Summaries.event(base.digest(), unrelated.digest(), Summaries.fineTune()));
    ComparisonSummary truth = ModelComparison.compare(SafetensorsModel.open(base.path()),
        SafetensorsModel.open(unrelated.path())).summary();
    Step honest = l.add("audit/cases", Summaries.event(base.digest(), unrelated.digest(), truth));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(base, unrelated));

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.COMPARISON_MISMATCH);
      assertThat(f.entry()).contains(lie.ref());
      assertThat(f.message()).contains("comparison audit/cases:0", "signed architecture identical",
          "now architecture identical", "mean cosine 0.998712", "do not rely on it");
    });
    assertThat(honest.sequence()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- weights, scope, hostile text

  @Test
  void check_weightsNoStepNames_isUnmatchedWarning() throws Exception {
    Ledger l = honest();

    List<Finding> fs = DerivationCheck.check(graph(l), List.of(wider));

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.WEIGHTS_UNMATCHED);
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.entry()).isEmpty();
      assertThat(f.message()).contains("'" + wider.path() + "'", wider.digest().toString(), "no step");
    });
  }

  @Test
  void check_singleFileWeights_matchByContentDigestAndByOneFileManifest() throws Exception {
    ModelWeights file = open(dir.resolve("tuned").resolve("model.safetensors"));
    assertThat(file.digests()).hasSize(2);
    Digest content = file.digests().stream().skip(1).findFirst().orElseThrow();
    assertThat(content).isEqualTo(Digest.sha256(Files.readAllBytes(file.path())));
    for (Digest asRecorded : file.digests()) {
      Ledger l = new Ledger("acme");
      l.add("acme/ft", step(EventType.FINE_TUNE, unrelated.digest(), asRecorded));
      assertThat(codes(DerivationCheck.check(graph(l), List.of(unrelated, file))))
          .as("named by %s", asRecorded).containsExactly(FindingCode.DERIVATION_UNSUPPORTED);
    }
  }

  @Test
  void check_targets_judgeOnlyTheirLineage() throws Exception {
    Ledger l = new Ledger("acme");
    Step bad = l.add("acme/bad", step(EventType.FINE_TUNE, unrelated.digest(), wider.digest()));
    Step good = l.add("acme/good", step(EventType.FINE_TUNE, base.digest(), bf16.digest()));
    Step release = l.add("acme/good", event(EventType.RELEASE, List.of(), List.of(model("model", bf16.digest()))));
    LineageGraph g = graph(l);
    List<ModelWeights> all = List.of(base, wider, unrelated, bf16);

    assertThat(codes(DerivationCheck.check(g, all, List.of(release)))).containsExactly(FindingCode.DERIVATION_SUPPORTED);
    assertThat(DerivationCheck.check(g, all, List.of(bad))).extracting(Finding::entry)
        .containsExactly(Optional.of(bad.ref()));
    assertThat(good.sequence()).isZero();
    Step stranger = new Ledger("elsewhere").add("x/y", step(EventType.FINE_TUNE, BASE, TUNED));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DerivationCheck.check(g, all, List.of(stranger)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a step of this lineage");
  }

  @Test
  void check_hostileTensorNameInASignedComparison_isEscapedInMessages() throws Exception {
    Ledger l = new Ledger("acme");
    l.add("acme/ft", step(EventType.FINE_TUNE, BASE, TUNED));
    ComparisonSummary f = Summaries.fineTune();
    ComparisonSummary.CosineFigures c = f.cosine().orElseThrow();
    ComparisonSummary hostile = new ComparisonSummary(f.method(), f.architecture(), f.tensors(), f.elements(),
        Optional.of(new ComparisonSummary.CosineFigures(c.tensors(), c.elements(), c.mean(), c.min(),
            Optional.of("layer.\u202Ethgiew\u2028\\u0041"))), f.equal());
    l.add("audit/cases", Summaries.event(BASE, TUNED, hostile));

    List<Finding> fs = DerivationCheck.check(graph(l), List.of());

    assertThat(fs).singleElement().satisfies(x -> assertThat(x.message())
        .doesNotContain("\u202E").doesNotContain("\u2028")
        .contains("least similar tensor 'layer.\\u202Ethgiew\\u2028\\\\u0041'"));
  }

  @Test
  void check_weightsTruncatedOrDeletedAfterOpening_throwNamingTheFile() throws Exception {
    // The weights are identified when opened and read later: a file that changes in between is an
    // error naming it (exit 2 in the CLI), never figures about other bytes.
    for (boolean delete : new boolean[] {false, true}) {
      Path copy = Files.createDirectories(dir.resolve("changing-" + delete));
      Path f = Files.copy(tuned.path().resolve("model.safetensors"), copy.resolve("model.safetensors"));
      ModelWeights w = open(copy);
      if (delete) {
        Files.delete(f);
      } else {
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 4));
      }
      Ledger l = new Ledger("acme");
      l.add("acme/ft", step(EventType.FINE_TUNE, base.digest(), w.digest()));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> DerivationCheck.check(graph(l), List.of(base, w)))
          .isInstanceOf(dev.custody.core.safetensors.SafetensorsException.class).hasMessageContaining(f.toString());
    }
  }
}
