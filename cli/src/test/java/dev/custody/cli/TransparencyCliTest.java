package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.VerifierKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through the CLI: log identity, checkpoints, info, proofs, and truncation/rewrite detection. */
class TransparencyCliTest {
  private static final String ORIGIN = "example.org/models";

  @TempDir Path tmp;
  Path ledger;
  Path keys;

  @BeforeEach
  void setUp() {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.Result init = Cli.ok("init", "--ledger", ledger, "--origin", ORIGIN);
    assertThat(init.out()).contains("log origin   " + ORIGIN).contains("log key      " + ORIGIN + "+");
  }

  private void record(int n, String label) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", i % 2 == 0 ? "acme/a" : "acme/b",
          "--key", keys.resolve("alice.key"), "--text", label + " " + i);
    }
  }

  /** A hash as custody's JSON writes it: sha256:<64 lowercase hex> (issue 9: one encoding, the report's). */
  private static Bytes b64(JsonNode n) {
    return dev.custody.core.Digest.parse(n.asText()).value();
  }

  private static List<Bytes> proof(JsonNode json) {
    List<Bytes> out = new ArrayList<>();
    json.get("proof").forEach(h -> out.add(b64(h)));
    return out;
  }

  private VerifierKey logKey() throws Exception {
    return VerifierKey.parse(Files.readString(ledger.resolve("log/vkey")).strip());
  }

  private Checkpoint verifiedCheckpoint(String note) throws Exception {
    return CheckpointVerifier.forLog(ORIGIN, logKey()).verify(note.getBytes(StandardCharsets.UTF_8)).checkpoint();
  }

  private Cli.Result verify(Object... more) {
    List<Object> args = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log/vkey")));
    args.addAll(List.of(more));
    return Cli.run(args.toArray());
  }

  /** What an attacker with the files (and the entry key, not the auditor's checkpoint) does to hide a rewrite. */
  private void cutTo(int keep) throws Exception {
    List<String> lines = Cli.records(ledger);
    Cli.writeRecords(ledger, new ArrayList<>(lines.subList(0, keep)));
    Files.delete(ledger.resolve("checkpoint"));
    for (Path dir : List.of(ledger.resolve("checkpoints"), ledger.resolve("tile"))) {
      if (!Files.exists(dir)) {
        continue; // no full tile below 256 entries
      }
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void checkpointInfoAndProofs_printedProofsVerifyWithCoreVerifier() throws Exception {
    record(7, "entry");
    Cli.Result cp = Cli.ok("checkpoint", "--ledger", ledger);
    Checkpoint c = verifiedCheckpoint(cp.out());
    assertThat(c.size()).isEqualTo(7);
    assertThat(Files.readString(ledger.resolve("checkpoint"))).isEqualTo(cp.out());
    assertThat(Files.readString(ledger.resolve("checkpoints/7"))).isEqualTo(cp.out());

    JsonNode info = Cli.ok("info", "--ledger", ledger, "--json").json();
    assertThat(info.get("origin").asText()).isEqualTo(ORIGIN);
    assertThat(info.get("size").asLong()).isEqualTo(7);
    assertThat(b64(info.get("rootHash"))).isEqualTo(c.rootHash());
    assertThat(info.get("verifierKey").asText()).isEqualTo(logKey().encode());

    for (String which : List.of("acme/a:0", "acme/b:2", "acme/a:3")) {
      JsonNode p = Cli.ok("prove", "inclusion", which, "--ledger", ledger, "--json").json();
      assertThat(p.get("treeSize").asLong()).isEqualTo(7);
      assertThat(b64(p.get("rootHash"))).isEqualTo(c.rootHash());
      ProofVerifier.verifyInclusion(p.get("logIndex").asLong(), 7, b64(p.get("leafHash")), proof(p), c.rootHash());
    }
    Path old = Files.writeString(tmp.resolve("old-checkpoint"), cp.out());
    record(5, "more");
    Checkpoint latest = verifiedCheckpoint(Files.readString(ledger.resolve("checkpoint")));
    assertThat(latest.size()).isEqualTo(12); // automatic checkpoints (default interval) after each record

    JsonNode inc = Cli.ok("prove", "inclusion", "acme/b:0", "--ledger", ledger, "--checkpoint", old, "--json").json();
    assertThat(inc.get("treeSize").asLong()).isEqualTo(7);
    ProofVerifier.verifyInclusion(1, 7, b64(inc.get("leafHash")), proof(inc), c.rootHash());

    JsonNode con = Cli.ok("prove", "consistency", "--ledger", ledger, "--from", old, "--json").json();
    assertThat(con.get("size1").asLong()).isEqualTo(7);
    assertThat(con.get("size2").asLong()).isEqualTo(12);
    assertThat(b64(con.get("root1"))).isEqualTo(c.rootHash());
    assertThat(b64(con.get("root2"))).isEqualTo(latest.rootHash());
    ProofVerifier.verifyConsistency(7, 12, proof(con), c.rootHash(), latest.rootHash());
    JsonNode bySize = Cli.ok("prove", "consistency", "--ledger", ledger, "--from", "3", "--to", "9", "--json").json();
    ProofVerifier.verifyConsistency(3, 9, proof(bySize), b64(bySize.get("root1")), b64(bySize.get("root2")));

    Cli.Result v = verify("--checkpoint", old);
    assertThat(v.code()).as("%s", v).isEqualTo(Main.VERIFIED);
    assertThat(v.out()).doesNotContain("WARNING").contains("VERIFIED: 12 entries");
  }

  @Test
  void prove_badInput_exitsTwo() {
    record(2, "x");
    assertThat(Cli.run("prove", "inclusion", "acme/zzz:0", "--ledger", ledger).code()).isEqualTo(Main.BAD_INPUT);
    assertThat(Cli.run("prove", "consistency", "--ledger", ledger, "--from", "5").code()).isEqualTo(Main.BAD_INPUT);
    assertThat(Cli.run("prove", "consistency", "--ledger", ledger, "--from", "0").code()).isEqualTo(Main.BAD_INPUT);
    assertThat(Cli.run("prove", "consistency", "--ledger", ledger, "--from", "nofile").code()).isEqualTo(Main.BAD_INPUT);
    assertThat(Cli.run("init", "--ledger", tmp.resolve("l2"), "--origin", "has space").code()).isEqualTo(Main.BAD_INPUT);
    assertThat(Files.exists(tmp.resolve("l2"))).isFalse();
  }

  @Test
  void truncatedAndRegrownDifferently_verifyAgainstOldCheckpointFailsNamingBoth() throws Exception {
    record(5, "genuine");
    Path old = Files.writeString(tmp.resolve("old"), Cli.ok("checkpoint", "--ledger", ledger).out());
    cutTo(3);
    // With the checkpoints gone, the writer accepts appends again: the history regrows differently.
    record(4, "forged");
    Cli.Result alone = verify();
    assertThat(alone.code()).as("%s", alone).isEqualTo(Main.VERIFIED); // consistent with its own new checkpoints
    Cli.Result r = verify("--checkpoint", old);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    String oldRoot = Files.readAllLines(old).get(2);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_INCONSISTENT").contains("(size 5, root " + oldRoot + ")")
        .contains("its first 5 entries have root").contains("ledger size 7");
    // prove consistency from the old checkpoint refuses too (exit 1)
    Cli.Result p = Cli.run("prove", "consistency", "--ledger", ledger, "--from", old);
    assertThat(p.code()).as("%s", p).isEqualTo(Main.FAILED);
    assertThat(p.err()).contains("does not extend it");
  }

  @Test
  void truncatedOnly_verifyAgainstOldCheckpointFailsShorter() throws Exception {
    record(5, "genuine");
    Path old = Files.writeString(tmp.resolve("old"), Cli.ok("checkpoint", "--ledger", ledger).out());
    cutTo(4);
    Cli.Result r = verify("--checkpoint", old);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR LEDGER_SHORTER_THAN_CHECKPOINT").contains("commits to 5 entries but the ledger holds 4");
  }

  @Test
  void truncatedKeepingCheckpoints_writerRefusesToAppend() throws Exception {
    record(3, "genuine");
    List<String> lines = Cli.records(ledger);
    Cli.writeRecords(ledger, new ArrayList<>(lines.subList(0, 2)));
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "after truncation");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("holds 2 entries but its own checkpoint").contains("commits to 3");
    assertThat(Cli.records(ledger)).hasSize(2);
  }

  @Test
  void logKeyReplacedByAttacker_checkpointUntrustedWithTheAuditorsKey() throws Exception {
    record(3, "genuine");
    String genuineKey = Files.readString(ledger.resolve("log/vkey")).strip();
    cutTo(1);
    // The attacker re-creates the log identity with a key of their own and regrows.
    Path fresh = tmp.resolve("fresh");
    Cli.ok("init", "--ledger", fresh, "--origin", ORIGIN);
    for (String f : List.of("log/key", "log/vkey", "log/config.json")) {
      Files.copy(fresh.resolve(f), ledger.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    record(3, "forged");
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", genuineKey);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_UNTRUSTED");
  }

  @Test
  void legacyLedgerWithoutLogKey_verifiesWithWarningAndCheckpointRefused() throws Exception {
    // A ledger made before checkpoints existed: no log/ directory.
    record(2, "x");
    for (String f : List.of("log/key", "log/vkey", "log/config.json", "checkpoint")) {
      Files.delete(ledger.resolve(f));
    }
    try (Stream<Path> s = Files.list(ledger.resolve("checkpoints"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Cli.Result v = Cli.run("verify", "--ledger", ledger, "--trust", keys);
    assertThat(v.code()).as("%s", v).isEqualTo(Main.VERIFIED);
    // Made before checkpoints, or stripped of them: without a trusted log key the report warns that
    // truncation cannot be excluded (issue 7: this was information only).
    assertThat(v.unwrapped()).contains("WARNING NO_CHECKPOINT").contains("truncation").contains("cannot be excluded");
    Cli.Result c = Cli.run("checkpoint", "--ledger", ledger);
    assertThat(c.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(c.err()).contains("no log key");
    JsonNode info = Cli.ok("info", "--ledger", ledger, "--json").json();
    assertThat(info.get("origin").isNull()).isTrue();
    assertThat(info.get("size").asLong()).isEqualTo(2);
  }

  @Test
  void alteredStoredCheckpoint_signatureInvalid() throws Exception {
    record(3, "x");
    Path cp = ledger.resolve("checkpoints/3");
    List<String> lines = new ArrayList<>(Files.readAllLines(cp));
    // Another root, same length: the text changes, the signature no longer covers it.
    lines.set(2, Base64.getEncoder().encodeToString(new byte[32]));
    Files.writeString(cp, String.join("\n", lines) + "\n");
    Cli.Result r = verify();
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_SIGNATURE_INVALID").contains("checkpoints/3");
  }

  @Test
  void twoCheckpointsForOneSizeSignedByTheLogKey_forkEvidence() throws Exception {
    record(3, "x");
    // The log key holder signs a second tree head for size 3 (a split view shown to this auditor).
    var signer = new dev.custody.attest.CheckpointSigner(ORIGIN,
        dev.custody.attest.Ed25519NoteSigner.parsePrivateKey(Files.readString(ledger.resolve("log/key")).strip()));
    Path other = tmp.resolve("other-view");
    Files.write(other, signer.sign(3, Bytes.copyOf(new byte[32])).encoded());
    Cli.Result r = verify("--checkpoint", other);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_INCONSISTENT").contains("are both signed for tree size 3 with"
        + " different roots");
  }
}
