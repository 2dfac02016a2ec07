package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import org.junit.jupiter.api.Test;

class VerificationKeyTest {

  /** Found by PemFuzzTest: an empty DER made Bouncy Castle return null, and fromSpki threw NullPointerException. */
  @Test
  void fromSpki_emptyDer_formatException() {
    assertThatThrownBy(() -> VerificationKey.fromSpki(new byte[0], "k.pub"))
        .isInstanceOf(FormatException.class).hasMessageStartingWith("k.pub: not a SubjectPublicKeyInfo");
  }

  /** Found by PemFuzzTest: a BIT STRING where the SEQUENCE belongs made Bouncy Castle throw IllegalStateException. */
  @Test
  void fromSpki_bitStringInsteadOfSequence_formatException() {
    byte[] bitString = java.util.Base64.getDecoder().decode("AyEA1u0p/r83LyULBhC9Vmn1g6VobtwJnutZIv48+kiPQvk=");

    assertThatThrownBy(() -> VerificationKey.fromSpki(bitString, "k.pub"))
        .isInstanceOf(FormatException.class).hasMessageStartingWith("k.pub: not a SubjectPublicKeyInfo");
  }

  @Test
  void fromPem_emptyBlock_formatException() {
    assertThatThrownBy(() -> VerificationKey.fromPem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "k.pub"))
        .isInstanceOf(FormatException.class).hasMessageStartingWith("k.pub: not a PEM public key");
  }
}
