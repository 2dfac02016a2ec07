package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.digest.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Seeded round trips through the writer and the parser, and a byte-level fuzzer of the parser. */
class SafetensorsProperties {
  private static Path dir;

  @BeforeContainer
  static void makeDir() throws Exception {
    dir = Files.createTempDirectory("safetensors-props");
  }

  @AfterContainer
  static void removeDir() throws Exception {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  record Spec(String name, Dtype dtype, long[] shape) {}

  @Provide
  Arbitrary<List<Spec>> models() {
    Arbitrary<String> names = Arbitraries.strings().withChars("abcxyz.0123_é\u4e2d").ofMinLength(1).ofMaxLength(12);
    Arbitrary<Dtype> dtypes = Arbitraries.of(Dtype.class);
    Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 5).array(long[].class).ofMaxSize(4);
    return Combinators.combine(names, dtypes, shapes).as(Spec::new)
        .filter(s -> TensorInfo.byteSize(s.dtype(), Arrays.stream(s.shape()).boxed().toList()).isPresent())
        .list().ofMaxSize(12).uniqueElements(Spec::name);
  }

  @Property(tries = 200, seed = "20240601")
  void read_writtenModel_roundTripsTensorsAndDigests(@ForAll("models") List<Spec> specs, @ForAll long seed)
      throws Exception {
    Random rnd = new Random(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    for (Spec s : specs) {
      long bytes = TensorInfo.byteSize(s.dtype(), Arrays.stream(s.shape()).boxed().toList()).getAsLong();
      byte[] data = new byte[(int) bytes];
      rnd.nextBytes(data);
      w.add(s.name(), s.dtype(), s.shape(), data);
    }
    Path p = w.write(dir.resolve("rt.safetensors"));
    SafetensorsFile f = SafetensorsFile.open(p);
    assertThat(f.header().tensors()).hasSize(specs.size());
    Map<String, Digest> digests = f.tensorDigests();
    for (SafetensorsWriter.Tensor t : w.tensors()) {
      TensorInfo info = f.header().tensor(t.name()).orElseThrow();
      assertThat(info.dtype()).isEqualTo(t.dtype());
      assertThat(info.shape()).isEqualTo(Arrays.stream(t.shape()).boxed().toList());
      assertThat(digests.get(t.name())).isEqualTo(Digest.sha256(t.data()));
    }
  }

  /** Random byte flips, insertions and truncations: the parser accepts or throws SafetensorsException, nothing else. */
  @Property(tries = 2000, seed = "7")
  void read_randomlyCorruptedFile_acceptsOrRejectsCleanly(@ForAll @IntRange(min = 1, max = 6) int edits,
      @ForAll long seed) throws Exception {
    Random rnd = new Random(seed);
    byte[] b = SafetensorsWriter.assemble(HeaderMutationTest.BASE, HeaderMutationTest.DATA);
    for (int i = 0; i < edits; i++) {
      switch (rnd.nextInt(4)) {
        case 0 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        case 1 -> b[rnd.nextInt(Math.min(b.length, 8))] = (byte) rnd.nextInt(256);
        case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        default -> {
          int at = rnd.nextInt(b.length + 1);
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) "{}[],:\"0-9e".charAt(rnd.nextInt(11));
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
      }
      if (b.length == 0) {
        break;
      }
    }
    Path p = Files.write(dir.resolve("fuzz.safetensors"), b);
    try {
      SafetensorsHeader h = SafetensorsHeader.read(p);
      long covered = h.tensors().stream().mapToLong(TensorInfo::byteLength).sum();
      assertThat(covered).isEqualTo(h.dataLength());
    } catch (SafetensorsException e) {
      assertThat(e.getMessage()).startsWith(p.toString());
    }
  }
}
