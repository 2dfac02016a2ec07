package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Creates a file ledger so that an interruption at any point (a kill, a full disk) leaves either a
 * complete ledger or "not a ledger yet": the marker {@code ledger.json} is written last, after the
 * segments directory and the whole log identity are durable. A directory holding exactly what an
 * interrupted creation leaves (an empty {@code segments/}, some of {@code log/key}, {@code log/vkey},
 * {@code log/config.json}, temporary files) is taken over: those files, by their exact names, are
 * removed and creation starts again, so {@code custody init} can simply be re-run. Anything else in
 * the directory makes creation refuse, changing nothing.
 */
final class LedgerInit {
  /** What an interrupted creation may leave under {@code log/}. */
  private static final Set<String> IDENTITY_FILES = Set.of("key", "key-location", "vkey", "config.json");

  private LedgerInit() {}

  /**
   * Creates the ledger at {@code dir} (absent, empty, or left by an interrupted creation), with a
   * log identity for {@code config} if present.
   *
   * @param random draws the log key; null without a {@code config}
   * @throws FormatException if {@code dir} is already a ledger or holds anything else
   */
  static void create(Path dir, Optional<LogConfig> config, @Nullable SecureRandom random)
      throws IOException, FormatException {
    create(dir, config, random, Optional.empty());
  }

  /** As above, with the log private key written to {@code keyFile} if given ({@link LogIdentity#create}). */
  static void create(Path dir, Optional<LogConfig> config, @Nullable SecureRandom random, Optional<Path> keyFile)
      throws IOException, FormatException {
    Path marker = dir.resolve(LedgerLayout.MARKER);
    if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
      throw new FormatException(dir + " is already a custody ledger; nothing was changed");
    }
    List<Path> leftovers = Files.isDirectory(dir) ? leftovers(dir) : List.of();
    LedgerFiles files = LedgerFiles.of(dir);
    for (Path p : leftovers) {
      files.deleteFile(p);
    }
    Files.createDirectories(dir);
    files.createDirectories(dir.resolve(LedgerLayout.SEGMENTS));
    DurableFiles.syncDirectory(dir.resolve(LedgerLayout.SEGMENTS));
    if (config.isPresent()) {
      LogIdentity.create(dir, config.get(), Objects.requireNonNull(random, "a log identity's key is drawn from random"),
          keyFile);
    }
    DurableFiles.syncDirectory(dir);
    // The marker last: a directory without it is not a ledger, whatever else a crash left there.
    DurableFiles.replace(marker, ("{\"format\":\"" + LedgerLayout.FORMAT + "\"}\n").getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The files an interrupted creation left in {@code dir} (to remove before starting again).
   *
   * @throws FormatException if {@code dir} holds anything an interrupted creation does not leave
   */
  private static List<Path> leftovers(Path dir) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    List<Path> out = new ArrayList<>();
    List<Path> top = new ArrayList<>();
    try (var ds = Files.newDirectoryStream(dir)) {
      ds.forEach(top::add);
    }
    for (Path p : top) {
      String name = p.getFileName().toString();
      LedgerFiles.Kind kind = kindOrNotEmpty(files, dir, p);
      if (name.equals(LedgerLayout.SEGMENTS) && kind == LedgerFiles.Kind.DIRECTORY && files.list(p).isEmpty()) {
        continue;
      }
      if (name.equals(LedgerLayout.LOG_DIR) && kind == LedgerFiles.Kind.DIRECTORY) {
        for (Path q : files.list(p)) {
          String n = q.getFileName().toString();
          if ((!IDENTITY_FILES.contains(n) && !LedgerLayout.isTemporaryName(n))
              || kindOrNotEmpty(files, dir, q) != LedgerFiles.Kind.FILE) {
            throw notEmpty(dir, q);
          }
          out.add(q);
        }
        continue;
      }
      if (kind == LedgerFiles.Kind.FILE && LedgerLayout.isTemporaryName(name)) {
        out.add(p);
        continue;
      }
      throw notEmpty(dir, p);
    }
    return out;
  }

  private static LedgerFiles.Kind kindOrNotEmpty(LedgerFiles files, Path dir, Path p) throws FormatException {
    try {
      return files.kind(p);
    } catch (IOException e) {
      throw notEmpty(dir, p);
    }
  }

  private static FormatException notEmpty(Path dir, Path what) {
    return new FormatException(dir + " is not empty (it holds " + Untrusted.quote(dir.relativize(what).toString())
        + "); a ledger is created in a new or empty directory, or over what an interrupted 'custody init' left there;"
        + " nothing was changed");
  }
}
