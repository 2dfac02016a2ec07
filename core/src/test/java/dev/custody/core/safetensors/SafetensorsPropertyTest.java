package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/** Seeded round trips through the writer and the parser, and a byte-level mutator of the parser's input. */
class SafetensorsPropertyTest {
  @TempDir static Path dir;

  record Spec(String name, Dtype dtype, long[] shape) {
    List<Long> shapeList() {
      return Arrays.stream(shape).boxed().toList();
    }
  }

  /** Up to 12 tensors with distinct names (non-ASCII included), any dtype, up to 4 dimensions of 0..5. */
  static List<Spec> model(Gen g) {
    List<Spec> specs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int n = g.intBetween(0, 12);
    for (int tries = 0; specs.size() < n && tries < 100; tries++) {
      String name = g.string("abcxyz.0123_\u00e9\u4e2d", 1, 12);
      long[] shape = new long[g.intBetween(0, 4)];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = g.longBetween(0, 5);
      }
      Spec s = new Spec(name, g.pick(Dtype.values()), shape);
      if (TensorInfo.byteSize(s.dtype(), s.shapeList()).isPresent() && names.add(name)) {
        specs.add(s);
      }
    }
    return specs;
  }

  @PropertyTest(seed = 20240601, tries = 200)
  void read_writtenModel_roundTripsTensorsAndDigests(long seed) throws Exception {
    Gen g = new Gen(seed);
    List<Spec> specs = model(g);
    SafetensorsWriter w = new SafetensorsWriter();
    for (Spec s : specs) {
      w.add(s.name(), s.dtype(), s.shape(), g.bytes((int) TensorInfo.byteSize(s.dtype(), s.shapeList()).getAsLong()));
    }
    Path p = w.write(dir.resolve("rt-" + seed + ".safetensors"));
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
  @PropertyTest(seed = 7, tries = 2000)
  void read_randomlyCorruptedFile_acceptsOrRejectsCleanly(long seed) throws Exception {
    Gen g = new Gen(seed);
    byte[] b = SafetensorsWriter.assemble(HeaderMutationTest.BASE, HeaderMutationTest.DATA);
    int edits = g.intBetween(1, 6);
    for (int i = 0; i < edits && b.length > 0; i++) {
      switch (g.intBetween(0, 3)) {
        case 0 -> b[g.intBetween(0, b.length - 1)] = (byte) g.intBetween(0, 255);
        case 1 -> b[g.intBetween(0, Math.min(b.length, 8) - 1)] = (byte) g.intBetween(0, 255);
        case 2 -> b = Arrays.copyOf(b, g.intBetween(0, b.length));
        default -> {
          int at = g.intBetween(0, b.length);
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) g.pick('{', '}', '[', ']', ',', ':', '"', '0', '-', '9', 'e').charValue();
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
      }
    }
    Path p = Files.write(dir.resolve("corrupt-" + seed + ".safetensors"), b);
    try {
      SafetensorsHeader h = SafetensorsHeader.read(p);
      long covered = h.tensors().stream().mapToLong(TensorInfo::byteLength).sum();
      assertThat(covered).isEqualTo(h.dataLength());
    } catch (SafetensorsException e) {
      assertThat(e.getMessage()).startsWith(p.toString());
    }
  }
}
