package dev.custody.core.internal.ledger;

import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Something inside a ledger directory is not what custody may read or write: a symbolic link, a
 * FIFO, a socket or a device where a regular file or directory belongs, a regular file where a
 * directory belongs, or (for writing in place) a file with more than one hard link. Custody refuses
 * rather than follow it, since that could read a file elsewhere, hang on a FIFO, or overwrite or
 * delete files outside the ledger. Nothing was changed when it is thrown.
 *
 * <p>An {@link IOException}: like a missing or unreadable file, the ledger cannot be used as it is
 * (the CLI exits 2).
 */
public final class UnsafeFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * @param path the offending path (printed escaped: file names inside a ledger are untrusted)
   * @param what what is there, e.g. "is a symbolic link"
   * @param todo what to do about it
   */
  public UnsafeFileException(Path path, String what, String todo) {
    super(Untrusted.quote(path.toString(), 1000) + " " + what + "; custody never follows links or opens special"
        + " files inside a ledger (they could make it read, overwrite or delete files elsewhere, or hang)."
        + " Nothing was changed. " + todo);
    this.path = path;
  }

  /** The path that was refused. */
  public Path path() {
    return path;
  }
}
