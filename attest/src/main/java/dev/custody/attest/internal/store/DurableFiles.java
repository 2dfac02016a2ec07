package dev.custody.attest.internal.store;

import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * identity, checkpoints and their timestamps, manifests, tiles, witness state, private keys): a
 * reader sees the old file or the new one, never a mix, and what returned survives a crash.
 *
 * <p><b>Temporaries.</b> A crash can leave a temporary file {@code .NAME.<16 hex>.tmp} beside the
 * target ({@link LedgerLayout#temporaryName}); the file store removes such leftovers when it opens,
 * and the verifier ignores them. Temporaries are created exclusively and links are never followed
 * when writing, so nothing planted under a name is written through; the directory of the target is
 * the caller's to have checked (inside a ledger: {@link dev.custody.core.internal.ledger.LedgerFiles}).
 *
 * <p><b>Modes.</b> A ledger holds no secret and other users must be able to verify it, so files
 * are created with the process's default mode ({@code 0666} less the umask, usually {@code 0644});
 * only {@link #createPrivate} makes a file {@code 0600}, for private keys. Errors name the file
 * being written (a full disk is reported as "FILE: cannot write: No space left on device").
 */
public final class DurableFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<OpenOption> NEW_FILE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final FileAttribute<?> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private DurableFiles() {}

  /**
   * Replaces {@code target} with {@code data}: writes a temporary file beside it, fsyncs it, renames
   * it over the target (atomic on POSIX file systems) and fsyncs the directory so the rename
   * survives a crash. The file gets the default mode (0666 less the umask).
   */
  public static void replace(Path target, byte[] data) throws IOException {
    Path dir = directoryOf(target);
    Path tmp = newTempFile(dir, target, data, false);
    try {
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
    try (FileChannel ch = open(target, false)) {
      writeAndSync(ch, target, data);
    }
    syncDirectory(directoryOf(target));
  }

  /**
   * Creates {@code target}, which must not exist, holding {@code secret} with mode 0600 (owner
   * read and write only): for private keys. The file appears whole or not at all (see
   * {@link #createWhole}), so a full disk or a crash never leaves an empty or partial key behind
   * that would block the next attempt.
   *
   * @throws FileAlreadyExistsException if {@code target} exists (it is never overwritten)
   */
  public static void createPrivate(Path target, byte[] secret) throws IOException {
    createByLink(target, secret, true, "refusing to overwrite an existing key");
  }

  /**
   * Creates {@code target}, which must not exist, holding {@code data}, durably, with the default
   * mode — whole or not at all: it is written and fsynced under a temporary name and then
   * hard-linked to {@code target}, which fails if {@code target} exists. Unlike {@link #create}, a
   * crash never leaves a partial {@code target}; unlike {@link #replace}, a file another writer put
   * there first is never replaced. For files that, once written, must not change (a signer's
   * certificate chain).
   *
   * @throws FileAlreadyExistsException if {@code target} exists (it is never overwritten)
   */
  public static void createWhole(Path target, byte[] data) throws IOException {
    createByLink(target, data, false, "refusing to overwrite it");
  }

  private static void createByLink(Path target, byte[] data, boolean ownerOnly, String refusal) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, refusal);
    }
    Path dir = directoryOf(target);
    Path tmp = newTempFile(dir, target, data, ownerOnly);
    try {
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(target.toString(), null, refusal);
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        // No hard links here (e.g. FAT, some network file systems): a rename that refuses to replace.
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  /** The directory {@code target} is written in (a file to write is never the root, which has none). */
  private static Path directoryOf(Path target) {
    return LedgerFiles.parentOf(target.toAbsolutePath());
  }

  /**
   * A new file beside {@code target} holding {@code data}, fsynced, named so that readers recognise
   * a crash's leftover and writers remove it ({@link LedgerLayout#isTemporaryName}).
   */
  private static Path newTempFile(Path dir, Path target, byte[] data, boolean ownerOnly) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(LedgerLayout.temporaryName(target.getFileName().toString(), RANDOM.nextLong()));
      FileChannel ch;
      try {
        ch = open(tmp, ownerOnly);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 100) {
          throw e;
        }
        continue;
      } catch (IOException e) {
        throw named(target, "cannot create a temporary file beside it", e);
      }
      try (ch) {
        writeAndSync(ch, target, data);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      return tmp;
    }
  }

  private static FileChannel open(Path p, boolean ownerOnly) throws IOException {
    boolean posix = p.getFileSystem().supportedFileAttributeViews().contains("posix");
    return ownerOnly && posix ? FileChannel.open(p, NEW_FILE, OWNER_ONLY) : FileChannel.open(p, NEW_FILE);
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
