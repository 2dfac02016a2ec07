package dev.custody.attest.internal.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another writer changed the log without holding the ledger lock (see {@link TailGuard}). The
 * writer that noticed stopped without changing anything; its pending appends failed.
 */
public final class ForeignWriteException extends IOException {
  private static final long serialVersionUID = 1L;

  ForeignWriteException(Path segment, String what, Path lock) {
    super("another writer wrote to " + segment + " without holding the ledger lock " + lock + ": " + what
        + ". Stopped without changing anything. Two writers whose locks are not shared (two machines on a network or"
        + " FUSE file system) overwrite each other's entries: make sure one machine writes this ledger (use the"
        + " shared database store for many), then check it with 'custody verify'. If no other writer exists (e.g."
        + " after a power failure lost the lock note), delete " + lock + " and try again");
  }
}
