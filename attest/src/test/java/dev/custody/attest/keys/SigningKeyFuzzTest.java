package dev.custody.attest.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.jws.SignatureException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes private-key loading ({@code --key FILE}): any text gives a key or a
 * {@link FormatException}. An accepted key re-reads from its own PEM as the same key, and signs
 * what its public half verifies (a key whose halves disagree would sign entries nobody can check).
 */
class SigningKeyFuzzTest {
  private static final byte[] MESSAGE = "fuzz".getBytes(StandardCharsets.US_ASCII);

  @FuzzTest
  void fromPem_anyText_keyOrFormatException(byte[] data) throws Exception {
    SigningKey key;
    try {
      key = SigningKey.fromPem(new String(data, StandardCharsets.UTF_8), "fuzz.key");
    } catch (FormatException expected) {
      return;
    }
    SigningKey again = SigningKey.fromPem(key.privateKeyPem(), "re-encoded");
    assertThat(again.publicKey()).isEqualTo(key.publicKey());
    byte[] signature = key.sign(MESSAGE);
    try {
      key.publicKey().verifyRaw(MESSAGE, signature);
    } catch (SignatureException e) {
      throw new AssertionError("an accepted private key signs what its public key rejects: " + e.getMessage(), e);
    }
  }
}
