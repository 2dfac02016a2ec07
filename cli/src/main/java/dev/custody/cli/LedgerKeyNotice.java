package dev.custody.cli;

import dev.custody.attest.internal.store.LogKeyLocation;
import dev.custody.core.internal.text.Untrusted;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The warning every command gives when a ledger it uses holds a private key ({@code DIR/log/key}, the
 * layout before custody kept the log key outside, see {@link LogKeyLocation}): a copy of the ledger
 * carries the key. A notice on standard error ({@code PRIVATE_KEY_IN_LEDGER} under JSON); the command
 * goes on.
 */
final class LedgerKeyNotice {
  static final String CODE = "PRIVATE_KEY_IN_LEDGER";

  private LedgerKeyNotice() {}

  /** Warns, for the command about to run, about every ledger it names that holds a private key. */
  static void warn(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult last = parsed;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    if (last.isUsageHelpRequested() || last.isVersionHelpRequested()
        || last.commandSpec().userObject() instanceof KeysCommand.MoveLogKey) {
      return; // the command that moves the key out says what it did instead
    }
    CommandSpec spec = last.commandSpec();
    Set<Path> dirs = new LinkedHashSet<>();
    collect(spec, dirs);
    for (Path dir : dirs) {
      LogKeyLocation.keyInside(dir).ifPresent(key -> ErrorReport.notice(spec, CODE, "warning: ledger "
          + Untrusted.quote(dir.toString()) + " holds the log's private key (" + Untrusted.quote(key.toString())
          + "): whoever gets a copy of the ledger can sign checkpoints as this log. Move it out with 'custody keys"
          + " move-log-key --ledger " + dir + "'"));
    }
  }

  /** A ledger reached by URL ({@code postgresql://…}) is no directory and holds no private key. */
  private static void addDirectory(String location, Set<Path> dirs) {
    if (!LedgerLocation.isUrl(location)) {
      dirs.add(Path.of(location));
    }
  }

  /** The ledger directories the command's options name (its own and its mixins'). */
  private static void collect(CommandSpec spec, Set<Path> dirs) {
    Object o = spec.userObject();
    if (o instanceof LedgerOption l) {
      addDirectory(l.location(), dirs);
    } else if (o instanceof EvidenceOptions e) {
      (e.ledgers.isEmpty() && e.bundles.isEmpty() ? List.of(LedgerOption.defaultLocation()) : e.ledgers)
          .forEach(l -> addDirectory(l, dirs));
    }
    spec.mixins().values().forEach(m -> collect(m, dirs));
  }
}
