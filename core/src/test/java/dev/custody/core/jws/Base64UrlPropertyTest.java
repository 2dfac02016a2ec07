package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import java.util.Base64;

/** Cross-checks the one-pass decoder against the JDK's encoder and decoder. */
class Base64UrlPropertyTest {
  /** Upper-case letters, some lower-case ones, digits, base64url's and base64's specials, and padding. */
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789-_=+/";

  @PropertyTest(seed = 20261128, tries = 1000)
  void decode_encodedBytes_roundTrips(long seed) throws FormatException {
    byte[] data = new Gen(seed).bytes(0, 300);

    assertThat(Base64Url.decode(Base64Url.encode(data), "x")).isEqualTo(data);
  }

  @PropertyTest(seed = 20261206, tries = 300)
  void encodedLength_anyLength_isTheLengthOfTheEncoding(long seed) {
    byte[] data = new Gen(seed).bytes(0, 300);

    assertThat(Base64Url.encodedLength(data.length)).as("%d bytes", data.length)
        .isEqualTo(Base64Url.encode(data).length());
  }

  @PropertyTest(seed = 20261128, tries = 2000)
  void decode_anyAlphabetString_acceptsExactlyTheCanonicalOnes(long seed) {
    String s = new Gen(seed).string(ALPHABET, 0, 12);
    byte[] jdk;
    try {
      jdk = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      jdk = null;
    }
    // Canonical unpadded base64url: the JDK decodes it and re-encodes to the same text.
    boolean canonical = jdk != null && Base64.getUrlEncoder().withoutPadding().encodeToString(jdk).equals(s);
    if (canonical) {
      assertThat(decodeOrNull(s)).as(s).isEqualTo(jdk);
    } else {
      assertThatThrownBy(() -> Base64Url.decode(s, "field")).as(s).isInstanceOf(FormatException.class)
          .hasMessageContaining("field");
    }
  }

  /**
   * {@link Base64Url#decode} (four characters at a time) gives what the one-character-at-a-time
   * decoder gives: the same bytes, or the same error (which names the character and where it is),
   * for canonical text, text with non-zero trailing bits, characters outside the alphabet and beyond
   * ASCII and Latin-1, and every length.
   */
  @PropertyTest(seed = 20261205, tries = 3000)
  void decode_anyString_sameAsDecodingByCharacter(long seed) {
    Gen g = new Gen(seed);
    String s = g.string(ALPHABET + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.é\u00ff\u0100\u202e\n", 0, 40);
    assertThat(outcome(() -> Base64Url.decode(s, "field"))).as(s)
        .isEqualTo(outcome(() -> Base64Url.decodeByCharacter(s, "field")));
  }

  private interface Decode {
    byte[] run() throws FormatException;
  }

  private static String outcome(Decode d) {
    try {
      return java.util.HexFormat.of().formatHex(d.run());
    } catch (FormatException e) {
      return "error " + e.getMessage();
    }
  }

  private static byte[] decodeOrNull(String s) {
    try {
      return Base64Url.decode(s, "x");
    } catch (FormatException e) {
      return null;
    }
  }
}
