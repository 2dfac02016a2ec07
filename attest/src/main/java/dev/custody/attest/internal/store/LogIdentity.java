package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.ledger.LedgerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A ledger's transparency-log identity: its {@link LogConfig} (origin, checkpoint interval), its
 * verifier key and, for a writer, its Ed25519 private note key. Files: {@code DIR/log/config.json},
 * {@code DIR/log/vkey}, {@code DIR/log/key} (mode 0600), see {@link LedgerLayout}. The key name is
 * the origin, as C2SP tlog-checkpoint recommends. Immutable and thread-safe.
 */
public final class LogIdentity {
  /** Prefix of default origins; a log without a published name. */
  public static final String DEFAULT_ORIGIN_PREFIX = "custody.local/";

  private final LogConfig config;
  private final VerifierKey verifierKey;
  private final Optional<CheckpointSigner> signer;

  private LogIdentity(LogConfig config, VerifierKey verifierKey, Optional<CheckpointSigner> signer) {
    this.config = config;
    this.verifierKey = verifierKey;
    this.signer = signer;
  }

  /** A fresh default origin, {@code custody.local/<16 random hex digits>}. */
  public static String defaultOrigin(SecureRandom random) {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return DEFAULT_ORIGIN_PREFIX + HexFormat.of().formatHex(b);
  }

  /**
   * Generates a log key for {@code config.origin()} and writes the identity files into the ledger
   * {@code dir}, which must not have one yet. The private key file is created whole or not at all
   * with mode 0600 ({@link DurableFiles#createPrivate}).
   *
   * @throws FormatException if the origin is not a valid note key name (no spaces or '+')
   * @throws FileAlreadyExistsException if the ledger already has a log key
   */
  public static LogIdentity create(Path dir, LogConfig config, SecureRandom random) throws IOException, FormatException {
    return create(dir, config, random, Optional.empty());
  }

  /**
   * As {@link #create(Path, LogConfig, SecureRandom)}, with the private key written to {@code keyFile}
   * when given — outside the ledger, see {@link LogKeyLocation}; the ledger then records only where
   * ({@code log/key-location}, a hint). Without it the key goes to {@code DIR/log/key} (the layout of
   * ledgers made before the key moved out; commands warn about it).
   *
   * @param keyFile a new file outside {@code dir}, or {@link LogKeyLocation#DEFAULT} for the default one
   *     ({@link LogKeyLocation#defaultFile})
   * @throws IllegalArgumentException if {@code keyFile} is inside {@code dir}
   */
  public static LogIdentity create(Path dir, LogConfig config, SecureRandom random, Optional<Path> keyFile)
      throws IOException, FormatException {
    Objects.requireNonNull(config, "config");
    Ed25519NoteSigner key = Ed25519NoteSigner.generate(config.origin(), random);
    LedgerFiles files = LedgerFiles.of(dir);
    Path logDir = dir.resolve(LedgerLayout.LOG_DIR);
    files.createDirectories(logDir);
    // Whole or not at all, mode 0600, never over an existing file or link: a full disk or a crash leaves no
    // empty key behind, and the error names the file.
    if (keyFile.isPresent()) {
      Path file = keyFile.get().equals(LogKeyLocation.DEFAULT) ? LogKeyLocation.defaultFile(key.verifierKey())
          : keyFile.get();
      if (LogKeyLocation.isInside(file, dir)) {
        throw new IllegalArgumentException("the log private key " + dev.custody.core.internal.text.Untrusted.quote(
            file.toString()) + " would be inside the ledger " + dev.custody.core.internal.text.Untrusted.quote(dir.toString())
            + ", which must hold no secret: choose a file outside it");
      }
      LogKeyLocation.write(file, key.exportSecretPrivateKey());
      LogKeyLocation.writeHint(dir, file);
    } else {
      DurableFiles.createPrivate(dir.resolve(LedgerLayout.LOG_KEY),
          (key.exportSecretPrivateKey() + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    files.isFile(dir.resolve(LedgerLayout.LOG_VKEY)); // refuses a link or special file where it goes
    DurableFiles.replace(dir.resolve(LedgerLayout.LOG_VKEY),
        (key.verifierKey().encode() + "\n").getBytes(StandardCharsets.UTF_8));
    files.isFile(dir.resolve(LedgerLayout.LOG_CONFIG));
    DurableFiles.replace(dir.resolve(LedgerLayout.LOG_CONFIG), config.toBytes());
    return new LogIdentity(config, key.verifierKey(), Optional.of(new CheckpointSigner(config.origin(), key)));
  }

  /**
   * Reads the identity of the ledger at {@code dir}, if it has one; with the private key when
   * {@code withPrivateKey}.
   *
   * @throws FormatException if a file is malformed, or the key files do not match the config
   */
  public static Optional<LogIdentity> load(Path dir, boolean withPrivateKey) throws IOException, FormatException {
    return load(dir, withPrivateKey, Optional.empty());
  }

  /**
   * As {@link #load(Path, boolean)}; the private key is read from {@code keyFile} when given, else from
   * {@code DIR/log/key} if the ledger still holds it, else from the file {@code DIR/log/key-location}
   * names, else from {@link LogKeyLocation#defaultFile}. Whichever file it is must hold the private key
   * of {@code DIR/log/vkey}; one outside the ledger must also be a regular file that only its owner may
   * read ({@link LogKeyLocation}).
   *
   * @throws FormatException if a file is malformed, the key files do not match the config, or the
   *     private key is asked for and not found (naming where it was looked for and what to do)
   */
  public static Optional<LogIdentity> load(Path dir, boolean withPrivateKey, Optional<Path> givenKey)
      throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    Optional<LogConfig> config = LogConfig.read(dir);
    Path vkeyFile = dir.resolve(LedgerLayout.LOG_VKEY);
    Path keyFile = dir.resolve(LedgerLayout.LOG_KEY);
    if (config.isEmpty()) {
      // A ledger made before transparency (or as a plain store) has no log/ at all; part of one is a
      // creation that was interrupted, or files that were removed.
      for (Path p : List.of(vkeyFile, keyFile, dir.resolve(LedgerLayout.LOG_KEY_HINT))) {
        if (files.isFile(p)) {
          throw incomplete(dir, LedgerLayout.LOG_CONFIG + " is missing but " + dir.relativize(p) + " exists");
        }
      }
      return Optional.empty();
    }
    if (!files.isFile(vkeyFile)) {
      throw incomplete(dir, LedgerLayout.LOG_VKEY + " is missing");
    }
    VerifierKey vkey = VerifierKey.parse(readLine(files, vkeyFile));
    if (!vkey.name().equals(config.get().origin())) {
      throw new FormatException(vkeyFile + ": key name " + vkey.name() + " is not the log origin "
          + config.get().origin() + " in " + LedgerLayout.LOG_CONFIG);
    }
    Optional<CheckpointSigner> signer = Optional.empty();
    if (withPrivateKey) {
      Path from;
      String line;
      if (givenKey.isPresent()) {
        from = givenKey.get();
        line = LogKeyLocation.read(from);
      } else if (files.isFile(keyFile)) {
        from = keyFile;
        line = readLine(files, keyFile);
      } else {
        Optional<Path> hint = LogKeyLocation.readHint(dir);
        from = hint.orElse(LogKeyLocation.defaultFile(vkey));
        boolean found = java.nio.file.Files.exists(from, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!found && hint.isEmpty()) {
          // Neither the old layout's key nor a record of where a new one went: the old layout, its key lost.
          throw incomplete(dir, LedgerLayout.LOG_KEY + " is missing (nor does " + LedgerLayout.LOG_KEY_HINT
              + " say where else it is; a key kept elsewhere can be given with --log-private-key FILE)");
        }
        if (!found) {
          throw new MissingLogKeyException("ledger " + dir + " keeps its log private key outside the ledger, and it is"
              + " not at " + dev.custody.core.internal.text.Untrusted.quote(from.toString()) + " (where "
              + LedgerLayout.LOG_KEY_HINT + " says it is)" + ". Without it custody cannot sign checkpoints and refuses to"
              + " append: give the key with --log-private-key FILE, or put it back there (mode 0600). Reading and"
              + " verifying need no key");
        }
        line = LogKeyLocation.read(from);
      }
      Ed25519NoteSigner key;
      try {
        key = Ed25519NoteSigner.parsePrivateKey(line);
      } catch (FormatException e) {
        // The message says what is wrong with the format, never the key's bytes.
        throw new FormatException(dev.custody.core.internal.text.Untrusted.quote(from.toString()) + ": not a log private key: "
            + e.getMessage(), e);
      }
      if (!key.verifierKey().equals(vkey)) {
        throw new FormatException(dev.custody.core.internal.text.Untrusted.quote(from.toString()) + " is not the private key"
            + " of " + vkeyFile + " (" + vkey + ")");
      }
      signer = Optional.of(new CheckpointSigner(config.get().origin(), key));
    }
    return Optional.of(new LogIdentity(config.get(), vkey, signer));
  }

  /**
   * Moves the private key a ledger made before the key moved out holds ({@code DIR/log/key}) out of it:
   * to {@code target} ({@link LogKeyLocation#DEFAULT}: the default file), which must be a new file
   * outside the ledger; records where in {@code DIR/log/key-location}, then deletes {@code DIR/log/key}.
   * The key is checked against {@code DIR/log/vkey} first, and the hint is written before the old
   * file goes, so a writer opening the ledger meanwhile finds the key in one place or the other.
   *
   * @return the file the key is now in
   * @throws FormatException if the ledger holds no private key, or it does not match its verifier key
   * @throws IllegalArgumentException if {@code target} is inside the ledger
   */
  public static Path moveKeyOut(Path dir, Path target) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    Path keyFile = dir.resolve(LedgerLayout.LOG_KEY);
    if (!files.isFile(keyFile)) {
      throw new FormatException("ledger " + dir + " holds no private key (" + LedgerLayout.LOG_KEY + "); nothing to"
          + " move" + (files.isFile(dir.resolve(LedgerLayout.LOG_KEY_HINT)) ? " (" + LedgerLayout.LOG_KEY_HINT
          + " says where it is)" : ""));
    }
    LogIdentity id = load(dir, true).orElseThrow(); // checks the key against log/vkey
    Path to = target.equals(LogKeyLocation.DEFAULT) ? LogKeyLocation.defaultFile(id.verifierKey()) : target;
    if (LogKeyLocation.isInside(to, dir)) {
      throw new IllegalArgumentException(dev.custody.core.internal.text.Untrusted.quote(to.toString()) + " is inside the ledger "
          + dev.custody.core.internal.text.Untrusted.quote(dir.toString()) + ": choose a file outside it");
    }
    LogKeyLocation.write(to, readLine(files, keyFile));
    LogKeyLocation.writeHint(dir, to);
    load(dir, true, Optional.of(to)); // the copy reads back as the same key before the original goes
    files.deleteFile(keyFile);
    DurableFiles.syncDirectory(dir.resolve(LedgerLayout.LOG_DIR));
    return to.toAbsolutePath().normalize();
  }

  /**
   * An identity kept outside a ledger directory (the PostgreSQL store keeps the config and verifier key
   * in its database and the private key in a file of the writer's): checks as {@link #load} does that
   * the key name is the origin and that {@code privateKey}, when given, is the private key of
   * {@code verifierKey}.
   *
   * @param privateKey the private note key ({@link Ed25519NoteSigner#exportSecretPrivateKey()} form), for a writer
   * @throws FormatException if they do not belong together
   */
  public static LogIdentity of(LogConfig config, VerifierKey verifierKey, Optional<String> privateKey)
      throws FormatException {
    Objects.requireNonNull(config, "config");
    if (!verifierKey.name().equals(config.origin())) {
      throw new FormatException("verifier key name " + verifierKey.name() + " is not the log origin " + config.origin());
    }
    Optional<CheckpointSigner> signer = Optional.empty();
    if (privateKey.isPresent()) {
      Ed25519NoteSigner key = Ed25519NoteSigner.parsePrivateKey(privateKey.get().strip());
      if (!key.verifierKey().equals(verifierKey)) {
        throw new FormatException("the log key given is not the private key of this log's verifier key " + verifierKey);
      }
      signer = Optional.of(new CheckpointSigner(config.origin(), key));
    }
    return new LogIdentity(config, verifierKey, signer);
  }

  private static FormatException incomplete(Path dir, String what) {
    return new FormatException("the log identity of ledger " + dir + " is incomplete: " + what + ". An interrupted"
        + " 'custody init' leaves this (before version 0.2 it wrote " + LedgerLayout.MARKER + " first); without its log"
        + " key the ledger cannot sign checkpoints, so custody refuses to use it. If the ledger holds no entries,"
        + " delete " + dir + " and run 'custody init' again; otherwise restore " + dir.resolve(LedgerLayout.LOG_DIR)
        + " from a backup");
  }

  private static String readLine(LedgerFiles files, Path file) throws IOException, FormatException {
    String s = new String(files.read(file, MAX_IDENTITY_FILE_BYTES), StandardCharsets.UTF_8);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw incomplete(files.root(), files.root().relativize(file) + " is empty");
    }
    if (s.indexOf('\n') >= 0) {
      throw new FormatException(file + ": expected one line");
    }
    return s;
  }

  /** Largest identity file read (a key line is about 100 bytes). */
  private static final int MAX_IDENTITY_FILE_BYTES = 64 * 1024;

  public LogConfig config() {
    return config;
  }

  public String origin() {
    return config.origin();
  }

  public VerifierKey verifierKey() {
    return verifierKey;
  }

  /** The checkpoint signer; present when loaded with the private key. */
  public Optional<CheckpointSigner> signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "LogIdentity[" + verifierKey + "]";
  }
}
