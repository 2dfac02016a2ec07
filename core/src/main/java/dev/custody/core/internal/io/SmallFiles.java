package dev.custody.core.internal.io;

import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one bounded read of a whole file: keys, event JSON, checkpoints, proofs, trust files, and the
 * small files of a ledger ({@code LedgerLayout.readSmallFile}). Before the file is opened its type
 * is checked, so a directory, a FIFO (whose {@code open} would block until a writer comes) or a
 * device ({@code /dev/zero}, which never ends) is refused with a message instead of hanging or
 * running out of memory; then at most {@code maxBytes + 1} bytes are read, so a file that grows
 * after the check is still refused. Errors name the file (quoted with {@link Untrusted#quote}) and
 * what it should have been. Stateless.
 *
 * <p>The type check and the open are two system calls: a file replaced by a FIFO in between can
 * still block the caller. That needs write access to the directory the user named, and costs only
 * the caller's own command.
 */
public final class SmallFiles {
  private SmallFiles() {}

  /**
   * All bytes of {@code file}, which must be a regular file of at most {@code maxBytes} bytes.
   *
   * @param what what the file should hold, for messages, e.g. "private key"
   * @param links {@link LinkOption#NOFOLLOW_LINKS} to refuse a symbolic link instead of following it
   * @throws FormatException naming the file if it is not a regular file or is too large
   * @throws NoSuchFileException if it does not exist, {@link AccessDeniedException} if it may not be
   *     read; both name the file and what it should hold
   * @throws IOException for other I/O errors, naming the file
   */
  public static byte[] read(Path file, int maxBytes, String what, LinkOption... links)
      throws IOException, FormatException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    long size = requireRegularFile(file, what, links).size();
    if (size > maxBytes) {
      throw tooLarge(file, maxBytes, what);
    }
    byte[] data;
    try (InputStream in = Files.newInputStream(file, links)) {
      data = in.readNBytes(maxBytes + 1);
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw named(e, file, what);
    } catch (IOException e) {
      throw new IOException(Untrusted.quote(file.toString()) + ": cannot read the " + what + ": " + e.getMessage(), e);
    }
    if (data.length > maxBytes) {
      throw tooLarge(file, maxBytes, what);
    }
    return data;
  }

  /**
   * Checks, without opening it, that {@code file} is a regular file (following symbolic links
   * unless {@code links} says otherwise), for callers that then stream it with their own bounds.
   *
   * @return its attributes
   * @throws FormatException naming the file if it is a directory, a FIFO, a socket, a device or
   *     (with {@link LinkOption#NOFOLLOW_LINKS}) a symbolic link
   * @throws NoSuchFileException if it does not exist, naming the file and what it should hold
   */
  public static BasicFileAttributes requireRegularFile(Path file, String what, LinkOption... links)
      throws IOException, FormatException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class, links);
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw named(e, file, what);
    }
    String name = Untrusted.quote(file.toString());
    if (a.isDirectory()) {
      throw new FormatException(name + " is a directory, not a " + what + " file; name the file itself");
    }
    if (a.isSymbolicLink()) {
      throw new FormatException(name + " is a symbolic link; custody does not follow links here (give the " + what
          + " file itself)");
    }
    if (!a.isRegularFile()) {
      throw new FormatException(name + " is not a regular file (a FIFO, socket or device); custody reads a " + what
          + " only from a regular file, so that it cannot block or read without end");
    }
    return a;
  }

  private static FormatException tooLarge(Path file, int maxBytes, String what) {
    return new FormatException(Untrusted.quote(file.toString()) + " is larger than " + maxBytes + " bytes, the limit"
        + " for a " + what + "; is it the right file?");
  }

  /** The same exception type, with a reason that says what the file should have been. */
  private static IOException named(IOException e, Path file, String what) {
    String f = Untrusted.quote(file.toString());
    IOException out = e instanceof NoSuchFileException
        ? new NoSuchFileException(f, null, "no such file (expected a " + what + ")")
        : new AccessDeniedException(f, null, "permission denied (cannot read the " + what
            + "; check the file's owner and mode)");
    out.initCause(e);
    return out;
  }
}
