package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, item 2, through the real {@code custody} command: an insider deletes transparency state
 * ({@code log/}, {@code checkpoint}, {@code checkpoints/}, {@code tile/}) and possibly cuts the last
 * entries. With the log's key given to the auditor ({@code --log-key}) that is an error; without
 * it, a warning that says truncation cannot be excluded, in the text and the JSON report.
 */
class MissingTransparencyCliTest {
  @TempDir static Path root;
  static Path genuine;
  static Path keys;
  static String logKey;

  @TempDir Path work;

  enum Deletion { LOG_DIR, CHECKPOINT_FILE, CHECKPOINTS_DIR, ALL, ALL_AND_LAST_ENTRIES_CUT }

  @BeforeAll
  static void buildLedger() throws Exception {
    keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    genuine = root.resolve("ledger");
    Cli.ok("init", "--ledger", genuine, "--origin", "example.org/models");
    for (int i = 0; i < 6; i++) {
      Cli.ok("record", "annotation", "--ledger", genuine, "--chain", i % 2 == 0 ? "acme/a" : "acme/b",
          "--key", keys.resolve("alice.key"), "--text", "note " + i);
    }
    Cli.ok("checkpoint", "--ledger", genuine);
    logKey = Cli.ok("info", "--ledger", genuine, "--json").json().get("verifierKey").asText();
    assertThat(Files.exists(genuine.resolve("checkpoints/6"))).isTrue();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Deletion d : Deletion.values()) {
      out.add(Arguments.of(d, true));
      out.add(Arguments.of(d, false));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, --log-key {1}")
  @MethodSource("cases")
  void verify_transparencyStateDeleted_errorWithLogKeyWarningWithout(Deletion d, boolean withLogKey) throws Exception {
    Path l = Cli.copyTree(genuine, work.resolve("copy"));
    if (d == Deletion.LOG_DIR || d.compareTo(Deletion.ALL) >= 0) {
      deleteTree(l.resolve("log"));
    }
    if (d == Deletion.CHECKPOINT_FILE || d.compareTo(Deletion.ALL) >= 0) {
      Files.delete(l.resolve("checkpoint"));
    }
    if (d == Deletion.CHECKPOINTS_DIR || d.compareTo(Deletion.ALL) >= 0) {
      deleteTree(l.resolve("checkpoints"));
      deleteTree(l.resolve("tile"));
    }
    if (d == Deletion.ALL_AND_LAST_ENTRIES_CUT) {
      List<String> lines = Cli.records(l);
      Cli.writeRecords(l, new ArrayList<>(lines.subList(0, 4)));
    }
    List<Object> args = new ArrayList<>(List.of("verify", "--ledger", l, "--trust", keys));
    if (withLogKey) {
      args.addAll(List.of("--log-key", logKey));
    }
    Cli.Result text = Cli.run(args.toArray());
    args.addAll(List.of("--format", "json"));
    Cli.Result json = Cli.run(args.toArray());
    JsonNode report = json.json();
    Set<String> errors = new TreeSet<>();
    Set<String> warnings = new TreeSet<>();
    report.get("findings").forEach(f -> (f.get("severity").asText().equals("ERROR") ? errors : warnings)
        .add(f.get("code").asText()));
    String why = d + (withLogKey ? " with" : " without") + " --log-key: " + text;

    switch (d) {
      case LOG_DIR -> {
        assertThat(text.code()).as(why).isEqualTo(Main.FAILED);
        assertThat(errors).as(why).containsExactly(withLogKey ? "LOG_IDENTITY_MISSING" : "CHECKPOINT_UNTRUSTED");
      }
      case CHECKPOINT_FILE, CHECKPOINTS_DIR -> {
        // The other copy of the newest checkpoint is left and commits to every entry.
        assertThat(text.code()).as(why).isEqualTo(Main.VERIFIED);
        assertThat(errors).as(why).isEmpty();
      }
      case ALL, ALL_AND_LAST_ENTRIES_CUT -> {
        if (withLogKey) {
          assertThat(text.code()).as(why).isEqualTo(Main.FAILED);
          assertThat(errors).as(why).containsExactly("LOG_IDENTITY_MISSING", "NO_TRUSTED_CHECKPOINT");
          assertThat(text.out()).contains("ERROR NO_TRUSTED_CHECKPOINT").contains("cannot be excluded");
        } else {
          assertThat(text.code()).as(why).isEqualTo(Main.VERIFIED);
          assertThat(errors).as(why).isEmpty();
          assertThat(warnings).as(why).contains("NO_CHECKPOINT");
          assertThat(text.out()).contains("WARNING NO_CHECKPOINT").contains("truncation")
              .contains("cannot be excluded");
          assertThat(json.out()).contains("truncation").contains("cannot be excluded");
        }
      }
      default -> throw new AssertionError(d);
    }
    assertThat(json.code()).as(why).isEqualTo(text.code());
    assertThat(report.get("verified").asBoolean()).isEqualTo(text.code() == Main.VERIFIED);
  }

  private static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) {
      return; // no full tile below 256 entries
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void verify_crashAfterTheFirstAppendBeforeItsCheckpoint_onlyNotCheckpointedWithLogKey() throws Exception {
    // init signs the checkpoint of the empty tree, so a ledger a crash stopped before the checkpoint of its
    // first appends still holds one by its log key: not checkpointed yet (a warning), not stripped (an error).
    Path l = work.resolve("fresh");
    Cli.ok("init", "--ledger", l, "--origin", "example.org/fresh", "--checkpoint-interval", "-1");
    assertThat(Files.readString(l.resolve("checkpoints/0"))).startsWith("example.org/fresh\n0\n");
    Cli.ok("record", "annotation", "--ledger", l, "--chain", "acme/a", "--key", keys.resolve("alice.key"),
        "--text", "first");
    String key = Cli.ok("info", "--ledger", l, "--json").json().get("verifierKey").asText();

    Cli.Result r = Cli.run("verify", "--ledger", l, "--trust", keys, "--log-key", key);

    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.out()).contains("WARNING NOT_CHECKPOINTED").doesNotContain("NO_TRUSTED_CHECKPOINT");
  }
}
