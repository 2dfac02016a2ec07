package dev.custody.core.internal.ledger;

import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one way custody touches the files inside a ledger directory: never through a symbolic link,
 * never a FIFO, socket or device, and (for writing in place) never a file with a second hard link.
 *
 * <p><b>Rule.</b> The ledger root may itself be reached through a symbolic link the user gave (e.g.
 * {@code --ledger ~/ledgers/current}); everything <em>inside</em> it must be a regular file or a
 * directory, checked without following links: every directory between the root and a file, and the
 * file itself. Files are opened with {@link LinkOption#NOFOLLOW_LINKS} ({@code O_NOFOLLOW}) after
 * their type was checked, and the file key (device and inode) is compared before and after the open,
 * so a link or FIFO swapped in between is refused too (Java cannot open without blocking on a FIFO,
 * so the type is checked first; a swap in the microseconds between check and open is the residual
 * risk). Anything else is an {@link UnsafeFileException} that names the path and what to do.
 *
 * <p><b>Hard links.</b> Reading a multiply-linked file is harmless (its bytes are checked like any
 * others), so readers accept it. Writing one in place (segments, index files, the lock file) would
 * change the other names too, so {@link #openWrite} refuses it. Files replaced by rename (checkpoints,
 * tiles, identity files) get a new inode and never touch the other link.
 *
 * <p>Immutable and thread-safe.
 */
public final class LedgerFiles {
  /** What a path inside the ledger is, once it passed the checks. */
  public enum Kind {
    ABSENT,
    FILE,
    DIRECTORY
  }

  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private final Path root;

  private LedgerFiles(Path root) {
    this.root = Objects.requireNonNull(root, "root");
  }

  /** The files of the ledger at {@code root} (which is not checked: the user may reach it through a link). */
  public static LedgerFiles of(Path root) {
    return new LedgerFiles(root);
  }

  /** The ledger directory as given. */
  public Path root() {
    return root;
  }

  /** {@code root.resolve(relative)}. */
  public Path resolve(String relative) {
    return root.resolve(relative);
  }

  /**
   * What is at {@code p}, without following links; every directory between the root and {@code p}
   * must be a directory (an absent one makes {@code p} absent).
   *
   * @throws UnsafeFileException if {@code p} or a directory above it (inside the ledger) is a link or special file
   */
  public Kind kind(Path p) throws IOException {
    Optional<BasicFileAttributes> a = inspect(p);
    return a.isEmpty() ? Kind.ABSENT : a.get().isRegularFile() ? Kind.FILE : Kind.DIRECTORY;
  }

  /**
   * The attributes of {@code p} (empty if it or a directory above it is absent), read without
   * following links, after checking every directory between the root and {@code p} the same way; one
   * {@code stat} per path component.
   *
   * @throws UnsafeFileException if {@code p} or a directory above it is a link or special file
   */
  private Optional<BasicFileAttributes> inspect(Path p) throws IOException {
    Path rel = relative(p);
    Path at = root;
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      at = at.resolve(rel.getName(i).toString());
      Optional<BasicFileAttributes> a = attributes(at);
      if (a.isEmpty()) {
        return a;
      }
      if (!a.get().isDirectory()) {
        throw refused(at, a.get(), true);
      }
    }
    Optional<BasicFileAttributes> a = attributes(p);
    if (a.isPresent() && !a.get().isRegularFile() && !a.get().isDirectory()) {
      throw refused(p, a.get(), false);
    }
    return a;
  }

  /** {@link #inspect}, requiring a regular file if anything. */
  private Optional<BasicFileAttributes> inspectFile(Path p) throws IOException {
    Optional<BasicFileAttributes> a = inspect(p);
    if (a.isPresent() && a.get().isDirectory()) {
      throw new UnsafeFileException(p, "is a directory where custody keeps a regular file",
          "Move it out of the ledger.");
    }
    return a;
  }

  /**
   * Whether {@code p} is a regular file (false if absent).
   *
   * @throws UnsafeFileException if it is a directory, a link or a special file
   */
  public boolean isFile(Path p) throws IOException {
    return inspectFile(p).isPresent();
  }

  /**
   * Whether {@code p} is a directory (false if absent).
   *
   * @throws UnsafeFileException if it is a regular file, a link or a special file
   */
  public boolean isDirectory(Path p) throws IOException {
    Optional<BasicFileAttributes> a = inspect(p);
    if (a.isPresent() && a.get().isRegularFile()) {
      throw new UnsafeFileException(p, "is a regular file where custody keeps a directory",
          "Move it out of the ledger.");
    }
    return a.isPresent();
  }

  /**
   * What identifies regular file {@code p} (device and inode on Unix, {@link BasicFileAttributes#fileKey()}),
   * or null if it is absent: a writer that keeps a file open compares it with the key it opened, to
   * notice the name now being another file (moved away, replaced) before writing through the old one.
   */
  public @Nullable Object fileKey(Path p) throws IOException {
    return inspectFile(p).map(BasicFileAttributes::fileKey).orElse(null);
  }

  /** The size of regular file {@code p}; 0 if it is absent. */
  public long sizeOrZero(Path p) throws IOException {
    return inspectFile(p).map(BasicFileAttributes::size).orElse(0L);
  }

  /**
   * Opens regular file {@code p} for reading.
   *
   * @throws NoSuchFileException if it is absent
   */
  public FileChannel openRead(Path p) throws IOException {
    return open(p, false, StandardOpenOption.READ);
  }

  /**
   * Opens regular file {@code p} for writing in place (with {@code extra} options, e.g.
   * {@link StandardOpenOption#CREATE} or {@link StandardOpenOption#READ}); refuses a file with more
   * than one hard link.
   */
  public FileChannel openWrite(Path p, OpenOption... extra) throws IOException {
    List<OpenOption> options = new ArrayList<>(Arrays.asList(extra));
    options.add(StandardOpenOption.WRITE);
    return open(p, true, options.toArray(new OpenOption[0]));
  }

  /**
   * The directory {@code p} is in. Every path custody writes or reads a file at has one (only a root
   * has none, and a root is no file); a path without one fails here, naming it.
   */
  public static Path parentOf(Path p) {
    Path parent = p.getParent();
    if (parent == null) {
      throw new IllegalArgumentException(p + " has no parent directory");
    }
    return parent;
  }

  /** Creates regular file {@code p}, which must not exist (a link there counts as existing), for writing. */
  public FileChannel createNew(Path p) throws IOException {
    // The directories above are checked; CREATE_NEW (O_EXCL) never follows a link.
    kind(parentOf(p));
    return FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Opens {@code p} for reading if it is a regular file, not following a link at its last component;
   * the directories above it are the caller's to have checked (e.g. a segment listed by
   * {@link LedgerLayout#segments}).
   */
  public static FileChannel openRegularFile(Path p) throws IOException {
    Path parent = parentOf(p.toAbsolutePath());
    return new LedgerFiles(parent).openRead(parent.resolve(p.getFileName().toString()));
  }

  /** Attributes read after an open: what identifies the file, its type, and (unix) its links. */
  private static final String AFTER_OPEN = "unix:fileKey,isRegularFile,nlink";

  private FileChannel open(Path p, boolean write, OpenOption... options) throws IOException {
    boolean create = Arrays.asList(options).contains(StandardOpenOption.CREATE);
    Optional<BasicFileAttributes> before = inspectFile(p);
    if (before.isEmpty() && !create) {
      throw new NoSuchFileException(p.toString());
    }
    List<OpenOption> all = new ArrayList<>(Arrays.asList(options));
    all.add(LinkOption.NOFOLLOW_LINKS);
    FileChannel ch = FileChannel.open(p, new java.util.HashSet<>(all));
    try {
      // What was opened is what was checked: the same file (a link or FIFO swapped in between would
      // differ), still a regular file; and for writing in place, its only name.
      Map<String, Object> after = afterOpen(p);
      Object key = after.get("fileKey");
      if (before.isPresent() && !java.util.Objects.equals(before.get().fileKey(), key)
          || !Boolean.TRUE.equals(after.get("isRegularFile"))) {
        throw new UnsafeFileException(p, "was replaced while custody opened it", "Make sure nothing else changes"
            + " the ledger's files, then try again.");
      }
      if (write && after.get("nlink") instanceof Integer links && links > 1) {
        throw new UnsafeFileException(p, "has " + links + " hard links, so writing it in place would also change"
            + " the file under its other name(s)", "Give it its own copy (e.g. 'cp -p' it to a new name and move that"
            + " over it), then try again.");
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static Map<String, Object> afterOpen(Path p) throws IOException {
    try {
      return Files.readAttributes(p, AFTER_OPEN, NO_FOLLOW);
    } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
      return Files.readAttributes(p, "basic:fileKey,isRegularFile", NO_FOLLOW);
    }
  }

  /**
   * Reads regular file {@code p} whole, refusing more than {@code max} bytes.
   *
   * @throws NoSuchFileException if it is absent
   * @throws FormatException naming the file if it is larger than {@code max}
   */
  public byte[] read(Path p, int max) throws IOException, FormatException {
    try (FileChannel ch = openRead(p); InputStream in = Channels.newInputStream(ch)) {
      byte[] data = in.readNBytes(max + 1);
      if (data.length > max) {
        throw new FormatException(Untrusted.quote(p.toString(), 1000) + ": over " + max + " bytes, too large for"
            + " what custody keeps there");
      }
      return data;
    }
  }

  /** {@link #read}, or empty if {@code p} is absent. */
  public Optional<byte[]> readIfPresent(Path p, int max) throws IOException, FormatException {
    if (!isFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(read(p, max));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  /** Creates directory {@code d} and the missing directories above it (inside the ledger), never through a link. */
  public void createDirectories(Path d) throws IOException {
    Path rel = relative(d);
    Path at = root;
    for (int i = 0; i < rel.getNameCount(); i++) {
      at = at.resolve(rel.getName(i).toString());
      if (!isDirectory(at)) {
        try {
          Files.createDirectory(at);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // Another process made it; check what it is.
        }
        if (!isDirectory(at)) {
          throw new NoSuchFileException(at.toString(), null, "could not be created");
        }
      }
    }
  }

  /**
   * The entries of directory {@code dir} (empty if it is absent), in no particular order; the
   * entries themselves are not checked.
   */
  public List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Deletes regular file {@code p} by its exact name, if present (a link, directory or special file
   * there is refused, never deleted).
   *
   * @return whether a file was deleted
   */
  public boolean deleteFile(Path p) throws IOException {
    if (!isFile(p)) {
      return false;
    }
    return Files.deleteIfExists(p);
  }

  /**
   * Checks the whole ledger tree: every entry below the root is a regular file or a directory,
   * without following links. What a verifier runs before reading anything.
   *
   * @throws UnsafeFileException naming the first link or special file found
   */
  public void requireOrdinaryTree() throws IOException {
    List<Path> top = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      ds.forEach(top::add);
    }
    top.sort(null);
    for (Path start : top) {
      Files.walkFileTree(start, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              if (!attrs.isRegularFile() && !attrs.isDirectory()) {
                throw refused(file, attrs, false);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    }
  }

  private Path relative(Path p) {
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException(p + " is not inside the ledger " + root);
    }
    return root.relativize(p);
  }

  private static Optional<BasicFileAttributes> attributes(Path p) throws IOException {
    try {
      return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, NO_FOLLOW));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static UnsafeFileException refused(Path p, BasicFileAttributes a, boolean asDirectory) {
    if (a.isSymbolicLink()) {
      String target = "";
      try {
        target = " (to " + Untrusted.quote(Files.readSymbolicLink(p).toString(), 1000) + ")";
      } catch (IOException | UnsupportedOperationException e) {
        // the target is only for the message
      }
      return new UnsafeFileException(p, "is a symbolic link" + target, "Replace it with the "
          + (asDirectory ? "directory" : "file or directory") + " it stands for (or move it out of the ledger), then"
          + " try again.");
    }
    if (a.isRegularFile()) {
      return new UnsafeFileException(p, "is a regular file where custody keeps a directory",
          "Move it out of the ledger.");
    }
    return new UnsafeFileException(p, "is not a regular file or directory (a FIFO, socket or device)",
        "Remove it from the ledger (and restore the file that belongs there, if any, from a backup).");
  }
}
