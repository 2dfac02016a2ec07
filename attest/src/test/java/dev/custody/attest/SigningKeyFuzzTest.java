package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes private-key loading ({@code --key FILE}): any text gives a key or a {@link FormatException}.
 * An accepted key re-reads from its own PEM as the same key, and its public half verifies what it
 * signs (a key whose halves disagreed would sign entries nobody can check).
 */
class SigningKeyFuzzTest {
  private static final byte[] MESSAGE = "fuzz".getBytes(StandardCharsets.US_ASCII);

  @FuzzTest
  void fromPem_anyText_keyOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class,
        () -> SigningKey.fromPem(new String(data, StandardCharsets.UTF_8), "fuzz.key"), key -> {
          assertThat(SigningKey.fromPem(key.exportSecretPkcs8Pem(), "re-encoded").publicKey()).isEqualTo(key.publicKey());
          key.publicKey().verifyRaw(MESSAGE, key.sign(MESSAGE));
        });
  }
}
