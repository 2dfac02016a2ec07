package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that takes {@code CHAIN:SEQ|HASH} reads it with the one parser
 * ({@code dev.custody.core.entry.EntryLocator}): the same limit (SEQ up to Long.MAX_VALUE; show allowed
 * 19 digits and overflowed, lineage and verify --entry stopped at 18) and the same error naming the text.
 */
class EntryLocatorCliTest {
  static final String CHAIN = "acme/falcon-7b";
  static final String OVERFLOW = CHAIN + ":9223372036854775808";
  static final String NINETEEN_DIGITS = CHAIN + ":1000000000000000000";
  static final String MESSAGE = "'" + OVERFLOW + "' is neither CHAIN:SEQ (e.g. acme/falcon-7b:3; SEQ from 0 to"
      + " 9223372036854775807, no sign or leading zeros) nor an entry hash (sha256:<64 hex>)";

  @TempDir static Path root;
  static Path key;
  static Path ledger;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    Path keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    key = keys.resolve("alice.key");
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger);
    Cli.ok("record", "training", "--ledger", ledger, "--chain", CHAIN, "--key", key,
        "--output", "model=sha256:" + "ab".repeat(32));
    model = Files.createDirectories(root.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "w");
  }

  private static List<List<Object>> commands(String entry) {
    return List.of(
        List.of("show", entry, "--ledger", ledger),
        List.of("prove", "inclusion", entry, "--ledger", ledger),
        List.of("record", "approval", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--subject", entry),
        List.of("lineage", entry, "--ledger", ledger, "--trust", root.resolve("keys")),
        List.of("verify", "--ledger", ledger, "--trust", root.resolve("keys"), "--model", model, "--entry", entry));
  }

  @Test
  void everyCommand_sequenceBeyondLong_sameMessageExit2() {
    for (List<Object> args : commands(OVERFLOW)) {
      Cli.Result r = Cli.run(args.toArray());
      assertThat(r.code()).as("%s: %s", args, r.err()).isEqualTo(2);
      assertThat(r.err()).as("%s", args).contains(MESSAGE).doesNotContain("NumberFormat").doesNotContain("For input");
    }
  }

  @Test
  void everyCommand_nineteenDigitSequence_parsedAndLookedUp() {
    for (List<Object> args : commands(NINETEEN_DIGITS)) {
      Cli.Result r = Cli.run(args.toArray());
      assertThat(r.err()).as("%s", args).doesNotContain("is neither").doesNotContain("expected CHAIN:SEQ");
    }
  }

  @Test
  void proveConsistency_sizeBeyondLong_neitherSizeNorFileExit2() {
    // Tree sizes share the one unsigned-decimal spelling (UnsignedDecimal): above Long.MAX_VALUE is no size.
    Cli.Result r = Cli.run("prove", "consistency", "--from", "9223372036854775808", "--ledger", ledger);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("is neither a tree size nor a checkpoint file").doesNotContain("For input");
  }
}
