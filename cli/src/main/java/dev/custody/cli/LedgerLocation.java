package dev.custody.cli;

import dev.custody.attest.StoreSettings;
import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.LogStores;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A ledger named on the command line: a directory, or a store URL ({@code postgresql://host/db},
 * {@link LogStores}). Commands that read or append go through the store; {@code verify} (and
 * anything that reads a ledger's files) works on a directory, so a URL is first copied
 * ({@link #copyForVerifying}) into a temporary directory that is deleted when the command ends.
 */
final class LedgerLocation {
  private LedgerLocation() {}

  static boolean isUrl(String location) {
    return LogStores.isUrl(location);
  }

  /** Opens a ledger URL for appending (credentials and the log key file from the environment). */
  static Ledger open(String url) throws IOException, FormatException {
    return Ledger.open(url, StoreSettings.fromEnvironment());
  }

  /**
   * Opens a ledger URL for appending and signing checkpoints, with the log key file {@code logKeyFile} when
   * given ({@code --log-private-key}), else {@code $CUSTODY_LOG_KEY}, else the URL's {@code ?logKey=}.
   */
  static Ledger open(String url, Optional<Path> logKeyFile) throws IOException, FormatException {
    StoreSettings settings = StoreSettings.fromEnvironment();
    return Ledger.open(url, logKeyFile.map(settings::withLogKeyFile).orElse(settings));
  }

  /** Opens a ledger (directory or URL) for reading. */
  static Ledger openReadOnly(String location) throws IOException, FormatException {
    return Ledger.openReadOnly(location, StoreSettings.fromEnvironment());
  }

  /**
   * Copies the ledger at {@code url} (read-only, one snapshot, trusting nothing in it) into a new
   * temporary directory in the file ledger's layout, removed when the JVM exits; says so on stderr.
   */
  static Path copyForVerifying(String url, CommandSpec spec) throws IOException, FormatException {
    return copyForReading(url, spec, "verify");
  }

  /**
   * As {@link #copyForVerifying}, for a command that reads a ledger's files to do {@code what} (e.g.
   * "export": an evidence bundle is made from the copy's records, manifests and certificate chains).
   */
  static Path copyForReading(String url, CommandSpec spec, String what) throws IOException, FormatException {
    Path tmp = Files.createTempDirectory("custody-" + what + "-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tmp), "custody-verify-copy-cleanup"));
    Path dir = tmp.resolve("ledger");
    long n = LogStores.provider(url).copyToDirectory(url, dir, StoreSettings.fromEnvironment());
    ErrorReport.notice(spec, "LEDGER_COPIED", "copied " + n + " entries of " + Untrusted.quote(url) + " into " + dir
        + " to " + what + " them there (the database is trusted for nothing)");
    return dir;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // The JVM is exiting; a leftover temporary copy is harmless.
    }
  }
}
