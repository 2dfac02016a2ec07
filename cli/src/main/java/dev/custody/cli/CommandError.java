package dev.custody.cli;

import dev.custody.core.CustodyException;
import java.util.Objects;

/**
 * A failure a command reports itself, with its {@link ErrorReport} (code, file, entry, chain,
 * suggestions) and exit code: {@link Main} prints the report, as text or JSON, and exits with it.
 */
final class CommandError extends CustodyException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorReport report;
  private final int exitCode;

  CommandError(ErrorReport report) {
    this(report, Main.BAD_INPUT);
  }

  CommandError(ErrorReport report, int exitCode) {
    super(Objects.requireNonNull(report, "report").message());
    this.report = report;
    this.exitCode = exitCode;
  }

  ErrorReport report() {
    return report;
  }

  int exitCode() {
    return exitCode;
  }
}
