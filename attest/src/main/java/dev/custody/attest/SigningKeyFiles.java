package dev.custody.attest;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Key files, apart from the key value ({@link SigningKey}): reading a PKCS#8 PEM {@code NAME.key}
 * (bounded, text only) and writing {@code NAME.key} (mode 0600, exclusive) with {@code NAME.pub}.
 * {@link SigningKey#load} and {@link SigningKey#writeTo} are the public doors to it.
 */
final class SigningKeyFiles {
  private SigningKeyFiles() {}

  /** See {@link SigningKey#load}. */
  static SigningKey read(Path file) throws IOException, FormatException {
    byte[] data = SmallFiles.read(file, SigningKey.MAX_KEY_FILE_BYTES, "private key");
    String source = Untrusted.quote(file.toString());
    for (byte b : data) {
      if (b < 0) {
        throw new FormatException(source + ": not a PEM private key (binary content)");
      }
    }
    return SigningKey.fromPem(new String(data, StandardCharsets.US_ASCII), source);
  }

  /** See {@link SigningKey#writeTo}. */
  static Path write(SigningKey key, Path dir, String name) throws IOException {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("key name " + Untrusted.quote(name) + " must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    Files.createDirectories(dir);
    Path priv = dir.resolve(name + ".key");
    Path pub = dir.resolve(name + ".pub");
    if (Files.exists(pub)) {
      throw new FileAlreadyExistsException(pub.toString(), null, "refusing to overwrite an existing key");
    }
    DurableFiles.createPrivate(priv, key.exportSecretPkcs8Pem().getBytes(StandardCharsets.US_ASCII));
    try {
      DurableFiles.create(pub, key.publicKey().toPem().getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // The private key was made by this call and never shown: remove it, so that a retry (after
      // freeing space, say) is not refused for an existing key without its public half.
      Files.deleteIfExists(priv);
      throw e;
    }
    return priv;
  }
}
