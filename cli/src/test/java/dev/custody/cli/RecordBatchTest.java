package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody record --batch FILE.jsonl}: one durable entry per line, all or nothing on bad input. */
class RecordBatchTest {
  @TempDir static Path root;
  static Path key;

  @TempDir Path work;

  @BeforeAll
  static void keys() {
    Cli.ok("keys", "generate", "--out", root, "--name", "k");
    key = root.resolve("k.key");
  }

  private Path ledger() {
    Path l = work.resolve("ledger");
    Cli.ok("init", "--ledger", l);
    Cli.ok("record", "annotation", "--ledger", l, "--chain", "pre/existing", "--key", key, "--text", "before");
    return l;
  }

  /** Line i (0-based) of a 100-line batch over three chains, of several kinds. */
  private static String line(int i) {
    String chain = "acme/c" + (i % 3);
    return switch (i % 4) {
      case 0 -> "{\"chain\":\"" + chain + "\",\"kind\":\"dataset-ingest\",\"outputs\":[{\"name\":\"shard-" + i
          + "\",\"kind\":\"dataset\",\"digest\":\"sha256:" + String.format("%064x", i) + "\"}]}";
      case 1 -> "{\"chain\":\"" + chain + "\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":0." + i + "}}";
      case 2 -> "{\"chain\":\"" + chain + "\",\"type\":\"annotation\",\"text\":\"line " + i + "\"}";
      default -> "{\"chain\":\"" + chain + "\",\"kind\":\"training\",\"parameters\":{\"step\":\"" + i + "\"}}";
    };
  }

  private Path batch(List<String> lines) throws Exception {
    return Files.writeString(work.resolve("events.jsonl"), String.join("\n", lines) + "\n");
  }

  private static List<String> lines(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(line(i));
    }
    return l;
  }

  @Test
  void recordBatch_hundredLines_printsOneDurableReferencePerLineInOrder() throws Exception {
    Path l = ledger();
    List<String> input = lines(100);
    input.add(50, ""); // blank lines are skipped
    List<JsonNode> refs = Cli.ok("record", "--batch", batch(input), "--key", key, "--ledger", l).jsonLines();
    assertThat(refs).hasSize(100);
    long[] nextSeq = new long[3];
    for (int i = 0; i < 100; i++) {
      JsonNode r = refs.get(i);
      assertThat(r.get("chain").asText()).isEqualTo("acme/c" + (i % 3));
      assertThat(r.get("sequence").asLong()).isEqualTo(nextSeq[i % 3]++);
      assertThat(r.get("logIndex").asLong()).isEqualTo(i + 1);
      assertThat(r.get("hash").asText()).startsWith("sha256:");
    }
    // Durable and in the log, in the same order, with the same hashes.
    List<JsonNode> log = Cli.ok("log", "--ledger", l, "--json").jsonLines();
    assertThat(log).hasSize(101);
    for (int i = 0; i < 100; i++) {
      assertThat(log.get(i + 1).get("hash")).isEqualTo(refs.get(i).get("hash"));
    }
    assertThat(log.get(3).get("kind").asText()).isEqualTo("annotation");
    assertThat(Cli.ok("show", "acme/c0:1", "--ledger", l, "--json").json().get("event").get("type").asText())
        .isEqualTo("training"); // line 3 (i = 3) is the second entry of acme/c0
    Cli.Result v = Cli.run("verify", "--ledger", l, "--trust", root.resolve("k.pub"));
    assertThat(v.code()).as("%s", v).isZero();
  }

  @Test
  void recordBatch_badLine57_exitsTwoNamingLineAndRecordsNothing() throws Exception {
    Path l = ledger();
    List<String> input = lines(100);
    input.set(56, "{\"chain\":\"acme/c0\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":\"high\"}}");
    Path file = batch(input);
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "--batch", file, "--key", key, "--ledger", l);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(file + " line 57");
    assertThat(r.out()).isEmpty();
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }

  @Test
  void recordBatch_variousBadLines_exitTwoNamingLine() throws Exception {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    List<String> bad = List.of(
        "not json",
        "{\"kind\":\"training\"}", // no chain
        "{\"chain\":\"bad chain\",\"kind\":\"training\"}",
        "{\"chain\":\"a/b\",\"kind\":\"pretraining\"}",
        "{\"chain\":\"a/b\",\"kind\":\"training\",\"type\":\"training\"}",
        "{\"chain\":\"a/b\",\"kind\":\"training\",\"unknown\":1}",
        "{\"chain\":\"a/b\",\"chain\":\"a/c\",\"kind\":\"training\"}",
        "[1,2]");
    for (String b : bad) {
      List<String> input = lines(3);
      input.set(1, b);
      Path file = batch(input);
      Cli.Result r = Cli.run("record", "--batch", file, "--key", key, "--ledger", l);
      assertThat(r.code()).as("%s: %s", b, r).isEqualTo(Main.BAD_INPUT);
      assertThat(r.err()).as(b).contains("line 2").doesNotContain("internal error");
      assertThat(Cli.snapshot(l)).as(b).isEqualTo(before);
    }
  }

  @Test
  void recordBatch_emptyFileOrEventOptions_exitsTwoAndRecordsNothing() throws Exception {
    Path l = ledger();
    Map<String, String> before = Cli.snapshot(l);
    Path empty = Files.writeString(work.resolve("empty.jsonl"), "\n\n");
    Cli.Result r = Cli.run("record", "--batch", empty, "--key", key, "--ledger", l);
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(empty.toString());
    Cli.Result both = Cli.run("record", "training", "--batch", batch(lines(2)), "--key", key, "--ledger", l);
    assertThat(both.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(both.err()).contains("--batch");
    for (String[] option : new String[][] {{"--param", "a=b"}, {"--env", "a=b"}, {"--version", "1"},
        {"--metric", "acc=1"}, {"--text", "t"}, {"--subject", "a/b:0"}, {"--input", "m=sha256:" + "ab".repeat(32)}}) {
      Cli.Result eventOption = Cli.run("record", "--batch", batch(lines(2)), "--key", key, "--ledger", l,
          option[0], option[1]);
      assertThat(eventOption.code()).as("%s", eventOption).isEqualTo(Main.BAD_INPUT);
      assertThat(eventOption.err()).contains(option[0]);
    }
    Path missing = work.resolve("missing.jsonl");
    Cli.Result absent = Cli.run("record", "--batch", missing, "--key", key, "--ledger", l);
    assertThat(absent.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(absent.err()).contains(missing.toString());
    assertThat(Cli.snapshot(l)).isEqualTo(before);
  }
}
