package dev.custody.verify.policy;

import dev.custody.core.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the verifier finds the certificate chain a signer recorded for its key: untrusted bytes,
 * PEM certificates, leaf first. Implementations must be thread-safe (signatures are checked in
 * parallel).
 */
@FunctionalInterface
public interface CertificateSource {
  /** Directory of a ledger (and of an evidence bundle) holding {@code <keyId>.pem} chains. */
  String DIR = "certificates";
  /** Largest chain file read: a few certificates of a few KiB each. */
  int MAX_CHAIN_BYTES = 64 * 1024;

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
   * {@link PolicyFiles} reads (regular files only, no symbolic links, at most {@value #MAX_CHAIN_BYTES} bytes).
   */
  static CertificateSource ledger(Path ledgerDir) {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    Pattern keyIdForm = Pattern.compile("[0-9a-f]{64}");
    return keyId -> {
      if (!keyIdForm.matcher(keyId).matches()) {
        return Optional.empty(); // never builds a path from anything but a key id
      }
      Path p = ledgerDir.resolve(DIR).resolve(keyId + ".pem");
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      return Optional.of(PolicyFiles.read(p, MAX_CHAIN_BYTES, "certificate chain file"));
    };
  }
}
