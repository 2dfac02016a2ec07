package dev.custody.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --ledger DIR} option shared by every command that uses a ledger. */
final class LedgerOption {
  /** Environment variable naming the default ledger directory. */
  static final String ENV = "CUSTODY_LEDGER";
  static final String DEFAULT_DIR = ".custody";

  @Option(names = "--ledger", paramLabel = "DIR|URL",
      description = "Ledger directory, or a shared ledger's URL postgresql://HOST[:PORT]/DB (password from PGPASSWORD,"
          + " ~/.pgpass or ?passwordFile=PATH, never in the URL; the log key file from $CUSTODY_LOG_KEY)"
          + " (default: $CUSTODY_LEDGER, else ./.custody).")
  String ledger;

  /** The ledger as given: a directory or a URL. */
  String location() {
    return ledger != null ? ledger : defaultLocation();
  }

  /** Whether the ledger is a store URL rather than a directory. */
  boolean isUrl() {
    return LedgerLocation.isUrl(location());
  }

  /**
   * The ledger directory.
   *
   * @throws IllegalArgumentException for a URL: this command works on a ledger's files
   */
  Path resolve() {
    if (isUrl()) {
      throw new IllegalArgumentException("this command works on a ledger directory, not on a URL such as "
          + dev.custody.core.internal.text.Untrusted.quote(location()) + "; copy the ledger into one first ('custody"
          + " migrate --from URL --to DIR')");
    }
    return Path.of(location());
  }

  /** The ledger when none is named: {@code $CUSTODY_LEDGER}, else {@code ./.custody}. */
  static Path defaultLedger() {
    return Path.of(defaultLocation());
  }

  /** The ledger when none is named, as given: {@code $CUSTODY_LEDGER} (a directory or a URL), else {@code ./.custody}. */
  static String defaultLocation() {
    String env = System.getenv(ENV);
    return env != null && !env.isBlank() ? env : DEFAULT_DIR;
  }
}
