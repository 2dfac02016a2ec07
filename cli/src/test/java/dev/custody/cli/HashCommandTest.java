package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody hash} end to end, in process, on the OMS reference vectors and on made-up models. */
class HashCommandTest {
  private static final Path OMS = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
  /** Subject digest of the statement in v1.0.1-elliptic-key/model.sig. */
  private static final String V101_ROOT = "sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4";

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void hash_referenceModelWithIgnorePaths_printsSignedRootDigest() {
    Path model = OMS.resolve("v1.0.1-elliptic-key");

    Run r = run("hash", model.toString(), "--ignore-paths", model.resolve("ignore-me").toString(),
        "--ignore-paths", "model.sig");

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(V101_ROOT + System.lineSeparator());
  }

  @Test
  void hash_json_rootDigestAndOmsPredicate() throws Exception {
    Path model = OMS.resolve("v1.0.1-elliptic-key");

    Run r = run("hash", model.toString(), "--json", "--ignore-paths", "ignore-me", "model.sig");

    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(r.code()).isZero();
    assertThat(j.get("rootDigest").textValue()).isEqualTo(V101_ROOT);
    assertThat(j.get("serialization").get("method").textValue()).isEqualTo("files");
    assertThat(j.get("serialization").get("ignore_paths")).extracting(JsonNode::textValue)
        .containsExactly(".git", ".gitattributes", ".github", ".gitignore", "ignore-me", "model.sig");
    assertThat(j.get("resources")).extracting(n -> n.get("name").textValue()).containsExactly("signme-1", "signme-2");
  }

  @Test
  void hash_shardSize_shardsSerialization() throws Exception {
    Files.write(tmp.resolve("w.bin"), new byte[20]);

    Run r = run("hash", tmp.toString(), "--json", "--shard-size", "7", "--ledger", tmp.resolve("elsewhere").toString());

    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("serialization").get("shard_size").longValue()).isEqualTo(7);
    assertThat(j.get("resources")).extracting(n -> n.get("name").textValue())
        .containsExactly("w.bin:0:7", "w.bin:7:14", "w.bin:14:20");
    assertThat(j.get("resources").get(0).get("algorithm").textValue()).isEqualTo("sha256-sharded-7");
  }

  @Test
  void hash_ledgerInsideModel_ignored() throws Exception {
    Files.write(tmp.resolve("w.bin"), new byte[] {1});
    Files.createDirectories(tmp.resolve(".custody"));
    Files.write(tmp.resolve(".custody/ledger.json"), new byte[] {2});

    Run r = run("hash", tmp.toString(), "--json", "--ledger", tmp.resolve(".custody").toString());

    assertThat(r.out()).contains("\".custody\"").doesNotContain("ledger.json");
  }

  @Test
  void hash_missingPath_exit2NamingIt() {
    Run r = run("hash", tmp.resolve("nope").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no such file").contains("nope");
  }

  @Test
  void hash_symlink_exit2NamingTheLink() throws Exception {
    Files.write(tmp.resolve("w.bin"), new byte[] {1});
    Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("w.bin"));

    Run r = run("hash", tmp.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("refusing symbolic link " + tmp.resolve("link"));
  }

  @Test
  void hash_shardSizeWithFilesSerialization_exit2() throws Exception {
    Files.write(tmp.resolve("w.bin"), new byte[] {1});

    Run r = run("hash", tmp.toString(), "--serialization", "files", "--shard-size", "7");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--shard-size needs --serialization shards");
  }
}
