package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Bytes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {
  /** FIPS 180-2 Appendix B.1: SHA-256("abc"). */
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  /** SHA-256 of the empty string (FIPS 180-4 examples, NIST CSRC). */
  private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void sha256Stream_abcAndEmpty_matchFipsVectors() throws Exception {
    assertThat(Digest.sha256(new java.io.ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII))).value().hex())
        .isEqualTo(ABC);
    assertThat(Digest.sha256(java.io.InputStream.nullInputStream()).value().hex()).isEqualTo(EMPTY);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 65_535, 65_536, 65_537, 300_000})
  void sha256Stream_lengthsAroundTheBuffer_equalsDigestOfTheBytes(int length) throws Exception {
    byte[] data = new byte[length];
    new java.util.SplittableRandom(length).nextBytes(data);
    // A stream that hands out short reads, as pipes and sockets do.
    java.io.InputStream trickle = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        return super.read(b, off, Math.min(len, 4093));
      }
    };
    assertThat(Digest.sha256(trickle)).isEqualTo(Digest.sha256(data));
  }

  @Test
  void sha256_abc_matchesFips180Vector() {
    Digest d = Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(d.toString()).isEqualTo("sha256:" + ABC);
    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.value().hex()).isEqualTo(ABC);
  }

  @Test
  void sha256_empty_matchesKnownAnswer() {
    assertThat(Digest.sha256(new byte[0]).value().hex()).isEqualTo(EMPTY);
  }

  @Test
  void parse_canonicalText_roundTripsThroughToString() {
    Digest d = Digest.parse("sha256:" + ABC);
    assertThat(d).isEqualTo(Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
    assertThat(Digest.parse(d.toString())).isEqualTo(d);
    assertThat(Digest.isDigestText(d.toString())).isTrue();
  }

  @ParameterizedTest(name = "[{index}] '{0}'")
  @ValueSource(strings = {
      "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", // uppercase hex
      "sha256:Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // one uppercase digit
      "SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // uppercase algorithm
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015",   // 63 digits
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", // 65 digits
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad00", // 33 bytes
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",        // missing prefix
      ":ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",       // empty algorithm
      "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // other algorithm
      " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // leading space
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", // trailing newline
      "sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", // inner space
      "sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // non-hex
      "sha256:",
      ""})
  void parse_malformedText_rejectedNamingInput(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a digest")
        .hasMessageContaining("sha256:<64 lowercase hex digits>");
    assertThat(Digest.isDigestText(text)).isFalse();
  }

  @Test
  void parse_null_rejected() {
    assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(NullPointerException.class);
    assertThat(Digest.isDigestText(null)).isFalse();
  }

  @Test
  void constructor_wrongLengthOrAlgorithm_rejected() {
    assertThatThrownBy(() -> Digest.ofSha256(new byte[31])).hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> new Digest("sha512", Bytes.copyOf(new byte[32])))
        .hasMessageContaining("unsupported digest algorithm 'sha512'");
  }

  @Test
  void equals_sameValue_equalAndCopySafe() {
    byte[] raw = Digest.sha256(new byte[0]).value().toByteArray();
    Digest a = Digest.ofSha256(raw);
    raw[0] ^= 1;
    assertThat(a.value().hex()).isEqualTo(EMPTY);
    assertThat(a).isEqualTo(Digest.parse("sha256:" + EMPTY)).isNotEqualTo(Digest.ofSha256(raw));
  }

  /** Seeded: valid digest texts mutated one character at a time, against the grammar as a regex (the naive reference). */
  @Test
  void isDigestText_randomAndMutatedText_agreesWithRegex() {
    java.util.regex.Pattern reference = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");
    java.util.SplittableRandom r = new java.util.SplittableRandom(42);
    String alphabet = "0123456789abcdefABCDEFgz:sha256 \u0660\uff10";
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] v = new byte[32];
      r.nextBytes(v);
      StringBuilder t = new StringBuilder(Digest.ofSha256(v).toString());
      int at = r.nextInt(t.length());
      switch (r.nextInt(4)) {
        case 0 -> t.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
        case 1 -> t.deleteCharAt(at);
        case 2 -> t.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        default -> { } // unchanged
      }
      String text = t.toString();
      boolean want = reference.matcher(text).matches();
      assertThat(Digest.isDigestText(text)).as(text).isEqualTo(want);
      if (want) {
        accepted++;
        assertThat(Digest.parse(text).toString()).isEqualTo(text);
      } else {
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOf(IllegalArgumentException.class);
      }
    }
    assertThat(accepted).isBetween(5_000, 15_000);
  }
}
