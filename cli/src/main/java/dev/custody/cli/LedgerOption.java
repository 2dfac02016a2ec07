package dev.custody.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --ledger DIR} option shared by every command that uses a ledger. */
final class LedgerOption {
  /** Environment variable naming the default ledger directory. */
  static final String ENV = "CUSTODY_LEDGER";
  static final String DEFAULT_DIR = ".custody";

  @Option(names = "--ledger", paramLabel = "DIR",
      description = "Ledger directory (default: $CUSTODY_LEDGER, else ./.custody).")
  Path ledger;

  Path resolve() {
    return ledger != null ? ledger : defaultLedger();
  }

  /** The ledger when none is named: {@code $CUSTODY_LEDGER}, else {@code ./.custody}. */
  static Path defaultLedger() {
    String env = System.getenv(ENV);
    return Path.of(env != null && !env.isBlank() ? env : DEFAULT_DIR);
  }
}
