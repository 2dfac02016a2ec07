package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue-4 scenario end to end through the real CLI on real files: a publisher records and
 * checkpoints, a witness cosigns twice (trust on first use, then with a consistency proof), the
 * ledger is truncated and regrown differently and re-checkpointed with the genuine log key — the
 * witness refuses with fork evidence, and an auditor holding the old cosigned checkpoint sees the
 * inconsistency.
 */
class TransparencyScenarioTest {
  private static final String ORIGIN = "example.org/models";

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path witnessState;
  String logVkey;

  @BeforeEach
  void publish() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    witnessState = tmp.resolve("witness");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--origin", ORIGIN);
    logVkey = Files.readString(ledger.resolve("log/vkey")).strip();
  }

  private void record(int n, String label) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", i % 2 == 0 ? "acme/a" : "acme/b",
          "--key", keys.resolve("alice.key"), "--text", label + " " + i);
    }
  }

  /** {@code custody checkpoint}, its output kept in a file as a publisher would publish it. */
  private Path checkpoint(String name) throws Exception {
    return Files.writeString(tmp.resolve(name), Cli.ok("checkpoint", "--ledger", ledger).out());
  }

  private Cli.Result cosign(Path checkpoint, Path proof) {
    List<Object> args = new ArrayList<>(List.of("witness", "cosign", "--log-key", logVkey, "--witness-key",
        witnessState.resolve("witness.key"), "--state", witnessState, checkpoint));
    if (proof != null) {
      args.add(proof);
    }
    return Cli.run(args.toArray());
  }

  private static String rootLine(Path note) throws Exception {
    return Files.readAllLines(note).get(2); // origin, size, base64 root (C2SP tlog-checkpoint)
  }

  /** The attacker (holding the files and the log key, not the witness's state) cuts the log to {@code keep}. */
  private void truncateTo(int keep) throws Exception {
    Cli.writeRecords(ledger, new ArrayList<>(Cli.records(ledger).subList(0, keep)));
    try (Stream<Path> s = Files.list(ledger.resolve("checkpoints"))) {
      for (Path p : s.toList()) {
        if (Long.parseLong(p.getFileName().toString()) > keep) {
          Files.delete(p);
        }
      }
    }
    // The newest checkpoint becomes the one at the cut, so the ledger is consistent with itself.
    Files.copy(ledger.resolve("checkpoints/" + keep), ledger.resolve("checkpoint"), StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.exists(ledger.resolve("tile"))).as("no full tile below 256 entries").isFalse();
  }

  @Test
  void witnessedLog_truncatedAndRegrown_witnessRefusesWithEvidenceAndVerifyAgainstOldFails() throws Exception {
    // 1. Publish: four entries and a checkpoint.
    record(4, "genuine");
    Path cp4 = checkpoint("checkpoint-4");

    // 2. A witness starts and cosigns size 4 (trust on first use).
    String witnessVkey = Cli.ok("witness", "init", "--state", witnessState, "--name", "witness.example").out().strip();
    Cli.Result first = cosign(cp4, null);
    assertThat(first.code()).as("%s", first).isEqualTo(Main.VERIFIED);
    assertThat(first.err()).contains("cosigned on trust on first use (size 4)");
    assertThat(first.out()).startsWith(Files.readString(cp4).substring(0, Files.readString(cp4).indexOf("\n\n") + 2))
        .contains("\u2014 witness.example ");

    // 3. More entries, a checkpoint, a consistency proof from the witnessed size: cosigned again.
    record(3, "genuine-more");
    Path cp7 = checkpoint("checkpoint-7");
    Cli.Result proofResult = Cli.ok("prove", "consistency", "--ledger", ledger, "--from", cp4, "--json");
    JsonNode proofJson = proofResult.json();
    assertThat(proofJson.get("size1").asLong()).isEqualTo(4);
    assertThat(proofJson.get("size2").asLong()).isEqualTo(7);
    Path proof4to7 = Files.writeString(tmp.resolve("proof-4-7.json"), proofResult.out());
    Cli.Result second = cosign(cp7, proof4to7);
    assertThat(second.code()).as("%s", second).isEqualTo(Main.VERIFIED);
    assertThat(second.err()).isEmpty();
    Path cosigned7 = Files.writeString(tmp.resolve("cosigned-7"), second.out());
    String oldRoot = rootLine(cp7);
    assertThat(rootLine(cosigned7)).isEqualTo(oldRoot);

    // Before the attack the auditor's cosigned checkpoint verifies.
    Cli.Result before = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey,
        "--checkpoint", cosigned7);
    assertThat(before.code()).as("%s", before).isEqualTo(Main.VERIFIED);
    Cli.Result witnessed = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey,
        "--checkpoint", cosigned7, "--witness-key", witnessVkey);
    assertThat(witnessed.code()).as("%s", witnessed).isEqualTo(Main.VERIFIED);
    assertThat(witnessed.unwrapped()).contains("INFO CHECKPOINT_WITNESSED: the auditor's checkpoint " + cosigned7
        + " (size 7, root " + oldRoot + ") is cosigned by 1 of the 1 trusted witnesses (witness.example at ");

    // 4. Truncated to 5 and regrown differently (4 other entries), then re-checkpointed with the
    //    genuine log key: a self-consistent ledger of 9 entries.
    truncateTo(5);
    record(4, "forged");
    Path cp9 = checkpoint("checkpoint-9");
    assertThat(Files.readAllLines(cp9).get(1)).isEqualTo("9");
    Cli.Result alone = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey);
    assertThat(alone.code()).as("without an earlier checkpoint the rewrite is invisible: %s", alone)
        .isEqualTo(Main.VERIFIED);

    // The log cannot prove consistency from the witnessed checkpoint: exit 1.
    Cli.Result noProof = Cli.run("prove", "consistency", "--ledger", ledger, "--from", cosigned7, "--json");
    assertThat(noProof.code()).as("%s", noProof).isEqualTo(Main.FAILED);
    assertThat(noProof.err()).contains("does not extend it");

    // 5. The attacker hands the witness the new checkpoint with a proof from its own tree at size 7.
    Cli.Result forgedProof = Cli.ok("prove", "consistency", "--ledger", ledger, "--from", "7", "--to", "9", "--json");
    String newRoot7 = forgedProof.json().get("root1").asText();
    // JSON hashes are sha256:<hex> (issue 9); checkpoints and messages write tree roots in base64.
    String newRoot7Base64 = java.util.Base64.getEncoder().encodeToString(
        dev.custody.core.Digest.parse(newRoot7).value().toByteArray());
    assertThat(newRoot7).isNotEqualTo(oldRoot);
    Path proof7to9 = Files.writeString(tmp.resolve("proof-7-9.json"), forgedProof.out());
    Cli.Result refused = cosign(cp9, proof7to9);
    assertThat(refused.code()).as("%s", refused).isEqualTo(Main.FAILED);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).startsWith("custody: refused: fork: the presented tree's prefix differs from the tree"
        + " the witness cosigned: log '" + ORIGIN + "' cosigned size 7 root " + oldRoot + ", presented size 9 root "
        + rootLine(cp9) + "; evidence written to ");
    Path evidence = Path.of(refused.err().replaceAll("(?s).*evidence written to (\\S+\\.json).*", "$1"));
    assertThat(evidence.getParent()).isEqualTo(witnessState.resolve("evidence"));
    assertThat(evidence.getFileName().toString()).startsWith("prefix-differs-").contains("-7-9-");
    JsonNode ev = Cli.MAPPER.readTree(Files.readAllBytes(evidence));
    assertThat(ev.get("kind").asText()).isEqualTo("prefix-differs");
    assertThat(ev.get("conclusive").asBoolean()).isTrue();
    assertThat(ev.toString()).contains(oldRoot).contains(rootLine(cp9)).contains(newRoot7);
    // The witness still holds size 7: resubmitting the genuine checkpoint is still accepted.
    assertThat(cosign(cp7, null).code()).isEqualTo(Main.VERIFIED);

    // 6. The auditor with the old cosigned checkpoint: verification fails naming both sizes and roots.
    Cli.Result after = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey,
        "--checkpoint", cosigned7);
    assertThat(after.code()).as("%s", after).isEqualTo(Main.FAILED);
    assertThat(after.unwrapped()).contains("ERROR CHECKPOINT_INCONSISTENT: the auditor's checkpoint " + cosigned7
        + " (size 7, root " + oldRoot + "): the ledger does not extend it; its first 7 entries have root " + newRoot7Base64
        + " (ledger size 9). Entries up to log index 6 were rewritten, reordered, or removed and regrown");
    // The regrown ledger re-checkpointed size 7 (automatic checkpoints): two signed roots for one size.
    assertThat(after.unwrapped()).contains("ERROR CHECKPOINT_INCONSISTENT: the auditor's checkpoint " + cosigned7
        + " (size 7, root " + oldRoot + ") and checkpoints/7 (root " + newRoot7Base64 + ") are both signed for tree size 7"
        + " with different roots: the log showed two different histories (a fork or split view). Keep both files as"
        + " evidence");
    assertThat(after.out()).doesNotContain("CHECKPOINT_ROOT_MISMATCH"); // the ledger's own checkpoints agree with it
    // Witnessed or not, the rewrite is caught; the witness requirement itself is still met.
    Cli.Result afterWitnessed = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey,
        "--checkpoint", cosigned7, "--witness-key", witnessVkey);
    assertThat(afterWitnessed.code()).isEqualTo(Main.FAILED);
    assertThat(afterWitnessed.unwrapped()).contains("INFO CHECKPOINT_WITNESSED").contains("the ledger does not extend it");
    String json = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey, "--checkpoint",
        cosigned7, "--format", "json").out();
    List<String> codes = new ArrayList<>();
    Cli.MAPPER.readTree(json).get("findings").forEach(f -> codes.add(f.get("code").asText()));
    assertThat(codes).containsExactly("CHECKPOINT_INCONSISTENT", "CHECKPOINT_INCONSISTENT");
    assertThat(new String(Files.readAllBytes(cosigned7), StandardCharsets.UTF_8)).contains("witness.example");
    assertThat(witnessVkey).startsWith("witness.example+");
  }
}
