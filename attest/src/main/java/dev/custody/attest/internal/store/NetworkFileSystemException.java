package dev.custody.attest.internal.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The file store refuses to write a ledger on a network or FUSE file system ({@link NetworkFileSystems})
 * unless allowed ({@link FileLogStore.Options#allowNetworkFileSystem()}): two machines whose locks are
 * not shared would each hold "the" ledger lock and overwrite each other's entries. Nothing was changed.
 */
public final class NetworkFileSystemException extends IOException {
  private static final long serialVersionUID = 1L;

  NetworkFileSystemException(Path dir, String what) {
    super("ledger " + dir + " is on " + what + ", where the ledger lock may not be shared between the machines that"
        + " mount it: two writers that each believe they hold it overwrite each other's entries (an acknowledged"
        + " entry was lost this way). custody does not write there; nothing was changed. Keep the ledger on a local"
        + " disk (for many machines, use the shared database store), or, if only this machine ever writes it, allow"
        + " it with --allow-network-fs (Java: FileLogStore.Options.withNetworkFileSystemAllowed, or -D"
        + FileLogStore.Options.ALLOW_NETWORK_FILE_SYSTEM_PROPERTY + "=true)");
  }
}
