package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody fingerprint} and {@code custody compare} end to end, in process, on real files. */
class ModelCommandsTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** A file with two F32 tensors "w" [2,2] and "b" [2] holding {@code values} (6 floats). */
  private Path model(String file, String w, String b, float... values) throws Exception {
    String json = "{\"" + w + "\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        + "\"" + b + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
    ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      data.putFloat(v);
    }
    return write(file, json, data.array());
  }

  private Path write(String file, String json, byte[] data) throws Exception {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer f = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    f.putLong(h.length).put(h).put(data);
    Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    return Files.write(p, f.array());
  }

  private static JsonNode json(String s) throws Exception {
    return new ObjectMapper().readTree(s);
  }

  @Test
  void fingerprint_json_hasArchitectureStructureCountAndFiles() throws Exception {
    Path p = model("a/model.safetensors", "w", "b", 1, 2, 3, 4, 5, 6);
    Result r = run("fingerprint", "--json", p.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = json(r.out());
    assertThat(j.get("architecture").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(j.get("structure").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(j.get("tensors").asInt()).isEqualTo(2);
    assertThat(j.get("parameters").asLong()).isEqualTo(6);
    assertThat(j.get("files").get(0).get("path").asText()).isEqualTo("model.safetensors");
    // the directory gives the same fingerprints as the file
    JsonNode d = json(run("fingerprint", "--json", p.getParent().toString()).out());
    assertThat(d.get("architecture")).isEqualTo(j.get("architecture"));
  }

  @Test
  void fingerprint_tensorsOption_listsDigests() throws Exception {
    Path p = model("m.safetensors", "w", "b", 1, 2, 3, 4, 5, 6);
    JsonNode j = json(run("fingerprint", "--json", "--tensors", p.toString()).out());
    assertThat(j.get("tensorDigests")).hasSize(2);
    assertThat(j.get("tensorDigests").get(0).get("name").asText()).isEqualTo("b");
    assertThat(j.get("tensorDigests").get(0).get("sha256").asText()).startsWith("sha256:");
    Result text = run("fingerprint", p.toString());
    assertThat(text.out()).contains("architecture  sha256:").contains("tensors       2");
  }

  @Test
  void compare_renamedAndFineTuned_reportedInJson() throws Exception {
    Path base = model("base.safetensors", "w", "b", 1, 2, 3, 4, 5, 6);
    Path renamed = model("renamed.safetensors", "weight", "bias", 1, 2, 3, 4, 5, 6);
    Path tuned = model("tuned.safetensors", "w", "b", 1, 2, 3, 4.01f, 5, 6);

    JsonNode r = json(run("compare", "--json", base.toString(), renamed.toString()).out());
    assertThat(r.get("architecture").asText()).isEqualTo("renamed");
    assertThat(r.get("tensors").get("identical").asInt()).isEqualTo(2);
    assertThat(r.get("tensors").get("identicalRenamed").asInt()).isEqualTo(2);
    assertThat(r.get("tensors").get("onlyInA").asInt()).isZero();
    assertThat(r.get("tensors").get("onlyInB").asInt()).isZero();

    JsonNode t = json(run("compare", "--json", base.toString(), tuned.toString()).out());
    assertThat(t.get("architecture").asText()).isEqualTo("identical");
    assertThat(t.get("tensors").get("identical").asInt()).isEqualTo(1);
    assertThat(t.get("tensors").get("changed").asInt()).isEqualTo(1);
    JsonNode changed = t.get("changed").get(0);
    assertThat(changed.get("name").asText()).isEqualTo("w");
    assertThat(changed.get("similarity").get("cosine").asDouble()).isBetween(0.999, 1.0);
    assertThat(changed.get("similarity").get("equalFraction").asDouble()).isEqualTo(0.75);
  }

  @Test
  void compare_text_summarises() throws Exception {
    Path base = model("base.safetensors", "w", "b", 1, 2, 3, 4, 5, 6);
    // same structure, one name differs and its values too: "renamed" layout, one identical, one unmatched each side
    Path other = model("other.safetensors", "x", "b", 9, 8, 7, 6, 5, 6);
    Result r = run("compare", base.toString(), other.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("architecture   renamed").contains("only in A      1").contains("only in B      1");
  }

  @Test
  void fingerprint_malformedFile_exit2NamingFileTensorAndProblem() throws Exception {
    Path bad = write("bad.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
        new byte[12]);
    Result r = run("fingerprint", bad.toString());
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(bad.toString()).contains("tensor 'w'").contains("needs 16 bytes")
        .doesNotContain("internal error");
    Result c = run("compare", bad.toString(), bad.toString());
    assertThat(c.code()).isEqualTo(Main.BAD_INPUT);
  }

  @Test
  void compare_missingPath_exit2() {
    Result r = run("compare", dir.resolve("nope").toString(), dir.resolve("nope2").toString());
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("nope");
  }
}
