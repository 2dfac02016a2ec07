package dev.custody.verify;

import dev.custody.core.FormatException;
import dev.custody.core.jws.VerificationKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The trust policy for now: a set of public keys, each trusted to sign entries of any chain with
 * the one algorithm of the key. Keys are looked up by key id (hex SHA-256 of the SubjectPublicKeyInfo
 * DER, see {@link VerificationKey#keyId()}), so the {@code kid} a message names can only select a
 * key that is in the set. Immutable and thread-safe.
 *
 * <p>Validity windows, revocations and certificate chains (DESIGN.md §6 step 3) will refine this
 * class; the lookup by key id stays.
 */
public final class TrustedKeys {
  /** File name suffix of a public key in a trust directory. */
  public static final String KEY_FILE_SUFFIX = ".pub";
  /** Largest key file read: a PEM public key is well under 1 KiB; the bound guards against a wrong path. */
  public static final int MAX_KEY_FILE_BYTES = 64 * 1024;
  /** Most keys a trust directory may hold; more is almost surely a wrong directory. */
  public static final int MAX_KEYS = 10_000;

  private final Map<String, VerificationKey> byKeyId;

  private TrustedKeys(Map<String, VerificationKey> byKeyId) {
    this.byKeyId = Collections.unmodifiableMap(byKeyId);
  }

  /** Trusts exactly {@code keys} (a key given twice counts once). */
  public static TrustedKeys of(Collection<VerificationKey> keys) {
    Objects.requireNonNull(keys, "keys");
    Map<String, VerificationKey> map = new LinkedHashMap<>();
    for (VerificationKey k : keys) {
      map.put(Objects.requireNonNull(k, "key").keyId(), k);
    }
    return new TrustedKeys(map);
  }

  /**
   * Loads the keys at {@code fileOrDir}: one PEM public key file, or a directory whose
   * {@code *.pub} files (not its subdirectories) are PEM public keys.
   *
   * @throws FormatException naming the path if it does not exist, a directory holds no {@code *.pub}
   *     file, or a file is not an Ed25519 / P-256 PEM public key
   * @throws IOException if a file cannot be read
   */
  public static TrustedKeys load(Path fileOrDir) throws IOException, FormatException {
    Objects.requireNonNull(fileOrDir, "fileOrDir");
    if (Files.isRegularFile(fileOrDir)) {
      return of(List.of(readKey(fileOrDir)));
    }
    if (!Files.isDirectory(fileOrDir)) {
      throw new FormatException(fileOrDir + ": no such trusted key file or directory (give a PEM public key"
          + " file or a directory of *" + KEY_FILE_SUFFIX + " files)");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*" + KEY_FILE_SUFFIX)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
          if (files.size() > MAX_KEYS) {
            throw new FormatException(fileOrDir + ": more than " + MAX_KEYS + " key files; is this the trust directory?");
          }
        }
      }
    }
    if (files.isEmpty()) {
      throw new FormatException(fileOrDir + ": directory holds no *" + KEY_FILE_SUFFIX
          + " public key files (put the PEM public keys you trust there, one per file)");
    }
    files.sort(null);
    List<VerificationKey> keys = new ArrayList<>(files.size());
    for (Path p : files) {
      keys.add(readKey(p));
    }
    return of(keys);
  }

  private static VerificationKey readKey(Path file) throws IOException, FormatException {
    byte[] data;
    try (InputStream in = Files.newInputStream(file)) {
      data = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
    }
    if (data.length > MAX_KEY_FILE_BYTES) {
      throw new FormatException(file + ": over " + MAX_KEY_FILE_BYTES + " bytes, not a PEM public key");
    }
    return VerificationKey.fromPem(new String(data, StandardCharsets.US_ASCII), file.toString());
  }

  /** File name suffix of a trusted log (checkpoint) verifier key in a trust directory. */
  public static final String LOG_KEY_FILE_SUFFIX = ".vkey";

  /**
   * Trusted log keys for checkpoints: C2SP note verifier keys ({@code name+hex8(keyID)+base64}), one
   * per {@code *.vkey} file directly in {@code dir} (none if {@code dir} is a file or has no such file).
   *
   * @throws FormatException naming the file if one is not a valid Ed25519 verifier key
   */
  public static List<dev.custody.core.note.VerifierKey> loadLogKeys(Path dir) throws IOException, FormatException {
    List<dev.custody.core.note.VerifierKey> keys = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return keys;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LOG_KEY_FILE_SUFFIX)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    for (Path p : files) {
      keys.add(parseLogKey(p));
    }
    return keys;
  }

  /**
   * A log key given as a verifier key string, or as a file holding one.
   *
   * @throws FormatException if it is neither
   */
  public static dev.custody.core.note.VerifierKey parseLogKey(String keyOrFile) throws IOException, FormatException {
    Path p = Path.of(keyOrFile);
    if (Files.isRegularFile(p)) {
      return parseLogKey(p);
    }
    try {
      return dev.custody.core.note.VerifierKey.parse(keyOrFile);
    } catch (FormatException e) {
      throw new FormatException("log key '" + keyOrFile + "' is neither a verifier key (name+hex8+base64) nor a file"
          + " holding one: " + e.getMessage(), e);
    }
  }

  private static dev.custody.core.note.VerifierKey parseLogKey(Path file) throws IOException, FormatException {
    byte[] data;
    try (InputStream in = Files.newInputStream(file)) {
      data = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
    }
    if (data.length > MAX_KEY_FILE_BYTES) {
      throw new FormatException(file + ": over " + MAX_KEY_FILE_BYTES + " bytes, not a verifier key");
    }
    try {
      return dev.custody.core.note.VerifierKey.parse(new String(data, StandardCharsets.UTF_8).strip());
    } catch (FormatException e) {
      throw new FormatException(file + ": not a log verifier key: " + e.getMessage(), e);
    }
  }

  /** The trusted key with id {@code keyId}, if any. */
  public Optional<VerificationKey> byKeyId(String keyId) {
    return keyId == null ? Optional.empty() : Optional.ofNullable(byKeyId.get(keyId));
  }

  /** The trusted keys, in the order given (files in name order). */
  public Collection<VerificationKey> keys() {
    return byKeyId.values();
  }

  /** Number of distinct trusted keys. */
  public int size() {
    return byKeyId.size();
  }

  @Override
  public String toString() {
    return "trusted keys " + byKeyId.keySet();
  }
}
