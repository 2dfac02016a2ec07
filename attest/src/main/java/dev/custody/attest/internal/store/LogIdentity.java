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
    Objects.requireNonNull(config, "config");
    Ed25519NoteSigner key = Ed25519NoteSigner.generate(config.origin(), random);
    LedgerFiles files = LedgerFiles.of(dir);
    Path logDir = dir.resolve(LedgerLayout.LOG_DIR);
    files.createDirectories(logDir);
    // Whole or not at all, mode 0600, never over an existing file or link: a full disk or a crash leaves no
    // empty key behind, and the error names the file.
    DurableFiles.createPrivate(dir.resolve(LedgerLayout.LOG_KEY),
        (key.exportSecretPrivateKey() + "\n").getBytes(StandardCharsets.US_ASCII));
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
    LedgerFiles files = LedgerFiles.of(dir);
    Optional<LogConfig> config = LogConfig.read(dir);
    Path vkeyFile = dir.resolve(LedgerLayout.LOG_VKEY);
    Path keyFile = dir.resolve(LedgerLayout.LOG_KEY);
    if (config.isEmpty()) {
      // A ledger made before transparency (or as a plain store) has no log/ at all; part of one is a
      // creation that was interrupted, or files that were removed.
      for (Path p : List.of(vkeyFile, keyFile)) {
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
      if (!files.isFile(keyFile)) {
        throw incomplete(dir, LedgerLayout.LOG_KEY + " is missing");
      }
      Ed25519NoteSigner key = Ed25519NoteSigner.parsePrivateKey(readLine(files, keyFile));
      if (!key.verifierKey().equals(vkey)) {
        throw new FormatException(keyFile + " is not the private key of " + vkeyFile + " (" + vkey + ")");
      }
      signer = Optional.of(new CheckpointSigner(config.get().origin(), key));
    }
    return Optional.of(new LogIdentity(config.get(), vkey, signer));
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
