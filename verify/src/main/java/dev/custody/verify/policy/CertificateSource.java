package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import java.io.IOException;
import dev.custody.core.internal.ledger.CertificateFiles;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the verifier finds the certificate chain a signer recorded for its key: untrusted bytes,
 * PEM certificates, leaf first. Implementations must be thread-safe (signatures are checked in
 * parallel).
 */
@FunctionalInterface
public interface CertificateSource {
  /** Directory of a ledger (and of an evidence bundle) holding {@code <keyId>.pem} chains ({@link CertificateFiles}). */
  String DIR = CertificateFiles.DIR;
  /** Largest chain file read: a few certificates of a few KiB each. */
  int MAX_CHAIN_BYTES = CertificateFiles.MAX_CHAIN_BYTES;

  /**
   * The chain recorded for {@code keyId}, or empty if there is none.
   *
   * @throws FormatException if the chain exists but cannot be read safely (a link, not a regular file, too large)
   */
  Optional<byte[]> chain(String keyId) throws IOException, FormatException;

  /** No certificates anywhere: only keys bound in the policy are trusted. */
  CertificateSource NONE = keyId -> Optional.empty();

  /**
   * The chains of a ledger directory: {@code DIR/certificates/<keyId>.pem}, read as
   * {@link CertificateFiles#read} reads (regular files only, no symbolic links at the file or the
   * directory, at most {@value #MAX_CHAIN_BYTES} bytes; a path is built only from a key id).
   */
  static CertificateSource ledger(Path ledgerDir) {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    return keyId -> CertificateFiles.read(ledgerDir, keyId);
  }
}
