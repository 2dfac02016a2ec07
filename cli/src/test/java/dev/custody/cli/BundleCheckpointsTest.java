package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.internal.timestamp.TestTsa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, evidence bundles and trusted time: a checkpoint timestamped by a TSA (RFC 3161) and then
 * outgrown travels in the bundle with a consistency proof to the newest checkpoint; the verifier
 * checks the timestamp with {@code --tsa-root} and the proof, and a tampered or missing proof is
 * {@code BUNDLE_CONSISTENCY_INVALID}. Only the chain asked for (and its lineage) is exported.
 */
class BundleCheckpointsTest {
  @AutoClose
  static final TestTsa tsa = TestTsa.started();

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path rootPem;
  Path bundle;


  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.org/models");
    rootPem = TimestampCliTest.pem(tmp.resolve("tsa-root.pem"), tsa.root.cert());
    record("acme/a", 3);
    record("acme/other", 2);
    Cli.ok("checkpoint", "--ledger", ledger, "--tsa", tsa.uri());
    record("acme/a", 2);
    Cli.ok("checkpoint", "--ledger", ledger);
    bundle = tmp.resolve("a.bundle.json");
    Cli.ok("export", "--ledger", ledger, "--chain", "acme/a", "--out", bundle);
  }

  private void record(String chain, int n) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", chain, "--key", keys.resolve("alice.key"),
          "--text", "entry " + i);
    }
  }

  private Cli.Result verify(Path b) {
    return Cli.run("verify", "--bundle", b, "--trust", keys, "--log-key", ledger.resolve("log/vkey"), "--tsa-root",
        rootPem, "--format", "json");
  }

  private Path tampered(Consumer<ObjectNode> change) throws Exception {
    ObjectNode t = (ObjectNode) Cli.MAPPER.readTree(Files.readAllBytes(bundle));
    change.accept(t);
    return Files.write(tmp.resolve("tampered.bundle.json"), Cli.MAPPER.writeValueAsBytes(t));
  }

  @Test
  void export_timestampedOlderCheckpoint_carriedWithConsistencyProofAndVerified() throws Exception {
    JsonNode b = Cli.MAPPER.readTree(Files.readAllBytes(bundle));
    assertThat(b.get("checkpoints")).hasSize(2);
    assertThat(b.get("checkpoints").get(0).has("timestamp")).isTrue();
    assertThat(b.get("consistency")).hasSize(1);
    List<Long> indices = new ArrayList<>();
    b.get("entries").forEach(e -> indices.add(e.get("index").asLong()));
    // acme/a only: log indices 0, 1, 2 and 5, 6; acme/other (3, 4) is neither asked for nor linked.
    assertThat(indices).containsExactly(0L, 1L, 2L, 5L, 6L);

    Cli.Result r = verify(bundle);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(World.codes(r, "INFO")).contains("TIMESTAMP_VERIFIED", "BUNDLE_PARTIAL");
  }

  @Test
  void tamperedConsistencyProof_consistencyInvalid() throws Exception {
    Path t = tampered(b -> ((ArrayNode) b.get("consistency").get(0).get("hashes")).set(0,
        Cli.MAPPER.getNodeFactory().textNode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
    Cli.Result r = verify(t);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).containsExactly("BUNDLE_CONSISTENCY_INVALID");
  }

  @Test
  void droppedConsistencyProof_consistencyInvalid() throws Exception {
    Path t = tampered(b -> ((ArrayNode) b.get("consistency")).removeAll());
    Cli.Result r = verify(t);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).containsExactly("BUNDLE_CONSISTENCY_INVALID");
  }

  @Test
  void tamperedTimestamp_timestampInvalid() throws Exception {
    Path t = tampered(b -> {
      ObjectNode cp = (ObjectNode) b.get("checkpoints").get(0);
      String tsr = cp.get("timestamp").asText();
      cp.put("timestamp", tsr.substring(0, 40) + (tsr.charAt(40) == 'A' ? 'B' : 'A') + tsr.substring(41));
    });
    Cli.Result r = verify(t);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(World.codes(r, "ERROR")).contains("TIMESTAMP_INVALID");
  }
}
