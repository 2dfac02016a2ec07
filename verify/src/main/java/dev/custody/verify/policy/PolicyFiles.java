package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the small files a policy names (the policy itself, key files, CA certificates, a ledger's
 * certificate chains): regular files only, never through a symbolic link, never more than a bound.
 *
 * <p>Why refuse symbolic links: a policy's key file is part of the policy; a link lets whoever can
 * write the link's target (another directory, another user) change what the policy trusts without
 * touching the policy's directory. Why refuse FIFOs and devices: opening one blocks or never ends.
 * The type is checked without following links, then the file is opened with
 * {@link LinkOption#NOFOLLOW_LINKS} ({@code O_NOFOLLOW}) and read up to the bound plus one byte, so a
 * file swapped between the check and the open is still neither followed nor read without bound.
 */
final class PolicyFiles {
  private PolicyFiles() {}

  /**
   * The bytes of {@code file}.
   *
   * @param what what the file should be, for errors, e.g. "public key file"
   * @throws FormatException naming the file if it is missing, a link, not a regular file or over {@code maxBytes}
   * @throws IOException if reading fails
   */
  static byte[] read(Path file, int maxBytes, String what) throws IOException, FormatException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new FormatException(file + ": no such " + what);
    }
    if (attrs.isSymbolicLink()) {
      throw new FormatException(file + ": is a symbolic link; a " + what + " must be a regular file (copy the"
          + " file there, or name its real path)");
    }
    if (!attrs.isRegularFile()) {
      throw new FormatException(file + ": is not a regular file (a directory, FIFO or device); give the " + what);
    }
    if (attrs.size() > maxBytes) {
      throw new FormatException(file + ": is " + attrs.size() + " bytes, over the " + maxBytes + "-byte limit for a "
          + what + "; is this the right file?");
    }
    byte[] data;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      data = in.readNBytes(maxBytes + 1);
    }
    if (data.length > maxBytes) {
      throw new FormatException(file + ": grew over the " + maxBytes + "-byte limit for a " + what + " while read");
    }
    return data;
  }
}
