package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody verify --checkpoint FILE --witness-key … [--witness-threshold K]} through the real CLI. */
class WitnessRequirementCliTest {
  private static final String ORIGIN = "example.org/models";

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  String logVkey;
  /** The checkpoint as the log published it (no cosignature). */
  Path published;
  /** Verifier key strings of witnesses w1, w2, w3; only w1 and w2 cosign. */
  final List<String> witnesses = new ArrayList<>();
  /** Cosigned by w1 only, and by w1 then w2. */
  Path byW1;
  Path byW1W2;

  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--origin", ORIGIN);
    logVkey = Files.readString(ledger.resolve("log/vkey")).strip();
    for (int i = 0; i < 3; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", keys.resolve("alice.key"),
          "--text", "entry " + i);
    }
    published = Files.writeString(tmp.resolve("published"), Cli.ok("checkpoint", "--ledger", ledger).out());
    for (String w : List.of("w1", "w2", "w3")) {
      witnesses.add(Cli.ok("witness", "init", "--state", tmp.resolve(w), "--name", w + ".example").out().strip());
    }
    byW1 = Files.writeString(tmp.resolve("by-w1"), cosign("w1", published));
    byW1W2 = Files.writeString(tmp.resolve("by-w1-w2"), cosign("w2", byW1));
  }

  private String cosign(String witness, Path note) {
    return Cli.ok("witness", "cosign", "--log-key", logVkey, "--witness-key", tmp.resolve(witness).resolve(
        "witness.key"), "--state", tmp.resolve(witness), note).out();
  }

  private Cli.Result verify(Path checkpoint, Object... more) {
    List<Object> args = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key", logVkey,
        "--checkpoint", checkpoint,
        // one witness by its key file, two by their key strings
        "--witness-key", tmp.resolve("w1/witness.vkey"), "--witness-key", witnesses.get(1),
        "--witness-key", witnesses.get(2)));
    args.addAll(List.of(more));
    return Cli.run(args.toArray());
  }

  private String described(Path checkpoint) throws Exception {
    return "the auditor's checkpoint " + checkpoint + " (size 3, root " + Files.readAllLines(published).get(2) + ")";
  }

  @Test
  void verify_twoOfThreeCosigned_thresholdTwo_verifiedNamingCosigners() throws Exception {
    Cli.Result r = verify(byW1W2, "--witness-threshold", "2");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.unwrapped()).containsPattern("INFO CHECKPOINT_WITNESSED: " + java.util.regex.Pattern.quote(
        described(byW1W2) + " is cosigned by 2 of the 3 trusted witnesses (w1.example at ")
        + "\\d{4}-[^,]+Z, w2\\.example at \\d{4}-[^)]+Z\\), 2 required\n");
  }

  @Test
  void verify_twoOfThreeCosigned_defaultThresholdAll_failsNamingTheMissingWitness() throws Exception {
    Cli.Result r = verify(byW1W2);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_WITNESSES_MISSING: " + described(byW1W2)
        + " is cosigned by 2 of the 3 trusted witnesses (w1.example at ")
        .contains("), 3 required; no valid cosignature by " + witnesses.get(2) + ". Ask the witnesses to cosign this"
            + " checkpoint ('custody witness cosign'), or obtain a checkpoint they cosigned\n")
        .contains("FAILED: 1 error");
  }

  @Test
  void verify_oneOfThreeCosigned_thresholdTwo_fails() throws Exception {
    Cli.Result r = verify(byW1, "--witness-threshold", "2");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_WITNESSES_MISSING: " + described(byW1)
        + " is cosigned by 1 of the 3 trusted witnesses (w1.example at ")
        .contains("), 2 required; no valid cosignature by " + witnesses.get(1) + ", " + witnesses.get(2) + ".");
  }

  @Test
  void verify_uncosignedCheckpoint_thresholdOne_failsWithNoCosigner() throws Exception {
    Cli.Result r = verify(published, "--witness-threshold", "1");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_WITNESSES_MISSING: " + described(published)
        + " is cosigned by 0 of the 3 trusted witnesses, 1 required; no valid cosignature by " + witnesses.get(0));
  }

  @Test
  void verify_alteredCosignature_signatureInvalidWhateverTheCount() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(byW1W2));
    int w1 = lines.indexOf(lines.stream().filter(l -> l.startsWith("\u2014 w1.example ")).findFirst().orElseThrow());
    String sig = lines.get(w1);
    // A character well inside the Ed25519 signature: all six bits count, so the base64 stays
    // canonical and only the signature check can reject it (not the padding-bits rule).
    int at = sig.length() - 20;
    lines.set(w1, sig.substring(0, at) + (sig.charAt(at) == 'A' ? 'B' : 'A') + sig.substring(at + 1));
    Path altered = Files.writeString(tmp.resolve("altered"), String.join("\n", lines) + "\n");
    Cli.Result r = verify(altered, "--witness-threshold", "1");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.unwrapped()).contains("ERROR CHECKPOINT_SIGNATURE_INVALID: " + described(altered)
        + ": a cosignature by a trusted witness does not verify");
  }

  @Test
  void verify_witnessOptionsMisused_exitTwo() {
    Cli.Result noCheckpoint = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--witness-key", witnesses.get(0));
    assertThat(noCheckpoint.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(noCheckpoint.err()).contains("--witness-key needs --checkpoint");
    for (String k : List.of("0", "4")) {
      Cli.Result r = verify(byW1W2, "--witness-threshold", k);
      assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.err()).contains("--witness-threshold must be between 1 and the number of distinct --witness-key"
          + " witnesses (3), got " + k);
    }
    Cli.Result thresholdAlone = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--checkpoint", byW1W2,
        "--witness-threshold", "1");
    assertThat(thresholdAlone.code()).isEqualTo(Main.BAD_INPUT);
    Cli.Result badKey = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--checkpoint", byW1W2,
        "--witness-key", "not a key");
    assertThat(badKey.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(badKey.err()).contains("--witness-key: ");
  }
}
