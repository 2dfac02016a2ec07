package dev.custody.attest.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import dev.custody.core.ledger.LedgerLayout;

/**
 * Durable file writes for everything attest stores besides segment records (ledger marker, log
 * identity, checkpoints and their timestamps, manifests, tiles, witness state): a reader sees the old
 * file or the new one, never a mix, and what returned survives a crash. A crash can leave a temporary
 * file {@code .NAME.<16 hex>.tmp} beside the target ({@link LedgerLayout#temporaryName}); the file
 * store removes such leftovers when it opens, and the verifier ignores them. Links are never followed
 * when writing; the directory of the target is the caller's to have checked (inside a ledger:
 * {@link dev.custody.core.ledger.LedgerFiles}).
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
    // Named so that readers recognise a crash's leftover and writers remove it (LedgerLayout.isTemporaryName);
    // created exclusively and without following links, so nothing planted under that name is written.
    Path tmp = dir.resolve(LedgerLayout.temporaryName(target.getFileName().toString(),
        java.util.concurrent.ThreadLocalRandom.current().nextLong()));
    try {
      writeAndSync(tmp, data, TEMPORARY_MODE, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
    writeAndSync(target, data, null, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Mode of the temporary file, hence of the replaced file: owner read/write, as
   * {@code Files.createTempFile} made it before (unchanged here; item 14 of issue 7 revisits it).
   */
  private static final java.nio.file.attribute.FileAttribute<?> TEMPORARY_MODE =
      java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

  private static void writeAndSync(Path p, byte[] data, java.nio.file.attribute.FileAttribute<?> mode,
      StandardOpenOption... options) throws IOException {
    java.util.Set<java.nio.file.OpenOption> all = new java.util.HashSet<>(java.util.Arrays.asList(options));
    all.add(java.nio.file.LinkOption.NOFOLLOW_LINKS);
    boolean posix = p.getFileSystem().supportedFileAttributeViews().contains("posix");
    try (FileChannel ch = mode != null && posix ? FileChannel.open(p, all, mode) : FileChannel.open(p, all)) {
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
