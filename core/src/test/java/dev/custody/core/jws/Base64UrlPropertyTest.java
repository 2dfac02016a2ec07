package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import java.util.Base64;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

/** Cross-checks the one-pass decoder against the JDK's encoder and decoder. */
class Base64UrlPropertyTest {

  @Property(seed = "20261128")
  void decode_encodedBytes_roundTrips(@ForAll byte[] data) throws FormatException {
    assertThat(Base64Url.decode(Base64Url.encode(data), "x")).isEqualTo(data);
  }

  @Property(seed = "20261128", tries = 2000)
  void decode_anyAlphabetString_acceptsExactlyTheCanonicalOnes(
      @ForAll @StringLength(max = 12) @CharRange(from = 'A', to = 'Z') @CharRange(from = 'a', to = 'f')
          @CharRange(from = '0', to = '9') @Chars({'-', '_', '=', '+', '/'}) String s) {
    byte[] jdk;
    try {
      jdk = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      jdk = null;
    }
    // Canonical unpadded base64url: the JDK decodes it and re-encodes to the same text.
    boolean canonical = jdk != null && Base64.getUrlEncoder().withoutPadding().encodeToString(jdk).equals(s);
    if (canonical) {
      byte[] expected = jdk;
      assertThat(decodeOrNull(s)).isEqualTo(expected);
    } else {
      assertThatThrownBy(() -> Base64Url.decode(s, "field")).isInstanceOf(FormatException.class)
          .hasMessageContaining("field");
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
