package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Digest;
import dev.custody.core.internal.text.CodePointOrder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {
  @TempDir Path dir;

  /** {@code test_serialization} in huggingface/safetensors safetensors/src/tensor.rs: the reference's exact bytes. */
  private static final int[] REFERENCE_ATTN0 = {
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};

  /** {@code test_empty} in the same file: no tensors, then no tensors with metadata {"framework":"pt"}. */
  private static final int[] REFERENCE_EMPTY = {8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32};
  private static final int[] REFERENCE_EMPTY_METADATA = {
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32};

  private Path file(String name, int[] bytes) throws Exception {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Files.write(dir.resolve(name), b);
  }

  @Test
  void read_referenceSerializationVector_parsesTensor() throws Exception {
    SafetensorsHeader h = SafetensorsHeader.read(file("attn.safetensors", REFERENCE_ATTN0));
    assertThat(h.headerLength()).isEqualTo(64);
    assertThat(h.dataStart()).isEqualTo(72);
    assertThat(h.dataLength()).isEqualTo(24);
    assertThat(h.tensors()).containsExactly(new TensorInfo("attn.0", Dtype.F32, List.of(1L, 2L, 3L), 0, 24));
    assertThat(h.metadata()).isEmpty();
  }

  @Test
  void read_referenceEmptyVectors_parseWithAndWithoutMetadata() throws Exception {
    assertThat(SafetensorsHeader.read(file("e.safetensors", REFERENCE_EMPTY)).tensors()).isEmpty();
    SafetensorsHeader h = SafetensorsHeader.read(file("m.safetensors", REFERENCE_EMPTY_METADATA));
    assertThat(h.tensors()).isEmpty();
    assertThat(h.metadata()).containsExactly(Map.entry("framework", "pt"));
  }

  @Test
  void read_fileWrittenByReferenceImplementation_matchesIndependentDigestsAndFingerprints() throws Exception {
    Path p = dir.resolve("reference.safetensors");
    try (InputStream in = getClass().getResourceAsStream("/safetensors/reference.safetensors")) {
      Files.copy(in, p);
    }
    JsonNode expected;
    try (InputStream in = getClass().getResourceAsStream("/safetensors/reference.json")) {
      expected = new ObjectMapper().readTree(in);
    }
    SafetensorsFile f = SafetensorsFile.open(p);
    assertThat(f.header().metadata()).containsEntry("format", "np").hasSize(2);
    assertThat(f.header().tensors()).hasSize(expected.get("tensors").size());
    Map<String, Digest> digests = f.tensorDigests();
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("tensors").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      TensorInfo t = f.header().tensor(e.getKey()).orElseThrow();
      assertThat(t.dtype().name()).as(e.getKey()).isEqualTo(e.getValue().get("dtype").asText());
      List<Long> shape = new ArrayList<>();
      e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
      assertThat(t.shape()).as(e.getKey()).isEqualTo(shape);
      assertThat(digests.get(e.getKey())).hasToString(e.getValue().get("sha256").asText());
    }
    SafetensorsModel m = SafetensorsModel.open(p);
    assertThat(new String(Fingerprints.architectureEncoding(f.header().tensors()), "UTF-8"))
        .isEqualTo(expected.get("architectureEncoding").asText());
    assertThat(new String(Fingerprints.structureEncoding(f.header().tensors()), "UTF-8"))
        .isEqualTo(expected.get("structureEncoding").asText());
    assertThat(m.architecture()).hasToString(expected.get("architecture").asText());
    assertThat(m.structure()).hasToString(expected.get("structure").asText());
  }

  @Test
  void read_writtenFileWithManyDtypesEmptyScalarLargeTensorsAndMetadata_roundTrips() throws Exception {
    Random rnd = new Random(7);
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("ünïcode", "välue\n\"quoted\"");
    byte[] large = new byte[4 * 1024 * 1024 + 12]; // a few MB: more than the 1 MiB read buffer, not a multiple of it
    rnd.nextBytes(large);
    w.add("big", Dtype.F32, new long[] {1024 * 1024 + 3}, large);
    w.add("empty.zero-dim", Dtype.F16, new long[] {3, 0, 5}, new byte[0]);
    w.add("empty.vector", Dtype.BF16, new long[] {0}, new byte[0]);
    w.add("scalar", Dtype.F64, new long[] {}, new byte[8]);
    for (Dtype d : Dtype.values()) {
      int elements = 4; // 4 elements fill whole bytes for every width, including F4 and F6
      byte[] data = new byte[elements * d.bits() / 8];
      rnd.nextBytes(data);
      w.add("t." + d.name().toLowerCase(), d, new long[] {2, 2}, data);
    }
    Path p = w.write(dir.resolve("model.safetensors"));

    SafetensorsFile f = SafetensorsFile.open(p);
    SafetensorsHeader h = f.header();
    assertThat(h.metadata()).containsEntry("ünïcode", "välue\n\"quoted\"").containsEntry("format", "pt");
    assertThat(h.tensors()).hasSize(w.tensors().size());
    assertThat(h.tensors()).extracting(TensorInfo::name).isSortedAccordingTo(CodePointOrder.COMPARATOR);
    assertThat(h.headerLength() % 8).isZero();
    Map<String, Digest> digests = f.tensorDigests();
    for (SafetensorsWriter.Tensor t : w.tensors()) {
      TensorInfo info = h.tensor(t.name()).orElseThrow();
      assertThat(info.dtype()).isEqualTo(t.dtype());
      assertThat(info.shape()).containsExactlyElementsOf(Arrays.stream(t.shape()).boxed().toList());
      assertThat(info.byteLength()).isEqualTo(t.data().length);
      assertThat(digests.get(t.name())).as(t.name()).isEqualTo(Digest.sha256(t.data()));
    }
    assertThat(h.tensor("scalar").orElseThrow().elementCount()).isEqualTo(1);
    assertThat(h.tensor("empty.zero-dim").orElseThrow().elementCount()).isZero();
    assertThat(digests.get("empty.vector")).isEqualTo(Digest.sha256(new byte[0]));
  }

  @Test
  void read_headerOrderDiffersFromOffsetOrder_accepted() throws Exception {
    // Older writers sorted entries by name, not offset; the reference sorts by offsets before checking.
    String json = "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
        + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
    Path p = Files.write(dir.resolve("x.safetensors"), SafetensorsWriter.assemble(json, new byte[] {1, 2, 3}));
    SafetensorsFile f = SafetensorsFile.open(p);
    assertThat(f.header().tensors()).extracting(TensorInfo::name).containsExactly("a", "b");
    assertThat(f.tensorDigests().get("a")).isEqualTo(Digest.sha256(new byte[] {3}));
  }

  @Test
  void read_emptyTensorsSharingAnOffset_accepted() throws Exception {
    String json = "{\"e1\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
        + "\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
        + "\"e2\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[4,4]}}";
    Path p = Files.write(dir.resolve("x.safetensors"), SafetensorsWriter.assemble(json, new byte[4]));
    assertThat(SafetensorsHeader.read(p).tensors()).hasSize(3);
  }

  @Test
  void tensorDigests_fileGrewAfterOpen_rejected() throws Exception {
    Path p = new SafetensorsWriter().f32("a", new long[] {1}, new float[] {1}).write(dir.resolve("g.safetensors"));
    SafetensorsFile f = SafetensorsFile.open(p);
    Files.write(p, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    org.assertj.core.api.Assertions.assertThatThrownBy(f::tensorDigests)
        .isInstanceOf(SafetensorsException.class).hasMessageContaining("changed while being read");
  }

  @Test
  void digestOfLargeTensor_equalsWholeSliceDigest() throws Exception {
    byte[] data = new byte[3 * (1 << 20) + 5];
    new Random(1).nextBytes(data);
    Path p = new SafetensorsWriter().add("small", Dtype.U8, new long[] {5}, Arrays.copyOf(data, 5))
        .add("large", Dtype.U8, new long[] {data.length - 5}, Arrays.copyOfRange(data, 5, data.length))
        .write(dir.resolve("l.safetensors"));
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data, 5, data.length - 5);
    assertThat(SafetensorsFile.open(p).tensorDigests().get("large").value().toByteArray()).isEqualTo(md.digest());
  }
}
