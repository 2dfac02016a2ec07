package dev.custody.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The npm verifiers custody's output must pass ({@code src/test/npm/}: {@code jose},
 * {@code @sigstore/verify}, pinned by the committed lockfile), installed with {@code npm ci} into
 * {@code target/npm} once per build and run with {@code node}. A missing node or npm, or a failed
 * install, fails the test (./test installs nodejs and npm): these checks are never skipped.
 */
final class NpmVerifiers {
  private static final Path SOURCE = Path.of("src/test/npm");
  private static final Path DIR = Path.of("target/npm");

  private NpmVerifiers() {}

  /** What a node script printed and its exit code. */
  record Run(int code, String out) {}

  /** Installs (if the lockfile changed) and returns the directory holding node_modules and the scripts. */
  static synchronized Path install() {
    try {
      Files.createDirectories(DIR);
      byte[] lock = Files.readAllBytes(SOURCE.resolve("package-lock.json"));
      boolean fresh = Files.isDirectory(DIR.resolve("node_modules"))
          && Files.exists(DIR.resolve("package-lock.json"))
          && java.util.Arrays.equals(lock, Files.readAllBytes(DIR.resolve("package-lock.json")));
      try (Stream<Path> files = Files.list(SOURCE)) {
        for (Path f : files.toList()) {
          Files.copy(f, DIR.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (!fresh) {
        Run r = exec(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), 300);
        if (r.code() != 0) {
          throw new AssertionError("npm ci in " + DIR.toAbsolutePath() + " failed (exit " + r.code() + "):\n" + r.out());
        }
      }
      return DIR;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code node SCRIPT args...} in the install directory. */
  static Run node(String script, Object... args) {
    install();
    List<String> cmd = new ArrayList<>(List.of("node", script));
    for (Object a : args) {
      cmd.add(a instanceof Path p ? p.toAbsolutePath().toString() : String.valueOf(a));
    }
    return exec(cmd, 120);
  }

  private static Run exec(List<String> cmd, int timeoutSeconds) {
    try {
      Path log = Files.createTempFile("custody-npm", ".txt");
      try {
        Process p;
        try {
          p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true)
              .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
          throw new AssertionError(cmd.get(0) + " is not installed; ./test installs nodejs and npm", e);
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
