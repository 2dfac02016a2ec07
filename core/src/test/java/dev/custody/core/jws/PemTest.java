package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.custody.core.FormatException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PemTest {
  private static final byte[] DER = {0x30, 0x03, 0x02, 0x01, 0x07};

  @Test
  void decode_encoded_returnsTheDer() throws FormatException {
    assertThat(Pem.decode(Pem.encode(DER, "PUBLIC KEY"), "PUBLIC KEY", "public key", "k.pub")).isEqualTo(DER);
  }

  @Test
  void decode_surroundingAndInnerWhitespaceAndCrlf_accepted() throws FormatException {
    String pem = "\r\n  -----BEGIN PUBLIC KEY-----\r\nMAMC\r\nAQc=\r\n-----END PUBLIC KEY-----\r\n\n";

    assertThat(Pem.decode(pem, "PUBLIC KEY", "public key", "k.pub")).isEqualTo(DER);
  }

  @Test
  void decode_malformed_formatExceptionNamingTheSource() {
    for (String bad : new String[] {"", "MAMCAQc=", "-----BEGIN PUBLIC KEY-----\nMAMCAQc=\n",
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\nMAMC-AQc=\n-----END PUBLIC KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMAMCAQc=\n-----END PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\nMAMCAQc=\n-----END PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----\nMAMCAQc=\n-----END PUBLIC KEY-----",
        "x-----BEGIN PUBLIC KEY-----\nMAMCAQc=\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\nMA\u00e9MCAQc=\n-----END PUBLIC KEY-----",
        "\u2003-----BEGIN PUBLIC KEY-----\nMAMCAQc=\n-----END PUBLIC KEY-----"}) {
      assertThatThrownBy(() -> Pem.decode(bad, "PUBLIC KEY", "public key", "k.pub")).as(bad)
          .isInstanceOf(FormatException.class).hasMessageStartingWith("k.pub: ");
    }
  }

  /** Found attacking the PEM reader: the old pattern backtracked cubically (11 s for 2 KB of spaces). */
  @Test
  void decode_longRunsOfWhitespaceWithoutEnd_rejectedInLinearTime() {
    String hostile = "-----BEGIN PUBLIC KEY-----" + " ".repeat(100_000) + "A" + " ".repeat(100_000);

    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThatThrownBy(
        () -> Pem.decode(hostile, "PUBLIC KEY", "public key", "k.pub")).isInstanceOf(FormatException.class));
  }
}
