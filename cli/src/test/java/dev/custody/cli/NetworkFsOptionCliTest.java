package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-network-fs} on the commands that write (issue 7, item 15). A network mount cannot be
 * made in a test; the refusal and its message are pinned by NetworkFileSystemsTest (attest), and here
 * that the option is accepted where it belongs and says nothing on a local disk.
 */
class NetworkFsOptionCliTest {
  @TempDir Path tmp;

  @Test
  void writingCommands_allowNetworkFsOnALocalDisk_workAndWarnNothing() {
    Path ledger = tmp.resolve("ledger");
    Path keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.Result init = Cli.ok("init", "--ledger", ledger, "--allow-network-fs");
    Cli.Result record = Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "hello", "--allow-network-fs");
    Cli.Result checkpoint = Cli.ok("checkpoint", "--ledger", ledger, "--allow-network-fs");
    Cli.Result run = Cli.ok("run", "training", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--allow-network-fs", "--", "true");
    for (Cli.Result r : new Cli.Result[] {init, record, checkpoint, run}) {
      assertThat(r.err()).as("%s", r).doesNotContain("warning");
    }
  }

  @Test
  void help_writingCommands_documentTheOption() {
    for (String command : new String[] {"init", "record", "run", "checkpoint"}) {
      assertThat(Cli.run(command, "--help").out()).as(command).contains("--allow-network-fs")
          .contains("network or");
    }
    assertThat(Cli.run("verify", "--help").out()).doesNotContain("--allow-network-fs");
  }
}
