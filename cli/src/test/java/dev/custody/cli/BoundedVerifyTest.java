package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, item 6: {@code custody verify} in a child JVM with a small heap, as a regulator would run
 * it on a hostile ledger. Millions of junk lines end in a report (the first findings per code kept,
 * the rest counted), not in an exhausted heap; a heap too small for the input exits 2 with a message
 * naming what happened, never 1 ("verification failed") and never a bare stack trace.
 */
class BoundedVerifyTest {
  /** Junk lines: the 6 MB file of 3 M lines exhausted a 256 MiB heap; 2 M in 64 MiB keeps the test short. */
  static final int JUNK_LINES = 2_000_000;

  @TempDir static Path root;
  static Path keys;

  @BeforeAll
  static void keys() {
    keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
  }

  @Test
  void verify_twoMillionJunkLinesIn64MiBHeap_reportsFirstHundredAndCountsTheRest() throws Exception {
    Path ledger = root.resolve("junk");
    Cli.ok("init", "--ledger", ledger);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(ledger.resolve(Cli.SEGMENT_0)), 1 << 16)) {
      byte[] line = "x\n".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < JUNK_LINES; i++) {
        out.write(line);
      }
    }

    Child c = custody("-Xmx64m", "verify", "--ledger", ledger, "--trust", keys, "--format", "json");

    assertThat(c.code()).as("%s", c).isEqualTo(Main.FAILED);
    JsonNode report = new ObjectMapper().readTree(c.out());
    assertThat(report.get("entries").asLong()).isEqualTo(JUNK_LINES);
    assertThat(report.get("errors").asLong()).isEqualTo(JUNK_LINES);
    List<JsonNode> malformed = new ArrayList<>();
    report.get("findings").forEach(f -> {
      if (f.get("code").asText().equals("RECORD_MALFORMED")) {
        malformed.add(f);
      }
    });
    assertThat(malformed).hasSize(100);
    assertThat(malformed.get(0).get("entry").get("logIndex").asLong()).isZero();
    assertThat(malformed.get(99).get("entry").get("logIndex").asLong()).isEqualTo(99);
    assertThat(report.get("omitted").get("RECORD_MALFORMED").asLong()).isEqualTo(JUNK_LINES - 100);
  }

  @Test
  void verify_heapTooSmallForInput_exits2NamingOutOfMemoryWithoutStackTrace() throws Exception {
    // 48 records of 1,000,000 bytes: replay keeps up to 32 MiB of records in flight, more than a 16 MiB heap.
    Path ledger = root.resolve("big");
    Cli.ok("init", "--ledger", ledger);
    byte[] line = new byte[1_000_001];
    Arrays.fill(line, (byte) 'x');
    line[line.length - 1] = '\n';
    try (OutputStream out = Files.newOutputStream(ledger.resolve(Cli.SEGMENT_0))) {
      for (int i = 0; i < 48; i++) {
        out.write(line);
      }
    }

    Child c = custody("-Xmx16m", "verify", "--ledger", ledger, "--trust", keys);

    assertThat(c.code()).as("%s", c).isEqualTo(Main.BAD_INPUT);
    assertThat(c.err()).as("%s", c).contains("custody: error:").contains("out of memory").contains(" MiB")
        .contains("-Xmx").doesNotContain("Exception in thread").doesNotContain("\tat ");
    assertThat(c.out()).doesNotContain("VERIFIED").doesNotContain("FAILED");
  }

  record Child(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out (head):\n" + head(out) + "\n--- err (head):\n" + head(err);
    }

    private static String head(String s) {
      return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }
  }

  /** Runs {@code custody ARGS} in a child JVM with {@code heap} (e.g. -Xmx64m) on the test classpath. */
  private static Child custody(String heap, Object... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    Path out = root.resolve("child-" + System.nanoTime() + ".out");
    Path err = root.resolve("child-" + System.nanoTime() + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("custody " + List.of(args) + " did not finish within 120 s");
    }
    return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
