package dev.custody.core.derivation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.custody.core.derivation.ModelComparison.Architecture;
import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsModel;
import dev.custody.core.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The five model relations of issue 3: copy, fine-tune, renamed copy, re-quantised copy, unrelated model. */
class ModelComparisonTest {
  @TempDir Path dir;

  /** Base model: name -> (shape, values); float tensors only, plus one I8 tensor handled separately. */
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, float[]> values = new LinkedHashMap<>();
  private byte[] int8;
  private Path base;

  private void tensor(String name, Random rnd, long... shape) {
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextGaussian() * 0.02);
    }
    shapes.put(name, shape);
    values.put(name, v);
  }

  @BeforeEach
  void makeBase() throws Exception {
    Random rnd = new Random(42);
    tensor("model.embed.weight", rnd, 128, 64);
    tensor("model.layers.0.attn.weight", rnd, 64, 64);
    tensor("model.layers.0.mlp.weight", rnd, 512, 512); // 262,144 elements: sampled, not exhaustive
    tensor("model.layers.1.attn.weight", rnd, 64, 64);
    tensor("lm_head.weight", rnd, 128, 64);
    shapes.put("model.layers.0.norm.weight", new long[] {64});
    values.put("model.layers.0.norm.weight", ones(64));
    shapes.put("model.layers.1.norm.weight", new long[] {64}); // same bytes as layer 0's norm
    values.put("model.layers.1.norm.weight", ones(64));
    int8 = new byte[1000];
    rnd.nextBytes(int8);
    base = write("base", UnaryOperator.identity(), (name, v) -> v, int8);
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  private interface ValueMap {
    float[] apply(String name, float[] v);
  }

  private Path write(String model, UnaryOperator<String> rename, ValueMap change, byte[] i8) throws Exception {
    Path d = Files.createDirectories(dir.resolve(model));
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    for (String name : shapes.keySet()) {
      w.f32(rename.apply(name), shapes.get(name), change.apply(name, values.get(name).clone()));
    }
    w.add(rename.apply("model.quant.codes"), Dtype.I8, new long[] {i8.length}, i8);
    w.write(d.resolve("model.safetensors"));
    return d;
  }

  private ModelComparison compare(Path a, Path b) throws Exception {
    return ModelComparison.compare(SafetensorsModel.open(a), SafetensorsModel.open(b));
  }

  @Test
  void compare_exactCopy_identicalArchitectureAndAllTensorsIdentical() throws Exception {
    Path copy = write("copy", UnaryOperator.identity(), (n, v) -> v, int8);
    ModelComparison c = compare(base, copy);
    assertThat(c.architecture()).isEqualTo(Architecture.IDENTICAL);
    assertThat(c.identical()).hasSize(8).noneMatch(ModelComparison.Identical::renamed);
    assertThat(c.changed()).isEmpty();
    assertThat(c.onlyInA()).isEmpty();
    assertThat(c.onlyInB()).isEmpty();
  }

  @Test
  void compare_fineTune_identicalArchitectureChangedTensorsWithHighSimilarity() throws Exception {
    Random noise = new Random(5);
    byte[] i8 = int8.clone();
    for (int i = 0; i < 50; i++) {
      i8[i * 20] ^= 1; // 50 of 1000 codes changed
    }
    Path tuned = write("tuned", UnaryOperator.identity(), (name, v) -> {
      if (name.equals("model.layers.0.attn.weight") || name.equals("model.layers.0.mlp.weight")) {
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (noise.nextGaussian() * 0.001); // a small update, ~5% of the weights' scale
        }
      }
      return v;
    }, i8);
    ModelComparison c = compare(base, tuned);
    assertThat(c.architecture()).isEqualTo(Architecture.IDENTICAL);
    assertThat(c.changed()).extracting(ModelComparison.Changed::name)
        .containsExactly("model.layers.0.attn.weight", "model.layers.0.mlp.weight", "model.quant.codes");
    assertThat(c.identical()).hasSize(5);
    ModelComparison.Changed attn = c.changed().get(0);
    assertThat(attn.similarity().exhaustive()).isTrue();
    assertThat(attn.similarity().cosine().getAsDouble()).isBetween(0.99, 0.99999);
    ModelComparison.Changed mlp = c.changed().get(1);
    assertThat(mlp.similarity().exhaustive()).isFalse();
    assertThat(mlp.similarity().sampled()).isEqualTo(65_536);
    assertThat(mlp.similarity().elements()).isEqualTo(262_144);
    assertThat(mlp.similarity().cosine().getAsDouble()).isBetween(0.99, 0.99999);
    ModelComparison.Changed codes = c.changed().get(2);
    assertThat(codes.similarity().cosine()).isEmpty();
    assertThat(codes.similarity().equalFraction().getAsDouble()).isCloseTo(0.95, within(1e-12));
    assertThat(c.counts()).containsEntry("identical", 5).containsEntry("changed", 3).containsEntry("onlyInA", 0);
  }

  @Test
  void compare_renamedCopy_renamedArchitectureAndTensorsMatchedByContent() throws Exception {
    Path renamed = write("renamed", n -> n.replace("model.layers.", "transformer.h.").replace("model.", "transformer."),
        (n, v) -> v, int8);
    ModelComparison c = compare(base, renamed);
    assertThat(c.architecture()).isEqualTo(Architecture.RENAMED);
    assertThat(c.structureA()).isEqualTo(c.structureB());
    assertThat(c.identical()).hasSize(8);
    assertThat(c.identicalRenamed()).isEqualTo(7); // lm_head.weight keeps its name
    assertThat(c.identical()).anySatisfy(i -> {
      assertThat(i.nameA()).isEqualTo("model.layers.0.mlp.weight");
      assertThat(i.nameB()).isEqualTo("transformer.h.0.mlp.weight");
    });
    // The two all-ones norms share a digest: both are matched (pairing in name order).
    assertThat(c.identical()).filteredOn(i -> i.nameA().contains("norm")).extracting(ModelComparison.Identical::nameB)
        .containsExactly("transformer.h.0.norm.weight", "transformer.h.1.norm.weight");
    assertThat(c.onlyInA()).isEmpty();
    assertThat(c.onlyInB()).isEmpty();
    assertThat(c.changed()).isEmpty();
  }

  @Test
  void compare_requantisedToF16_dtypeChangedWithHighCosine() throws Exception {
    Path d = Files.createDirectories(dir.resolve("f16"));
    SafetensorsWriter w = new SafetensorsWriter();
    for (String name : shapes.keySet()) {
      if (name.equals("lm_head.weight")) {
        w.bf16(name, shapes.get(name), values.get(name));
      } else {
        w.f16(name, shapes.get(name), values.get(name));
      }
    }
    w.add("model.quant.codes", Dtype.I8, new long[] {int8.length}, int8);
    w.write(d.resolve("model.safetensors"));
    ModelComparison c = compare(base, d);
    assertThat(c.architecture()).isEqualTo(Architecture.DIFFERENT); // dtypes are part of the architecture
    assertThat(c.dtypeChanged()).hasSize(7);
    assertThat(c.identical()).extracting(ModelComparison.Identical::nameA).containsExactly("model.quant.codes");
    for (ModelComparison.DtypeChanged t : c.dtypeChanged()) {
      assertThat(t.dtypeA()).isEqualTo(Dtype.F32);
      assertThat(t.dtypeB()).isIn(Dtype.F16, Dtype.BF16);
      assertThat(t.similarity().cosine().getAsDouble()).as(t.name()).isGreaterThan(0.9999);
    }
    // ones survive F16 exactly; random weights almost never do
    assertThat(c.dtypeChanged()).filteredOn(t -> t.name().contains("norm"))
        .allSatisfy(t -> assertThat(t.similarity().equalFraction().getAsDouble()).isEqualTo(1.0));
    assertThat(c.changed()).isEmpty();
    assertThat(c.onlyInA()).isEmpty();
  }

  @Test
  void compare_unrelatedModel_differentArchitectureNoIdenticalTensors() throws Exception {
    Path d = Files.createDirectories(dir.resolve("other"));
    Random rnd = new Random(99);
    float[] a = new float[64 * 64];
    float[] b = new float[96 * 32];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rnd.nextGaussian();
    }
    new SafetensorsWriter().f32("model.layers.0.attn.weight", new long[] {64, 64}, a)
        .f32("encoder.proj", new long[] {96, 32}, b).write(d.resolve("model.safetensors"));
    ModelComparison c = compare(base, d);
    assertThat(c.architecture()).isEqualTo(Architecture.DIFFERENT);
    assertThat(c.identical()).isEmpty();
    assertThat(c.changed()).singleElement().satisfies(t ->
        assertThat(Math.abs(t.similarity().cosine().getAsDouble())).isLessThan(0.1));
    assertThat(c.onlyInA()).hasSize(7);
    assertThat(c.onlyInB()).extracting(ModelComparison.Unmatched::name).containsExactly("encoder.proj");
  }

  @Test
  void compare_reshapedTensor_reportedAsShapeChanged() throws Exception {
    Path d = Files.createDirectories(dir.resolve("reshaped"));
    new SafetensorsWriter().f32("model.layers.0.attn.weight", new long[] {4096},
        values.get("model.layers.0.attn.weight")).write(d.resolve("model.safetensors"));
    ModelComparison c = compare(base, d);
    assertThat(c.shapeChanged()).singleElement().satisfies(s -> {
      assertThat(s.shapeA()).containsExactly(64L, 64L);
      assertThat(s.shapeB()).containsExactly(4096L);
    });
  }

  // ---------------------------------------------------------------- summary (the signed figures)

  @Test
  void summary_fineTune_countsElementsAndWeightedCosineAgreeWithTheTensorLists() throws Exception {
    Random noise = new Random(5);
    Path tuned = write("tuned", UnaryOperator.identity(), (name, v) -> {
      if (name.endsWith("attn.weight") || name.equals("model.layers.0.mlp.weight")) {
        double scale = name.startsWith("model.layers.1") ? 0.01 : 0.001; // layer 1 changed most
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (noise.nextGaussian() * scale);
        }
      }
      return v;
    }, int8);
    ModelComparison c = compare(base, tuned);
    ComparisonSummary s = c.summary();

    assertThat(s.method()).isEqualTo("custody/compare/v1");
    assertThat(s.architecture()).isEqualTo(Architecture.IDENTICAL);
    assertThat(s.tensors()).isEqualTo(new ComparisonSummary.TensorCounts(8, 8, 5, 0, 3, 0, 0, 0, 0));
    long all = 128 * 64 + 64 * 64 + 512 * 512 + 64 * 64 + 128 * 64 + 64 + 64 + 1000;
    long changedElements = 64 * 64 + 512 * 512 + 64 * 64;
    assertThat(s.elements()).isEqualTo(new ComparisonSummary.ElementCounts(all, all, all - changedElements));
    // Reference: the element-weighted mean of the listed tensors' cosines, computed here independently.
    double sum = 0;
    double min = 1;
    for (ModelComparison.Changed t : c.changed()) {
      sum += t.similarity().cosine().getAsDouble() * t.similarity().elements();
      min = Math.min(min, t.similarity().cosine().getAsDouble());
    }
    ComparisonSummary.CosineFigures cos = s.cosine().orElseThrow();
    assertThat(cos.tensors()).isEqualTo(3);
    assertThat(cos.elements()).isEqualTo(changedElements);
    assertThat(cos.mean()).isEqualByComparingTo(new java.math.BigDecimal(sum / changedElements)
        .setScale(6, java.math.RoundingMode.HALF_EVEN));
    assertThat(cos.mean().scale()).isEqualTo(6);
    assertThat(cos.min().doubleValue()).isCloseTo(min, within(5e-7));
    assertThat(cos.minTensor()).contains("model.layers.1.attn.weight");
    assertThat(cos.min()).isLessThan(cos.mean());
    assertThat(s.equal().orElseThrow().tensors()).isEqualTo(3);
    assertThat(s.identicalShare()).isCloseTo((double) (all - changedElements) / all, within(1e-12));
    assertThat(s.cosineShare()).isCloseTo((double) changedElements / all, within(1e-12));
  }

  @Test
  void summary_exactCopy_everythingIdenticalNoSimilarityFigures() throws Exception {
    ComparisonSummary s = compare(base, write("copy", UnaryOperator.identity(), (n, v) -> v, int8)).summary();
    assertThat(s.tensors().identical()).isEqualTo(8);
    assertThat(s.identicalShare()).isEqualTo(1.0);
    assertThat(s.cosine()).isEmpty();
    assertThat(s.equal()).isEmpty();
  }

  @Test
  void summary_requantisedCopy_reTypedTensorsCountAsCompared() throws Exception {
    Path d = Files.createDirectories(dir.resolve("bf16"));
    SafetensorsWriter w = new SafetensorsWriter();
    shapes.keySet().forEach(name -> w.bf16(name, shapes.get(name), values.get(name)));
    w.add("model.quant.codes", Dtype.I8, new long[] {int8.length}, int8);
    w.write(d.resolve("model.safetensors"));
    ComparisonSummary s = compare(base, d).summary();
    assertThat(s.architecture()).isEqualTo(Architecture.DIFFERENT);
    assertThat(s.tensors().dtypeChanged()).isEqualTo(7);
    assertThat(s.cosine().orElseThrow().tensors()).isEqualTo(7);
    assertThat(s.cosine().orElseThrow().mean()).isGreaterThan(new java.math.BigDecimal("0.999900"));
    assertThat(s.identicalShare() + s.cosineShare()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void figure_roundsHalfEvenToSixPlaces() {
    assertThat(ComparisonSummary.figure(0.5)).hasToString("0.500000");
    assertThat(ComparisonSummary.figure(1)).hasToString("1.000000");
    assertThat(ComparisonSummary.figure(-0.0)).hasToString("0.000000");
    assertThat(ComparisonSummary.figure(0.0000005)).hasToString("0.000000"); // 5e-7 in binary is just below half
    assertThat(ComparisonSummary.figure(0.0000015)).hasToString("0.000002");
    assertThat(ComparisonSummary.figure(-0.9999996)).hasToString("-1.000000");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ComparisonSummary.figure(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
