package dev.custody.core.derivation;

import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Small, realistic model weights for derivation tests (shared with verify and cli through core's
 * test jar): a decoder-only transformer layout — token embedding, per layer four attention
 * projections, two MLP matrices, two norms with biases, a final norm and an LM head — with the value
 * distributions of a trained model (matrices N(0, 0.02²), norm weights 1 + N(0, 0.05²), biases
 * N(0, 0.01²)), seeded and deterministic. Derived models are made the way the real thing is: a
 * fine-tune adds an update proportional to each tensor's spread, a re-quantised copy rounds the same
 * values to BF16 / F16 or to symmetric INT8 with a scale tensor, a renamed copy renames, an unrelated
 * model is another seed (or another width). Immutable.
 */
public final class TestModels {
  /** One tensor: shape and F32 values. */
  public record Tensor(long[] shape, float[] values) {}

  private final Map<String, Tensor> tensors;

  private TestModels(Map<String, Tensor> tensors) {
    this.tensors = tensors;
  }

  /** A model of exactly {@code tensors}, in their order. */
  public static TestModels of(Map<String, Tensor> tensors) {
    return new TestModels(new LinkedHashMap<>(tensors));
  }

  /** A trained-looking transformer of {@code layers} layers of width {@code width}, vocabulary 256. */
  public static TestModels transformer(long seed, int layers, int width) {
    Random rnd = new Random(seed);
    Map<String, Tensor> t = new LinkedHashMap<>();
    int vocab = 256;
    t.put("model.embed_tokens.weight", gaussian(rnd, 0, 0.02, vocab, width));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        t.put(p + "self_attn." + proj + ".weight", gaussian(rnd, 0, 0.02, width, width));
      }
      t.put(p + "mlp.up_proj.weight", gaussian(rnd, 0, 0.02, 4L * width, width));
      t.put(p + "mlp.down_proj.weight", gaussian(rnd, 0, 0.02, width, 4L * width));
      t.put(p + "input_layernorm.weight", gaussian(rnd, 1, 0.05, width));
      t.put(p + "input_layernorm.bias", gaussian(rnd, 0, 0.01, width));
      t.put(p + "post_attention_layernorm.weight", gaussian(rnd, 1, 0.05, width));
      t.put(p + "post_attention_layernorm.bias", gaussian(rnd, 0, 0.01, width));
    }
    t.put("model.norm.weight", gaussian(rnd, 1, 0.05, width));
    t.put("lm_head.weight", gaussian(rnd, 0, 0.02, vocab, width));
    return new TestModels(t);
  }

  private static Tensor gaussian(Random rnd, double mean, double sd, long... shape) {
    int n = (int) count(shape);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (mean + rnd.nextGaussian() * sd);
    }
    return new Tensor(shape, v);
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * A fine-tune: every tensor whose name {@code touched} accepts gets an update of Gaussian noise
   * with {@code relative} times the tensor's own standard deviation (about its mean), so the cosine
   * of a zero-mean matrix with its update is about {@code 1 / sqrt(1 + relative²)}.
   */
  public TestModels fineTuned(double relative, long seed, java.util.function.Predicate<String> touched) {
    Random rnd = new Random(seed);
    Map<String, Tensor> t = new LinkedHashMap<>();
    tensors.forEach((name, x) -> {
      if (!touched.test(name)) {
        t.put(name, x);
        return;
      }
      float[] v = x.values().clone();
      double sd = sd(v);
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (rnd.nextGaussian() * sd * relative);
      }
      t.put(name, new Tensor(x.shape(), v));
    });
    return new TestModels(t);
  }

  /** {@link #fineTuned(double, long, java.util.function.Predicate)} of every tensor. */
  public TestModels fineTuned(double relative, long seed) {
    return fineTuned(relative, seed, n -> true);
  }

  private static double sd(float[] v) {
    double m = 0;
    for (float x : v) {
      m += x;
    }
    m /= v.length;
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }

  /** The same tensors under other names. */
  public TestModels renamed(UnaryOperator<String> rename) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    tensors.forEach((name, x) -> t.put(rename.apply(name), x));
    return new TestModels(t);
  }

  /** The tensors, by name, in the order written. */
  public Map<String, Tensor> tensors() {
    return java.util.Collections.unmodifiableMap(tensors);
  }

  /** Writes {@code dir/model.safetensors} with every tensor in F32 (dir is created); returns dir. */
  public Path writeF32(Path dir) throws IOException {
    return write(dir, Dtype.F32);
  }

  /**
   * Writes {@code dir/model.safetensors} with every tensor in {@code dtype}: F32, F16 or BF16 (round to
   * nearest even), or I8 (symmetric per-tensor quantisation, {@code q = round(127 * v / max|v|)}, with the
   * scale {@code max|v| / 127} as an F32 tensor {@code NAME.scale} beside each).
   */
  public Path write(Path dir, Dtype dtype) throws IOException {
    Files.createDirectories(dir);
    SafetensorsWriter w = new SafetensorsWriter();
    tensors.forEach((name, x) -> {
      switch (dtype) {
        case F32 -> w.f32(name, x.shape(), x.values());
        case F16 -> w.f16(name, x.shape(), x.values());
        case BF16 -> w.bf16(name, x.shape(), x.values());
        case I8 -> {
          float max = 0;
          for (float v : x.values()) {
            max = Math.max(max, Math.abs(v));
          }
          byte[] q = new byte[x.values().length];
          for (int i = 0; i < q.length; i++) {
            q[i] = (byte) Math.round(127 * x.values()[i] / max);
          }
          w.add(name, Dtype.I8, x.shape(), q);
          w.f32(name + ".scale", new long[] {1}, new float[] {max / 127});
        }
        default -> throw new IllegalArgumentException("no writer for " + dtype);
      }
    });
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }
}
