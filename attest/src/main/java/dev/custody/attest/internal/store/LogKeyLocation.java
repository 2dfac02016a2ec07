package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where a ledger's log private key (its checkpoint-signing note key) lives. A ledger holds no secret:
 * {@code custody init} writes the key outside the ledger directory, by default to
 * {@code $CUSTODY_KEYS/logs/<origin>-<key id>.key} ({@link #defaultFile}; {@code $CUSTODY_KEYS}
 * defaults to {@code $XDG_CONFIG_HOME/custody/keys}, else {@code ~/.config/custody/keys}), and
 * records where in {@code DIR/log/key-location} ({@link LedgerLayout#LOG_KEY_HINT}) — a hint only:
 * whatever file it names is used only if it is a regular file (not a link), readable by its owner
 * alone, and holds the private key of the ledger's own {@code log/vkey}. Ledgers made before this
 * keep their key at {@code DIR/log/key} ({@link LedgerLayout#LOG_KEY}) and keep working; commands
 * warn about them ({@link #keyInside}). Stateless.
 */
public final class LogKeyLocation {
  /** Environment variable naming the directory of custody's keys. */
  public static final String KEYS_ENV = "CUSTODY_KEYS";
  /**
   * Stands for "the default file" ({@link #defaultFile}) where a key file is asked for: the default
   * depends on the key's id, which exists only once the key is made.
   */
  public static final Path DEFAULT = Path.of("<default>");
  /** Largest log key file read (a key line is about 100 bytes). */
  static final int MAX_KEY_FILE_BYTES = 64 * 1024;
  private static final Set<PosixFilePermission> OTHERS = EnumSet.complementOf(
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));

  private LogKeyLocation() {}

  /**
   * The directory of custody's keys: {@code $CUSTODY_KEYS}, else {@code $XDG_CONFIG_HOME/custody/keys},
   * else {@code ~/.config/custody/keys}.
   */
  public static Path keysDirectory() {
    String env = System.getenv(KEYS_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    return config.resolve("custody").resolve("keys");
  }

  /**
   * The default file of the log key {@code key}: {@code <keys directory>/logs/<origin>-<8 hex key id>.key},
   * the origin with every character but {@code A-Z a-z 0-9 . _ -} replaced by {@code _}.
   */
  public static Path defaultFile(VerifierKey key) {
    String name = key.name().replaceAll("[^A-Za-z0-9._-]", "_");
    return keysDirectory().resolve("logs").resolve(name + "-" + key.keyId().hex() + ".key");
  }

  /**
   * The private key inside the ledger {@code dir}, if it has one (the layout before the key moved out):
   * {@code DIR/log/key}. Commands warn about it; {@code custody keys move-log-key} moves it out.
   */
  public static Optional<Path> keyInside(Path dir) {
    Path key = dir.resolve(LedgerLayout.LOG_KEY);
    try {
      return Files.exists(key, LinkOption.NOFOLLOW_LINKS) ? Optional.of(key) : Optional.empty();
    } catch (SecurityException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code file} is inside the directory {@code dir} (as the paths read, and resolved). */
  public static boolean isInside(Path file, Path dir) {
    Path f = file.toAbsolutePath().normalize();
    Path d = dir.toAbsolutePath().normalize();
    if (f.startsWith(d)) {
      return true;
    }
    try {
      Path realDir = d.toRealPath();
      Path parent = f.getParent();
      return parent != null && Files.exists(parent) && parent.toRealPath().resolve(f.getFileName()).startsWith(realDir);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes a new private key file {@code file} (mode 0600, whole or not at all, never over an existing
   * file or link), creating its missing parent directories with mode 0700.
   */
  static void write(Path file, String secretLine) throws IOException {
    Path parent = LedgerFiles.parentOf(file.toAbsolutePath());
    if (!Files.isDirectory(parent)) {
      try {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(parent);
      }
    }
    DurableFiles.createPrivate(file, (secretLine + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** Records in the ledger where its log key is ({@code DIR/log/key-location}: the absolute path, one line). */
  public static void writeHint(Path dir, Path file) throws IOException {
    LedgerFiles.of(dir).isFile(dir.resolve(LedgerLayout.LOG_KEY_HINT)); // refuses a link or special file there
    DurableFiles.replace(dir.resolve(LedgerLayout.LOG_KEY_HINT),
        (file.toAbsolutePath().normalize() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The file the ledger's hint names, if it has one. */
  static Optional<Path> readHint(Path dir) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    Path hint = dir.resolve(LedgerLayout.LOG_KEY_HINT);
    if (!files.isFile(hint)) {
      return Optional.empty();
    }
    String s = new String(files.read(hint, MAX_KEY_FILE_BYTES), StandardCharsets.UTF_8).strip();
    if (s.isEmpty() || s.indexOf('\n') >= 0 || s.indexOf('\0') >= 0 || !Path.of(s).isAbsolute()) {
      throw new FormatException(hint + ": expected the absolute path of the log's private key on one line; pass the"
          + " key with --log-private-key FILE, or write its path there");
    }
    return Optional.of(Path.of(s));
  }

  /**
   * The one line of the log key file {@code file} outside a ledger, refusing a symbolic link, anything but a
   * regular file, and a file that group or others may read or write (like ssh): a key others can read
   * is not secret any more, and one behind a link is not where the user put it.
   */
  static String read(Path file) throws IOException, FormatException {
    String name = Untrusted.quote(file.toString());
    SmallFiles.requireRegularFile(file, "log private key", LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (posix != null) {
      Set<PosixFilePermission> perms = posix.readAttributes().permissions();
      if (perms.stream().anyMatch(OTHERS::contains)) {
        throw new FormatException(name + ": the log private key may be read or written by others (mode "
            + PosixFilePermissions.toString(perms) + "); make it private with 'chmod 600 " + file + "'");
      }
    }
    String s = new String(SmallFiles.read(file, MAX_KEY_FILE_BYTES, "log private key", LinkOption.NOFOLLOW_LINKS),
        StandardCharsets.US_ASCII);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty() || s.indexOf('\n') >= 0) {
      throw new FormatException(name + ": expected one line, the log private key (PRIVATE+KEY+...)");
    }
    return s;
  }
}
