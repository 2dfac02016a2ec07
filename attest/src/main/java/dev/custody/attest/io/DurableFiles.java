package dev.custody.attest.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable file writes for everything attest stores besides segment records (ledger marker, log
 * identity, checkpoints and their timestamps, manifests, witness state): a reader sees the old file
 * or the new one, never a mix, and what returned survives a crash.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /**
   * Replaces {@code target} with {@code data}: writes a temporary file beside it, fsyncs it, renames
   * it over the target (atomic on POSIX file systems) and fsyncs the directory so the rename
   * survives a crash.
   */
  public static void replace(Path target, byte[] data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      writeAndSync(tmp, data, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot store " + target + " atomically: the file system does not support atomic"
            + " renames", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  /** Creates {@code target} (which must not exist) with {@code data}, durably. */
  public static void create(Path target, byte[] data) throws IOException {
    writeAndSync(target, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    syncDirectory(target.toAbsolutePath().getParent());
  }

  private static void writeAndSync(Path p, byte[] data, StandardOpenOption... options) throws IOException {
    try (FileChannel ch = FileChannel.open(p, options)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /** fsync of a directory, so that a file created or renamed in it survives a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
