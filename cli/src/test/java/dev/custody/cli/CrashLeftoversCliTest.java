package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.internal.ledger.LedgerLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash leftovers through the CLI (issue 7, item 7): a temporary file left by a kill while a
 * checkpoint was stored is an INFO for {@code custody verify}, never a failure, and the next writer
 * removes it; an interrupted {@code custody init} is simply run again.
 */
class CrashLeftoversCliTest {
  @TempDir Path tmp;
  Path ledger;
  Path keys;

  @BeforeEach
  void setUp() {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
  }

  private void record(int n) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", keys.resolve("alice.key"),
          "--text", "entry " + i);
    }
  }

  private Cli.Result verify() throws Exception {
    return Cli.run("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        Files.readString(ledger.resolve(LedgerLayout.LOG_VKEY)).strip());
  }

  /** Temporary files a kill leaves while storing checkpoint 4 (this version's names and the older ones'). */
  @ParameterizedTest
  @ValueSource(strings = {"checkpoints/.4.00000000deadbeef.tmp", "checkpoints/.43141592653589793.tmp",
      ".checkpoint.0123456789abcdef.tmp"})
  void verify_temporaryCheckpointFileLeftByAKill_verifiedAndTheNextWriterRemovesIt(String leftover) throws Exception {
    Cli.ok("init", "--ledger", ledger, "--checkpoint-interval", "0");
    record(3);
    byte[] cp = Files.readAllBytes(ledger.resolve(LedgerLayout.CHECKPOINT));
    Path left = Files.write(ledger.resolve(leftover), Arrays.copyOf(cp, cp.length / 2));

    Cli.Result r = verify();
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.out()).doesNotContain("CHECKPOINT_MALFORMED").doesNotContain("ERROR");
    if (leftover.startsWith(LedgerLayout.CHECKPOINTS)) {
      assertThat(r.out()).contains("INFO TEMPORARY_FILE_LEFT").contains(left.getFileName().toString());
    }

    record(1);
    assertThat(left).doesNotExist();
    Cli.Result after = verify();
    assertThat(after.code()).as("%s", after).isEqualTo(Main.VERIFIED);
    assertThat(after.out()).doesNotContain("TEMPORARY_FILE_LEFT");
  }

  @Test
  void init_interruptedBeforeItsMarker_notALedgerThenRunAgain() throws Exception {
    Cli.ok("init", "--ledger", ledger);
    // What a kill just before the marker was renamed into place leaves: what init writes before it (segments/,
    // the log identity), not what it writes after (the lock and the checkpoint of the empty tree).
    Files.move(ledger.resolve(LedgerLayout.MARKER), ledger.resolve(".ledger.json.0000000000005eed.tmp"));
    Files.delete(ledger.resolve("lock"));
    Files.delete(ledger.resolve(LedgerLayout.CHECKPOINT));
    Files.delete(ledger.resolve("checkpoints/0"));
    Files.delete(ledger.resolve("checkpoints"));
    Files.write(ledger.resolve(LedgerLayout.LOG_KEY), new byte[0]); // and, say, a key never written

    Cli.Result record = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "too early");
    assertThat(record.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(record.err()).contains("is not a custody ledger (no ledger.json")
        .contains("an interrupted 'custody init' leaves no ledger.json and can simply be run again");

    Cli.ok("init", "--ledger", ledger);
    record(2);
    assertThat(verify().code()).isEqualTo(Main.VERIFIED);
  }

  @Test
  void record_identityIncompleteInAnOlderLedger_refusedWithTheRepair() throws Exception {
    Cli.ok("init", "--ledger", ledger);
    Files.write(ledger.resolve(LedgerLayout.LOG_KEY), new byte[0]); // what versions writing the marker first left
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "x");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("is incomplete: log/key is empty").contains("run 'custody init' again");
    Cli.Result init = Cli.run("init", "--ledger", ledger);
    assertThat(init.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(init.err()).contains("already a custody ledger");
  }
}
