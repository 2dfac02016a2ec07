package dev.custody.verify.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.derivation.ModelComparison;
import dev.custody.core.derivation.TestModels;
import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsModel;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurements behind {@link Resemblance}'s thresholds, on real small models: a base (a 2-layer,
 * width-64 transformer with trained-like value distributions) against fine-tunes of growing update
 * size, re-quantised copies, a renamed copy and unrelated models. Each case asserts its verdict, so a
 * threshold change that misjudges one fails here; the figures are printed as the README's table.
 */
class DerivationThresholdsTest {
  @TempDir static Path dir;
  static TestModels base;
  static Path basePath;

  @BeforeAll
  static void writeBase() throws Exception {
    base = TestModels.transformer(1, 2, 64);
    basePath = base.writeF32(dir.resolve("base"));
  }

  private static Resemblance judge(String what, Path other) throws Exception {
    ComparisonSummary s = ModelComparison.compare(SafetensorsModel.open(basePath), SafetensorsModel.open(other))
        .summary();
    Resemblance r = Resemblance.of(s);
    String row = String.format(Locale.ROOT, "| %s | %s | %.1f%% | %.1f%% | %s | %s |", what, s.architecture().label(),
        100 * s.identicalShare(), 100 * s.cosineShare(), s.cosine().map(c -> c.mean().toPlainString()).orElse("—"),
        r.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    System.out.println(row);
    return r;
  }

  @Test
  void fineTunes_updatesUpToTheWeightsOwnSize_areRelatedAndSmallOnesNearCopies() throws Exception {
    assertThat(judge("fine-tune, update 1% of the weights' spread", base.fineTuned(0.01, 7).writeF32(dir.resolve("r001"))))
        .isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("fine-tune, update 10%", base.fineTuned(0.1, 7).writeF32(dir.resolve("r01"))))
        .isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("fine-tune, update 30%", base.fineTuned(0.3, 7).writeF32(dir.resolve("r03"))))
        .isEqualTo(Resemblance.RELATED);
    assertThat(judge("fine-tune, update 100%", base.fineTuned(1.0, 7).writeF32(dir.resolve("r1"))))
        .isEqualTo(Resemblance.RELATED);
    assertThat(judge("fine-tune, update 200% (no fine-tune does this)", base.fineTuned(2.0, 7)
        .writeF32(dir.resolve("r2")))).isEqualTo(Resemblance.INCONCLUSIVE);
    assertThat(judge("fine-tune of attention only (MLP, embeddings, norms frozen), update 30%",
        base.fineTuned(0.3, 7, n -> n.contains("self_attn")).writeF32(dir.resolve("attn")))).isEqualTo(Resemblance.NEAR_COPY);
  }

  @Test
  void requantisedAndRenamedCopies_areNearCopies() throws Exception {
    assertThat(judge("re-quantised to BF16", base.write(dir.resolve("bf16"), Dtype.BF16))).isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("re-quantised to F16", base.write(dir.resolve("f16"), Dtype.F16))).isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("re-quantised to INT8 (per-tensor scale)", base.write(dir.resolve("i8"), Dtype.I8)))
        .isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("fine-tune (update 10%), then BF16", base.fineTuned(0.1, 7).write(dir.resolve("ftbf16"), Dtype.BF16)))
        .isEqualTo(Resemblance.NEAR_COPY);
    assertThat(judge("renamed copy", base.renamed(n -> n.replace("model.", "transformer."))
        .writeF32(dir.resolve("renamed")))).isEqualTo(Resemblance.NEAR_COPY);
  }

  @Test
  void unrelatedModels_areUnrelatedOrHaveNothingInCommon() throws Exception {
    assertThat(judge("unrelated, same layout", TestModels.transformer(2, 2, 64).writeF32(dir.resolve("u-same"))))
        .isEqualTo(Resemblance.UNRELATED);
    assertThat(judge("unrelated, 3 layers", TestModels.transformer(4, 3, 64).writeF32(dir.resolve("u-deeper"))))
        .isEqualTo(Resemblance.UNRELATED);
    assertThat(judge("unrelated, same layout, BF16", TestModels.transformer(5, 2, 64)
        .write(dir.resolve("u-bf16"), Dtype.BF16))).isEqualTo(Resemblance.UNRELATED);
    assertThat(judge("unrelated, width 96", TestModels.transformer(3, 2, 96).writeF32(dir.resolve("u-wider"))))
        .isEqualTo(Resemblance.NOTHING_IN_COMMON);
  }

  @Test
  void unrelatedModelWithAFewTensorsCopiedFromTheBase_isStillUnrelated() throws Exception {
    // Copying the norms (0.4% of the elements) into an unrelated model does not make it resemble the base.
    TestModels other = TestModels.transformer(6, 2, 64);
    java.util.Map<String, TestModels.Tensor> mixed = new java.util.LinkedHashMap<>(other.tensors());
    base.tensors().forEach((n, t) -> {
      if (n.contains("norm")) {
        mixed.put(n, t);
      }
    });
    Path p = TestModels.of(mixed).writeF32(dir.resolve("u-norms-copied"));
    assertThat(judge("unrelated, norms copied from the base", p)).isEqualTo(Resemblance.UNRELATED);
  }
}
