package dev.custody.attest.store;

import dev.custody.attest.io.DurableFiles;
import dev.custody.attest.note.CheckpointSigner;
import dev.custody.attest.note.Ed25519NoteSigner;
import dev.custody.core.FormatException;
import dev.custody.core.ledger.LedgerLayout;
import dev.custody.core.ledger.LogConfig;
import dev.custody.core.note.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
   * {@code dir}, which must not have one yet. The private key file is created with mode 0600
   * (where the file system supports POSIX permissions) before any secret is written to it.
   *
   * @throws FormatException if the origin is not a valid note key name (no spaces or '+')
   * @throws FileAlreadyExistsException if the ledger already has a log key
   */
  public static LogIdentity create(Path dir, LogConfig config, SecureRandom random) throws IOException, FormatException {
    Objects.requireNonNull(config, "config");
    Ed25519NoteSigner key = Ed25519NoteSigner.generate(config.origin(), random);
    Path logDir = dir.resolve(LedgerLayout.LOG_DIR);
    Files.createDirectories(logDir);
    Path keyFile = dir.resolve(LedgerLayout.LOG_KEY);
    try {
      Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(keyFile);
    }
    Files.writeString(keyFile, key.encodePrivateKey() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
        StandardOpenOption.SYNC);
    DurableFiles.replace(dir.resolve(LedgerLayout.LOG_VKEY),
        (key.verifierKey().encode() + "\n").getBytes(StandardCharsets.UTF_8));
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
    Optional<LogConfig> config = LogConfig.read(dir);
    if (config.isEmpty()) {
      return Optional.empty();
    }
    Path vkeyFile = dir.resolve(LedgerLayout.LOG_VKEY);
    VerifierKey vkey = VerifierKey.parse(readLine(vkeyFile));
    if (!vkey.name().equals(config.get().origin())) {
      throw new FormatException(vkeyFile + ": key name " + vkey.name() + " is not the log origin "
          + config.get().origin() + " in " + LedgerLayout.LOG_CONFIG);
    }
    Optional<CheckpointSigner> signer = Optional.empty();
    if (withPrivateKey) {
      Path keyFile = dir.resolve(LedgerLayout.LOG_KEY);
      Ed25519NoteSigner key = Ed25519NoteSigner.parsePrivateKey(readLine(keyFile));
      if (!key.verifierKey().equals(vkey)) {
        throw new FormatException(keyFile + " is not the private key of " + vkeyFile + " (" + vkey + ")");
      }
      signer = Optional.of(new CheckpointSigner(config.get().origin(), key));
    }
    return Optional.of(new LogIdentity(config.get(), vkey, signer));
  }

  private static String readLine(Path file) throws IOException, FormatException {
    String s = new String(LedgerLayout.readSmallFile(file), StandardCharsets.UTF_8);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty() || s.indexOf('\n') >= 0) {
      throw new FormatException(file + ": expected one line");
    }
    return s;
  }

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
