package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
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
    assertThat(r.err()).contains("'" + file + "' line 57");
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

  // ---------------------------------------------------------------- issue 7 item 8

  /**
   * An annotation line with {@code params} parameters of 60,000 characters each: the signed record
   * is about 4/3 of the line (base64), so 14 of them (an 840 KB line) make a record over 1 MiB, 13 do not.
   */
  private static String heavyLine(String chain, int params) {
    StringBuilder b = new StringBuilder("{\"chain\":\"" + chain + "\",\"kind\":\"annotation\",\"text\":\"t\",\"parameters\":{");
    for (int i = 0; i < params; i++) {
      b.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":\"").append(String.valueOf((char) ('a' + i))
          .repeat(60_000)).append('"');
    }
    return b.append("}}").toString();
  }

  private Cli.Result runFromStdin(byte[] stdin, Object... args) {
    java.io.InputStream saved = System.in;
    System.setIn(new java.io.ByteArrayInputStream(stdin));
    try {
      return Cli.run(args);
    } finally {
      System.setIn(saved);
    }
  }

  /** Runs the batch {@code input} into {@code l}, which must refuse it naming line {@code line} and stay unchanged. */
  private Cli.Result assertRefused(Path l, List<String> input, int line) throws Exception {
    Path file = batch(input);
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "--batch", file, "--key", key, "--ledger", l);
    assertNothingRecorded(r, l, before, "'" + file + "' line " + line);
    return r;
  }

  private static void assertNothingRecorded(Cli.Result r, Path l, Map<String, String> before, String where) {
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).as("%s", r).contains(where).doesNotContain("internal error");
    assertThat(r.out()).as("no reference printed").isEmpty();
    assertThat(Cli.snapshot(l)).as("ledger unchanged").isEqualTo(before);
  }

  @Test
  void recordBatch_lineWhoseSignedRecordIsOver1MiB_recordsNothingAndNamesLine() throws Exception {
    Path l = ledger();
    List<String> input = lines(6);
    input.set(2, heavyLine("acme/c0", 14));
    assertThat(input.get(2).length()).isLessThan(1 << 20); // the line alone is under the limit
    Cli.Result r = assertRefused(l, input, 3);
    assertThat(r.err()).contains("1048576");
  }

  @Test
  void recordBatch_oversizeLineAfterThousandsOfGoodOnes_recordsNothing() throws Exception {
    Path l = ledger();
    List<String> input = lines(5000);
    input.add(heavyLine("acme/c0", 14));
    assertRefused(l, input, 5001);
  }

  /** Lines are checked on several threads, a chunk at a time: the error is still the first bad line in input order. */
  @Test
  void recordBatch_badLinesInSeveralChunks_namesTheFirstInInputOrder() throws Exception {
    Path l = ledger();
    List<String> input = lines(3000);
    String bad = "{\"chain\":\"acme/c0\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":\"high\"}}";
    input.set(2599, bad);
    input.set(1299, bad);
    input.set(700, "{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"" + "x".repeat(3 << 20) + "\"}");
    input.set(299, bad);
    Cli.Result r = assertRefused(l, input, 300);
    assertThat(r.err()).doesNotContain("line 701").doesNotContain("line 1300").doesNotContain("line 2600");
  }

  /** A line over the length limit is found while reading ahead; a bad line before it is still the one named. */
  @Test
  void recordBatch_badLineBeforeAnOverlongOne_namesTheBadLine() throws Exception {
    Path l = ledger();
    List<String> input = lines(600);
    input.set(9, "{\"chain\":\"acme/c0\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":\"high\"}}");
    input.set(20, "{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"" + "x".repeat(3 << 20) + "\"}");
    Cli.Result r = assertRefused(l, input, 10);
    assertThat(r.err()).doesNotContain("longer than");
  }

  /** And an overlong line before a bad one is the one named. */
  @Test
  void recordBatch_overlongLineBeforeABadOne_namesTheOverlongLine() throws Exception {
    Path l = ledger();
    List<String> input = lines(600);
    input.set(9, "{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"" + "x".repeat(3 << 20) + "\"}");
    input.set(20, "{\"chain\":\"acme/c0\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":\"high\"}}");
    Cli.Result r = assertRefused(l, input, 10);
    assertThat(r.err()).contains("longer than");
  }

  @Test
  void recordBatch_lineJustUnderTheBound_isRecorded() throws Exception {
    Path l = ledger();
    List<String> input = lines(2);
    input.add(heavyLine("acme/c0", 13));
    List<JsonNode> refs = Cli.ok("record", "--batch", batch(input), "--key", key, "--ledger", l).jsonLines();
    assertThat(refs).hasSize(3);
  }

  @Test
  void recordBatch_lineOverTheLineLimit_refusedNamingLine() throws Exception {
    Path l = ledger();
    List<String> input = lines(3);
    input.set(1, "{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"" + "x".repeat(3 << 20) + "\"}");
    assertRefused(l, input, 2);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"C3 28", "ED A0 80", "C0 AF", "F4 90 80 80", "80", "E2 82"})
  void recordBatch_invalidUtf8InFile_recordsNothingAndNamesLine(String hex) throws Exception {
    Path l = ledger();
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write((line(0) + "\n{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"ok ").getBytes(StandardCharsets.UTF_8));
    b.write(java.util.HexFormat.ofDelimiter(" ").parseHex(hex));
    b.write((" ok\"}\n" + line(2) + "\n").getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(work.resolve("bad-utf8.jsonl"), b.toByteArray());
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "--batch", file, "--key", key, "--ledger", l);
    assertNothingRecorded(r, l, before, "'" + file + "' line 2");
    assertThat(r.err()).contains("UTF-8");
  }

  @Test
  void recordBatch_invalidUtf8FromStdin_recordsNothingAndNamesLine() throws Exception {
    Path l = ledger();
    byte[] bad = (line(0) + "\n" + line(1) + "\n{\"chain\":\"acme/c0\",\"kind\":\"annotation\",\"text\":\"\u00e9\"}\n")
        .getBytes(StandardCharsets.ISO_8859_1); // é as the single byte E9: not UTF-8
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = runFromStdin(bad, "record", "--batch", "-", "--key", key, "--ledger", l);
    assertNothingRecorded(r, l, before, "stdin line 3");
    assertThat(r.err()).contains("UTF-8");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"\\uD800", "x\\uDC00", "\\uD800\\u0041", "\\uDBFF"})
  void recordBatch_loneSurrogateEscape_recordsNothingAndNamesLineAndMember(String escape) throws Exception {
    Path l = ledger();
    List<String> input = lines(3);
    input.set(1, "{\"chain\":\"acme/c0\",\"kind\":\"training\",\"parameters\":{\"note\":\"" + escape + "\"}}");
    Cli.Result r = assertRefused(l, input, 2);
    assertThat(r.err()).contains("surrogate").contains("/parameters/note");
  }

  @Test
  void recordBatch_surrogatePairEscape_isRecordedAsTheCharacter() throws Exception {
    Path l = ledger();
    List<String> input = lines(1);
    input.add("{\"chain\":\"acme/c0\",\"kind\":\"training\",\"parameters\":{\"note\":\"\\uD83D\\uDE00\"}}");
    Cli.ok("record", "--batch", batch(input), "--key", key, "--ledger", l);
    JsonNode event = Cli.ok("show", "acme/c0:1", "--ledger", l, "--json").json().get("event");
    assertThat(event.get("parameters").get("note").asText()).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void recordBatch_stdin_recordsEveryLine() throws Exception {
    Path l = ledger();
    byte[] in = (String.join("\n", lines(10)) + "\n").getBytes(StandardCharsets.UTF_8);
    Cli.Result r = runFromStdin(in, "record", "--batch", "-", "--key", key, "--ledger", l);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.jsonLines()).hasSize(10);
    assertThat(Cli.ok("log", "--ledger", l, "--json").jsonLines()).hasSize(11);
  }

  /** The copy of standard input holds exactly the bytes read: no newline added after a last line without one. */
  @Test
  void recordBatch_stdinWithoutFinalNewline_recordsEveryLine() throws Exception {
    Path l = ledger();
    byte[] in = String.join("\n", lines(3)).getBytes(StandardCharsets.UTF_8);
    Cli.Result r = runFromStdin(in, "record", "--batch", "-", "--key", key, "--ledger", l);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.err()).doesNotContain("changed");
    assertThat(r.jsonLines()).hasSize(3);
    assertThat(Cli.ok("log", "--ledger", l, "--json").jsonLines()).hasSize(4);
  }

  @Test
  void recordBatch_fifo_refusedWithoutHanging() throws Exception {
    Path l = ledger();
    Path fifo = work.resolve("batch.fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Cli.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> Cli.run("record", "--batch", fifo, "--key", key, "--ledger", l));
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(fifo.toString()).contains("--batch -");
  }

  /**
   * A reference is printed as soon as its entry is durable, not thousands of entries later: a batch
   * of one small line then 30 lines of 660 KB (each takes milliseconds to parse and sign). When the
   * first reference reaches stdout, most of the batch must still be unwritten.
   */
  @Test
  void recordBatch_referencesPrintedAsSoonAsDurable_firstBeforeMostOfTheBatchIsWritten() throws Exception {
    Path l = ledger();
    List<String> input = new ArrayList<>(lines(1));
    for (int i = 0; i < 30; i++) {
      input.add(heavyLine("acme/heavy", 11));
    }
    Path file = batch(input);
    Path segment = l.resolve(Cli.SEGMENT_0);
    long[] entriesAtFirstReference = {-1};
    StringBuilder printed = new StringBuilder();
    java.io.Writer out = new java.io.Writer() {
      @Override
      public void write(char[] cbuf, int off, int len) {
        String s = new String(cbuf, off, len);
        if (entriesAtFirstReference[0] < 0 && s.contains("\n")) {
          try (var lines = Files.lines(segment)) {
            entriesAtFirstReference[0] = lines.count();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        printed.append(s);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    int code = Main.run(new String[] {"record", "--batch", file.toString(), "--key", key.toString(), "--ledger",
        l.toString()}, new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()));
    assertThat(code).isZero();
    assertThat(printed.toString().split("\n")).hasSize(31);
    // 1 entry before the batch; the first reference's entry is the second; the rest are 660 KB each.
    assertThat(entriesAtFirstReference[0]).as("entries in the ledger when the first reference was printed")
        .isBetween(2L, 16L);
  }

  /**
   * Memory stays bounded for a batch of any length: 100,000 lines from stdin in a child JVM with a
   * 64 MiB heap, which holding every event (as custody did before) runs out of. (The store's own
   * indexes grow with the ledger, about 100 bytes an entry; 32 MiB is too tight for them here.)
   */
  @Test
  void recordBatch_100kLinesFromStdinIn64MiBHeap_recordsAndPrintsEveryLine() throws Exception {
    Path l = ledger();
    int n = 100_000;
    Path file = work.resolve("big.jsonl");
    try (java.io.BufferedWriter w = Files.newBufferedWriter(file)) {
      for (int i = 0; i < n; i++) {
        w.write(line(i));
        w.write('\n');
      }
    }
    Cli.Result r = Cli.child(file, List.of(), List.of("-Xmx64m"), 300, "record", "--batch", "-", "--key", key,
        "--ledger", l);
    assertThat(r.code()).as("exit %d, err: %s", r.code(), r.err()).isZero();
    String[] refs = r.out().split("\n");
    assertThat(refs).hasSize(n);
    List<String> records = Cli.records(l);
    assertThat(records).hasSize(n + 1);
    JsonNode last = Cli.MAPPER.readTree(refs[n - 1]);
    assertThat(last.get("logIndex").asLong()).isEqualTo(n);
    assertThat(last.get("hash").asText())
        .isEqualTo("sha256:" + Cli.sha256Hex(records.get(n).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void recordBatch_duplicateMemberSpelledWithAnEscape_recordsNothingAndNamesLine() throws Exception {
    Path l = ledger();
    List<String> input = lines(3);
    input.set(1, "{\"chain\":\"acme/c0\",\"\\u0063hain\":\"acme/c1\",\"kind\":\"training\"}");
    Cli.Result r = assertRefused(l, input, 2);
    assertThat(r.err()).containsIgnoringCase("duplicate");
  }

  @Test
  void recordBatch_numberOutOfRange_recordsNothingAndNamesLineAndMember() throws Exception {
    Path l = ledger();
    List<String> input = lines(3);
    input.set(2, "{\"chain\":\"acme/c0\",\"kind\":\"evaluation\",\"metrics\":{\"acc\":1e2147483648}}");
    Cli.Result r = assertRefused(l, input, 3);
    assertThat(r.err()).contains("/metrics/acc").contains("out of range");
  }

  @Test
  void recordBatch_symlinkToTheBatch_isFollowedLikeAnyNamedFile() throws Exception {
    Path l = ledger();
    Path link = Files.createSymbolicLink(work.resolve("link.jsonl"), batch(lines(4)));
    assertThat(Cli.ok("record", "--batch", link, "--key", key, "--ledger", l).jsonLines()).hasSize(4);
  }

  @Test
  void recordBatch_symlinkToDevZero_refusedWithoutReading() throws Exception {
    Path l = ledger();
    Path link = Files.createSymbolicLink(work.resolve("zero.jsonl"), Path.of("/dev/zero"));
    Cli.Result r = Cli.run("record", "--batch", link, "--key", key, "--ledger", l);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains(link.toString()).contains("not a regular file");
  }

  @Test
  void recordEventJson_loneSurrogateEscape_recordsNothingAndNamesFileAndMember() throws Exception {
    Path l = ledger();
    Path f = Files.writeString(work.resolve("event.json"), "{\"parameters\":{\"k\":\"x\\uD800\"}}");
    Map<String, String> before = Cli.snapshot(l);
    Cli.Result r = Cli.run("record", "training", "--event-json", f, "--chain", "acme/c0", "--key", key, "--ledger", l);
    assertNothingRecorded(r, l, before, "'" + f + "'");
    assertThat(r.err()).contains("surrogate").contains("/parameters/k");
  }
}
