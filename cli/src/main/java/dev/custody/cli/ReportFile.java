package dev.custody.cli;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code verify --out FILE} writes a report: checked before the replay starts (so a bad
 * name costs nothing), written at the end in one atomic, durable replacement — a reader never
 * sees half a report, and a symbolic link at FILE is replaced itself, never followed to overwrite
 * its target. FILE may not lie inside the ledger directory (a report is not evidence, and writing
 * it there could replace a ledger file), nor replace a file the verification reads (trusted keys,
 * the auditor's checkpoint, the model).
 */
final class ReportFile {
  private final Path file;

  private ReportFile(Path file) {
    this.file = file;
  }

  /**
   * Checks {@code file} as the output of a verification of {@code ledger} that reads {@code inputs}.
   *
   * @param inputs other files or directories the command reads, by the option that names them (e.g.
   *     {@code --trust}); the report may not replace one of them or go inside one
   * @throws IllegalArgumentException if it is a directory, inside the ledger or an input, or in a
   *     directory that does not exist
   */
  static ReportFile check(Path file, java.util.List<Path> ledgers, Map<String, Path> inputs) throws IOException {
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
    Path target = dir.toRealPath().resolve(abs.getFileName());
    for (Path ledger : ledgers) {
      if (Files.isDirectory(ledger) && target.startsWith(ledger.toRealPath())) {
        throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + " is inside the ledger"
            + " directory " + Untrusted.quote(ledger.toString()) + ": a report is not evidence and must not be written"
            + " among the ledger's files; write it elsewhere");
      }
    }
    for (Map.Entry<String, Path> in : inputs.entrySet()) {
      Path p = in.getValue();
      // The input as named, and where its links lead: the report replaces the link, but a reader follows it.
      if (p != null && (target.equals(p.toAbsolutePath().normalize())
          || Files.exists(p) && target.startsWith(p.toRealPath()))) {
        throw new IllegalArgumentException("--out " + Untrusted.quote(file.toString()) + " would replace or go inside "
            + in.getKey() + " " + Untrusted.quote(p.toString()) + ", which this verification reads; write the report"
            + " elsewhere");
      }
    }
    return new ReportFile(target);
  }

  /** Replaces the file with {@code report} (UTF-8), atomically and durably. */
  void write(String report) throws IOException {
    DurableFiles.replace(file, report.getBytes(StandardCharsets.UTF_8));
  }

  Path path() {
    return file;
  }
}
