package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes PEM decoding and public-key parsing (the {@code .pub} files of {@code --trust}): any text
 * gives a key or a {@link FormatException}; an accepted key's own PEM parses to the same key.
 */
class PemFuzzTest {

  @FuzzTest
  void fromPem_anyText_keyThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class,
        () -> VerificationKey.fromPem(new String(data, StandardCharsets.UTF_8), "fuzz.pub"), key -> {
          assertThat(VerificationKey.fromPem(key.toPem(), "re-encoded")).isEqualTo(key);
          assertThat(key.keyId()).matches("[0-9a-f]{64}");
        });
  }

  @FuzzTest
  void decode_anyText_derThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class,
        () -> Pem.decode(new String(data, StandardCharsets.UTF_8), "PUBLIC KEY", "public key", "fuzz.pem"),
        der -> assertThat(Pem.decode(Pem.encode(der, "PUBLIC KEY"), "PUBLIC KEY", "public key", "re-encoded"))
            .isEqualTo(der));
  }
}
