package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.NetworkFileSystems;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --allow-network-fs}, for the commands that write a ledger: the file store refuses to write
 * on a network or FUSE file system ({@link NetworkFileSystems}) unless the user insists, and then
 * custody warns on stderr.
 */
final class NetworkFsOption {
  @Option(names = "--allow-network-fs",
      description = "Write even though the ledger is on a network or FUSE file system (NFS, SMB/CIFS, sshfs, 9p, …),"
          + " whose lock may not be shared between machines: two machines writing at once lose entries. Only when"
          + " this machine alone writes the ledger; a warning is printed.")
  boolean allow;

  /** Opens {@code dir} for writing, warning on stderr when it is on a network file system and that was allowed. */
  Ledger open(Path dir, CommandSpec spec) throws IOException, FormatException {
    Ledger ledger = Ledger.open(dir, FileLogStore.Options.defaults().withNetworkFileSystemAllowed(allow
        || FileLogStore.Options.defaults().allowNetworkFileSystem()));
    warn(dir, spec);
    return ledger;
  }

  /** For a ledger about to be created at {@code dir}: refuses a network file system unless allowed, else warns. */
  void checkBeforeCreating(Path dir, CommandSpec spec) throws IOException {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null) {
      NetworkFileSystems.requireAllowed(dir, Files.getFileStore(existing).type(), allow
          || FileLogStore.Options.defaults().allowNetworkFileSystem());
      warn(existing, spec);
    }
  }

  private void warn(Path dir, CommandSpec spec) throws IOException {
    Optional<String> kind = NetworkFileSystems.classify(Files.getFileStore(dir).type());
    if (kind.isPresent()) {
      ErrorReport.notice(spec, "NETWORK_FILE_SYSTEM", "warning: ledger " + Untrusted.quote(dir.toString()) + " is on "
          + kind.get() + "; writing anyway as allowed (--allow-network-fs). Its lock may not be shared between"
          + " machines: make sure only this machine writes the ledger");
    }
  }
}
