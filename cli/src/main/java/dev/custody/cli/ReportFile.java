package dev.custody.cli;

import dev.custody.attest.io.DurableFiles;
import dev.custody.core.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where {@code verify --out FILE} writes a report: checked before the replay starts (so a bad
 * name costs nothing), written at the end in one atomic, durable replacement — a reader never
 * sees half a report, and a symbolic link at FILE is replaced itself, never followed to overwrite
 * its target. FILE may not lie inside the ledger directory: a report is not evidence, and writing
 * it there could replace a ledger file.
 */
final class ReportFile {
  private final Path file;

  private ReportFile(Path file) {
    this.file = file;
  }

  /**
   * Checks {@code file} as an output beside {@code ledger}.
   *
   * @throws IllegalArgumentException if it is a directory, inside the ledger, or in a directory that does not exist
   */
  static ReportFile check(Path file, Path ledger) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    if (dir == null || abs.getFileName() == null) {
      throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + " names no file");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + ": its directory "
          + Untrusted.quote(dir.toString()) + " does not exist; create it first");
    }
    if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + " is a directory: name a file"
          + " to write the report to");
    }
    Path realDir = dir.toRealPath();
    if (Files.isDirectory(ledger) && realDir.startsWith(ledger.toRealPath())) {
      throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + " is inside the ledger directory "
          + Untrusted.quote(ledger.toString()) + ": a report is not evidence and must not be written among the"
          + " ledger's files; write it elsewhere");
    }
    return new ReportFile(realDir.resolve(abs.getFileName()));
  }

  /** Replaces the file with {@code report} (UTF-8), atomically and durably. */
  void write(String report) throws IOException {
    DurableFiles.replace(file, report.getBytes(StandardCharsets.UTF_8));
  }

  Path path() {
    return file;
  }
}
