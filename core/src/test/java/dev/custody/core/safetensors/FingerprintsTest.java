package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintsTest {
  @TempDir Path dir;

  private static TensorInfo t(String name, Dtype d, long... shape) {
    List<Long> s = java.util.Arrays.stream(shape).boxed().toList();
    return new TensorInfo(name, d, s, 0, TensorInfo.byteSize(d, s).getAsLong());
  }

  @Test
  void architectureEncoding_knownAnswer_isDocumentedText() {
    byte[] enc = Fingerprints.architectureEncoding(List.of(t("b", Dtype.BF16, 4, 2), t("attn.0", Dtype.F32, 1, 2, 3),
        t("s", Dtype.F64)));
    assertThat(new String(enc, StandardCharsets.UTF_8))
        .isEqualTo("custody/arch/v1\nattn.0\tF32\t[1,2,3]\nb\tBF16\t[4,2]\ns\tF64\t[]\n");
  }

  @Test
  void structureEncoding_knownAnswer_isSortedMultiset() {
    byte[] enc = Fingerprints.structureEncoding(List.of(t("z", Dtype.F32, 2), t("a", Dtype.F32, 10), t("m", Dtype.F32, 2),
        t("q", Dtype.BF16, 2)));
    assertThat(new String(enc, StandardCharsets.UTF_8))
        .isEqualTo("custody/structure/v1\nBF16\t[2]\nF32\t[10]\nF32\t[2]\nF32\t[2]\n");
  }

  @Test
  void architecture_knownAnswerForReferenceAttnExample_isSha256OfEncoding() {
    // sha256("custody/arch/v1\nattn.0\tF32\t[1,2,3]\n"), computed with `printf ... | sha256sum`.
    assertThat(Fingerprints.architecture(List.of(t("attn.0", Dtype.F32, 1, 2, 3))))
        .hasToString("sha256:c9856ee6eff240d6b676f2e9f8d453d9e2527b7417d67008327edf74cf99804c");
  }

  @Test
  void fingerprints_renamedTensors_sameStructureDifferentArchitecture() {
    List<TensorInfo> a = List.of(t("x.weight", Dtype.F32, 4, 4), t("x.bias", Dtype.F32, 4));
    List<TensorInfo> b = List.of(t("y.w", Dtype.F32, 4, 4), t("y.b", Dtype.F32, 4));
    assertThat(Fingerprints.structure(a)).isEqualTo(Fingerprints.structure(b));
    assertThat(Fingerprints.architecture(a)).isNotEqualTo(Fingerprints.architecture(b));
  }

  @Test
  void fingerprints_orderOfInput_irrelevant() {
    List<TensorInfo> a = List.of(t("x", Dtype.F32, 4, 4), t("y", Dtype.I8, 4));
    List<TensorInfo> b = List.of(a.get(1), a.get(0));
    assertThat(Fingerprints.architecture(a)).isEqualTo(Fingerprints.architecture(b));
    assertThat(Fingerprints.structure(a)).isEqualTo(Fingerprints.structure(b));
  }

  @Test
  void structure_multisetCounts_matter() {
    List<TensorInfo> one = List.of(t("x", Dtype.F32, 4));
    List<TensorInfo> two = List.of(t("x", Dtype.F32, 4), t("y", Dtype.F32, 4));
    assertThat(Fingerprints.structure(one)).isNotEqualTo(Fingerprints.structure(two));
  }

  @Test
  void fingerprints_dtypeOrShapeChange_changeBoth() {
    List<TensorInfo> a = List.of(t("x", Dtype.F32, 4, 4));
    assertThat(Fingerprints.architecture(List.of(t("x", Dtype.F16, 4, 4)))).isNotEqualTo(Fingerprints.architecture(a));
    assertThat(Fingerprints.structure(List.of(t("x", Dtype.F32, 16)))).isNotEqualTo(Fingerprints.structure(a));
  }

  @Test
  void architectureEncoding_duplicateName_rejected() {
    assertThatThrownBy(() -> Fingerprints.architectureEncoding(List.of(t("x", Dtype.F32, 1), t("x", Dtype.F32, 1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void model_shardedDirectory_sameFingerprintsAsSingleFile() throws Exception {
    Path single = Files.createDirectories(dir.resolve("single"));
    new SafetensorsWriter().f32("a", new long[] {2}, new float[] {1, 2}).f32("b", new long[] {1}, new float[] {3})
        .metadata("format", "pt").write(single.resolve("model.safetensors"));
    Path sharded = Files.createDirectories(dir.resolve("sharded"));
    new SafetensorsWriter().f32("a", new long[] {2}, new float[] {1, 2}).write(sharded.resolve("model-00001-of-00002.safetensors"));
    new SafetensorsWriter().f32("b", new long[] {1}, new float[] {3}).write(sharded.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(sharded.resolve("config.json"), "{}");
    SafetensorsModel s = SafetensorsModel.open(single);
    SafetensorsModel m = SafetensorsModel.open(sharded);
    assertThat(m.files()).hasSize(2);
    assertThat(m.tensors()).hasSize(2);
    assertThat(m.architecture()).isEqualTo(s.architecture());
    assertThat(m.structure()).isEqualTo(s.structure());
    assertThat(m.tensorDigests()).isEqualTo(s.tensorDigests());
  }

  @Test
  void model_sameTensorInTwoShards_rejectedNamingBothFiles() throws Exception {
    Path d = Files.createDirectories(dir.resolve("dup"));
    new SafetensorsWriter().f32("a", new long[] {1}, new float[] {1}).write(d.resolve("1.safetensors"));
    new SafetensorsWriter().f32("a", new long[] {1}, new float[] {1}).write(d.resolve("2.safetensors"));
    assertThatThrownBy(() -> SafetensorsModel.open(d)).isInstanceOfSatisfying(SafetensorsException.class, e -> {
      assertThat(e.reason()).isEqualTo(SafetensorsException.Reason.DUPLICATE_TENSOR_ACROSS_FILES);
      assertThat(e.getMessage()).contains("1.safetensors").contains("2.safetensors").contains("tensor 'a'");
    });
  }

  @Test
  void model_directoryWithoutSafetensors_rejected() throws Exception {
    Path d = Files.createDirectories(dir.resolve("none"));
    Files.writeString(d.resolve("pytorch_model.bin"), "x");
    assertThatThrownBy(() -> SafetensorsModel.open(d)).isInstanceOfSatisfying(SafetensorsException.class,
        e -> assertThat(e.reason()).isEqualTo(SafetensorsException.Reason.NO_TENSOR_FILES));
  }

  @Test
  void model_malformedShard_errorNamesTheShard() throws Exception {
    Path d = Files.createDirectories(dir.resolve("bad"));
    new SafetensorsWriter().f32("a", new long[] {1}, new float[] {1}).write(d.resolve("1.safetensors"));
    Files.write(d.resolve("2.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsModel.open(d)).hasMessageContaining("2.safetensors")
        .hasMessageContaining("too short");
  }
}
