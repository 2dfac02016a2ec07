package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes note private keys ({@code log/key}, {@code witness.key}: {@code PRIVATE+KEY+name+hash+base64}):
 * any text gives a signer whose encoding is exactly the input, or a {@link FormatException}.
 */
class Ed25519NoteSignerFuzzTest {

  @FuzzTest
  void parsePrivateKey_anyText_signerOrFormatException(byte[] data) throws Exception {
    String text = new String(data, StandardCharsets.UTF_8);
    Fuzz.valueOrRejected(FormatException.class, () -> Ed25519NoteSigner.parsePrivateKey(text), signer -> {
      assertThat(signer.exportSecretPrivateKey()).isEqualTo(text);
      assertThat(signer.verifierKey().keyId()).isEqualTo(signer.keyId());
    });
  }
}
