package dev.custody.core.derivation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsFile;
import dev.custody.core.safetensors.SafetensorsWriter;
import dev.custody.core.safetensors.TensorInfo;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElementSamplerTest {
  @TempDir Path dir;

  @PropertyTest(seed = 11, tries = 500)
  void index_anyCount_equalsExactFloorOfKTimesNOverM(long seed) {
    Gen g = new Gen(seed);
    long n = g.longBetween(1, Long.MAX_VALUE);
    int m = ElementSampler.sampleSize(n);
    int k = g.intBetween(0, m - 1);
    BigInteger exact = BigInteger.valueOf(k).multiply(BigInteger.valueOf(n)).divide(BigInteger.valueOf(m));
    assertThat(ElementSampler.index(k, n, m)).isEqualTo(exact.longValueExact());
    assertThat(ElementSampler.index(k, n, m)).isLessThan(n);
  }

  @Test
  void sample_denseAndSparseReads_matchNaiveInMemoryPick() throws Exception {
    int n = 300_007; // > MAX_SAMPLE, not a multiple of it
    byte[] data = new byte[n * 4];
    new Random(3).nextBytes(data);
    byte[] pad = new byte[12];
    Path p = new SafetensorsWriter().add("pad", Dtype.U8, new long[] {12}, pad)
        .add("x", Dtype.F32, new long[] {n}, data).write(Files.createTempFile(dir, "s", ".safetensors"));
    SafetensorsFile f = SafetensorsFile.open(p);
    TensorInfo t = f.header().tensor("x").orElseThrow();
    int m = ElementSampler.sampleSize(n);
    byte[] naive = new byte[m * 4];
    for (int k = 0; k < m; k++) {
      System.arraycopy(data, (int) ElementSampler.index(k, n, m) * 4, naive, k * 4, 4);
    }
    try (FileChannel ch = f.openChecked()) {
      assertThat(ElementSampler.sample(ch, "f", f.header().dataStart(), t, 4)).isEqualTo(naive);
      assertThat(ElementSampler.sample(ch, "f", f.header().dataStart(), t, 4, 1)).isEqualTo(naive); // all sparse
    }
  }

  @Test
  void sample_smallTensor_isEveryElement() throws Exception {
    byte[] data = {1, 2, 3, 4, 5, 6};
    Path p = new SafetensorsWriter().add("x", Dtype.I16, new long[] {3}, data)
        .write(Files.createTempFile(dir, "s", ".safetensors"));
    SafetensorsFile f = SafetensorsFile.open(p);
    try (FileChannel ch = f.openChecked()) {
      assertThat(ElementSampler.sample(ch, "f", f.header().dataStart(), f.header().tensors().get(0), 2))
          .isEqualTo(data);
    }
  }
}
