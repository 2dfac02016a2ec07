package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test helper: runs the real CLI in-process through {@link Main#run} and handles ledger files. */
final class Cli {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String SEGMENT_0 = "segments/00000000000000000000.jsonl";

  private Cli() {}

  /** What one CLI invocation returned and printed. */
  record Result(int code, String out, String err) {
    /** stdout parsed as one JSON value. */
    JsonNode json() {
      try {
        return MAPPER.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + out, e);
      }
    }

    /**
     * stdout of {@code custody verify} (text report) with each finding on one line: every line
     * indented by exactly four spaces (a message, wrapped at 100 columns) joined to the line
     * before with one space, giving {@code SEVERITY CODE[ chain:seq, log index N, FILE line L]: message}.
     */
    String unwrapped() {
      return out.replaceAll("\n {4}(?=\\S)", " ");
    }

    /** stdout parsed as JSON lines. */
    List<JsonNode> jsonLines() {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.lines().toList()) {
        if (!line.isBlank()) {
          try {
            nodes.add(MAPPER.readTree(line));
          } catch (IOException e) {
            throw new AssertionError("stdout line is not JSON: " + line, e);
          }
        }
      }
      return nodes;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
    }
  }

  /** Runs {@code custody args...}. */
  static Result run(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = String.valueOf(args[i]);
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(a, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs {@code custody args...} and fails the test unless it exits 0. */
  static Result ok(Object... args) {
    Result r = run(args);
    if (r.code() != 0) {
      throw new AssertionError("expected exit 0 from " + List.of(args) + "\n" + r);
    }
    return r;
  }

  /**
   * Runs {@code custody args...} in a child JVM on the test classpath with {@code jvmArgs} (e.g.
   * {@code -Xmx64m}), {@code prefix} before the java command (e.g. {@code setpriv ...}), and kills it
   * after {@code timeoutSeconds}: for cases that would exhaust or hang the test JVM if they failed.
   * Exit code -1 means the child was killed at the timeout.
   */
  static Result child(List<String> prefix, List<String> jvmArgs, int timeoutSeconds, Object... args) {
    return child(null, prefix, jvmArgs, timeoutSeconds, args);
  }

  /** As {@link #child(List, List, int, Object...)}, with {@code stdin} (null: /dev/null) as standard input. */
  static Result child(Path stdin, List<String> prefix, List<String> jvmArgs, int timeoutSeconds, Object... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    try {
      Path out = Files.createTempFile("custody-child-out", ".txt");
      Path err = Files.createTempFile("custody-child-err", ".txt");
      try {
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(stdin == null ? new java.io.File("/dev/null") : stdin.toFile()))
            .start();
        int code;
        if (p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
          code = p.exitValue();
        } else {
          p.destroyForcibly().waitFor();
          code = -1;
        }
        return new Result(code, Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Copies a directory tree. */
  static Path copyTree(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Every regular file under {@code dir} (relative path) with its content as hex, for before/after comparisons. */
  static Map<String, String> snapshot(Path dir) {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          m.put(dir.relativize(p).toString(), HexFormat.of().formatHex(Files.readAllBytes(p)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** The record lines of a one-segment ledger, without their newlines. */
  static List<String> records(Path ledger) {
    try {
      return new ArrayList<>(Files.readAllLines(ledger.resolve(SEGMENT_0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the one segment of {@code ledger} by {@code lines}, each '\n'-terminated. */
  static void writeRecords(Path ledger, List<String> lines) {
    StringBuilder sb = new StringBuilder();
    lines.forEach(l -> sb.append(l).append('\n'));
    try {
      Files.writeString(ledger.resolve(SEGMENT_0), sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
