package dev.custody.attest.io;

import dev.custody.core.text.Untrusted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Durable file writes for everything attest stores besides segment records (ledger marker, log
 * identity, checkpoints and their timestamps, manifests, witness state, private keys): a reader
 * sees the old file or the new one, never a mix, and what returned survives a crash.
 *
 * <p><b>Modes.</b> A ledger holds no secret and other users must be able to verify it, so files
 * are created with the process's default mode ({@code 0666} less the umask, usually {@code 0644});
 * only {@link #createPrivate} makes a file {@code 0600}, for private keys. Errors name the file
 * being written (a full disk is reported as "FILE: No space left on device").
 */
public final class DurableFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<OpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private DurableFiles() {}

  /**
   * Replaces {@code target} with {@code data}: writes a temporary file beside it, fsyncs it, renames
   * it over the target (atomic on POSIX file systems) and fsyncs the directory so the rename
   * survives a crash. The file gets the default mode (0666 less the umask).
   */
  public static void replace(Path target, byte[] data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = newTempFile(dir, target);
    try {
      writeAndSync(tmp, target, data);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot store " + Untrusted.quote(target.toString()) + " atomically: the file system"
            + " does not support atomic renames", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  /** Creates {@code target} (which must not exist) with {@code data}, durably, with the default mode. */
  public static void create(Path target, byte[] data) throws IOException {
    try (FileChannel ch = FileChannel.open(target, NEW_FILE)) {
      writeAndSync(ch, target, data);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Creates {@code target}, which must not exist, holding {@code secret} with mode 0600 (owner
   * read and write only): for private keys. The file appears whole or not at all — it is written
   * and fsynced under a temporary name and then hard-linked to {@code target}, which fails if
   * {@code target} exists — so a full disk or a crash never leaves an empty or partial key behind
   * that would block the next attempt.
   *
   * @throws FileAlreadyExistsException if {@code target} exists (it is never overwritten)
   */
  public static void createPrivate(Path target, byte[] secret) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite an existing key");
    }
    FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    Path tmp = newTempFile(dir, target, ownerOnly);
    try {
      writeAndSync(tmp, target, secret);
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite an existing key");
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        // No hard links here (e.g. FAT, some network file systems): a rename that refuses to replace.
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  /**
   * A new empty file beside {@code target}, named like {@link Files#createTempFile} names them
   * ({@code .NAME<random>.tmp}), created exclusively. {@code Files.createTempFile} itself would make
   * it 0600, and the rename would keep that mode.
   */
  private static Path newTempFile(Path dir, Path target, FileAttribute<?>... attrs) throws IOException {
    String prefix = "." + target.getFileName();
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
      try {
        Files.newByteChannel(tmp, NEW_FILE, attrs).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 100) {
          throw e;
        }
      } catch (IOException e) {
        throw named(target, "cannot create a temporary file beside it", e);
      }
    }
  }

  private static void writeAndSync(Path tmp, Path target, byte[] data) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      writeAndSync(ch, target, data);
    }
  }

  private static void writeAndSync(FileChannel ch, Path target, byte[] data) throws IOException {
    try {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    } catch (IOException e) {
      throw named(target, "cannot write", e);
    }
  }

  /** {@code e} with a message that names {@code target}; nothing was stored. */
  private static IOException named(Path target, String what, IOException e) {
    return new IOException(Untrusted.quote(target.toString()) + ": " + what + ": " + e.getMessage(), e);
  }

  /** fsync of a directory, so that a file created or renamed in it survives a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
