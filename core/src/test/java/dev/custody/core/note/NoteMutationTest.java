package dev.custody.core.note;

import static dev.custody.core.note.NoteVectors.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Named mutations of a valid, verifiable note (Go's PeterNeumann example). Each must be rejected:
 * as malformed ({@link FormatException}) or as not verifying ({@link NoteVerificationException}).
 */
class NoteMutationTest {
  private static final JsonNode GO = NoteVectors.goNote();
  private static final String NOTE = GO.get("sign").get(0).get("want").asText();
  private static final String TEXT = GO.get("sign").get(0).get("text").asText();
  private static final String SIG_LINE = NOTE.substring(TEXT.length() + 1, NOTE.length() - 1);
  private static final String B64 = SIG_LINE.substring(SIG_LINE.lastIndexOf(' ') + 1);

  private static NoteVerifiers trusted() throws FormatException {
    return NoteVerifiers.of(VerifierKey.parse(GO.get("keys").get("PeterNeumann").get("vkey").asText()));
  }

  @Test
  void open_unmutatedNote_verifies() throws Exception {
    assertThat(SignedNote.open(utf8(NOTE), trusted()).text()).isEqualTo(TEXT);
  }

  private static Map<String, UnaryOperator<String>> malformed() {
    Map<String, UnaryOperator<String>> m = new LinkedHashMap<>();
    m.put("hyphen instead of em dash", s -> s.replace("\u2014 ", "- "));
    m.put("en dash instead of em dash", s -> s.replace("\u2014 ", "\u2013 "));
    m.put("no space after dash", s -> s.replace("\u2014 ", "\u2014"));
    m.put("two spaces after dash", s -> s.replace("\u2014 ", "\u2014  "));
    m.put("two spaces before signature", s -> s.replace("PeterNeumann ", "PeterNeumann  "));
    m.put("tab before signature", s -> s.replace("PeterNeumann ", "PeterNeumann\t"));
    m.put("no-break space in name", s -> s.replace("PeterNeumann ", "Peter\u00a0Neumann "));
    m.put("ideographic space in name", s -> s.replace("PeterNeumann ", "Peter\u3000Neumann "));
    m.put("plus in name", s -> s.replace("PeterNeumann ", "Peter+Neumann "));
    m.put("empty name", s -> s.replace("PeterNeumann ", " "));
    m.put("empty signature", s -> s.replace(B64, ""));
    m.put("signature without padding", s -> s.replace(B64, B64.substring(0, B64.length() - 1)));
    m.put("signature with extra padding", s -> s.replace(B64, B64 + "="));
    m.put("non-canonical padding bits", s -> s.replace(B64, B64.substring(0, B64.length() - 2) + "N="));
    m.put("url-safe base64", s -> s.replace(B64, B64.replace('/', '_')));
    m.put("trailing space on signature line", s -> s.replace(B64 + "\n", B64 + " \n"));
    m.put("CRLF line ending", s -> s.replace("\n", "\r\n"));
    m.put("carriage return in text", s -> s.replace("problem,\n", "problem,\r\n"));
    m.put("NUL in text", s -> s.replace("If you", "If\u0000you"));
    m.put("tab in text", s -> s.replace("If you", "If\tyou"));
    m.put("escape in text", s -> s.replace("If you", "If\u001byou"));
    m.put("missing final newline", s -> s.substring(0, s.length() - 1));
    m.put("extra blank line at end", s -> s + "\n");
    m.put("trailing garbage line", s -> s + "garbage\n");
    m.put("no blank line separator", s -> s.replace("is.\n\n", "is.\n"));
    m.put("signature line before text only", s -> SIG_LINE + "\n");
    m.put("empty input", s -> "");
    m.put("only a blank line", s -> "\n\n");
    return m;
  }

  @TestFactory
  Stream<DynamicTest> parse_malformedMutation_rejected() {
    return malformed().entrySet().stream().map(e -> dynamicTest(e.getKey(), () -> {
      byte[] msg = e.getValue().apply(NOTE).getBytes(StandardCharsets.UTF_8);
      assertThat(msg).as("mutation changed nothing").isNotEqualTo(utf8(NOTE));
      assertThatThrownBy(() -> SignedNote.open(msg, trusted())).isInstanceOf(FormatException.class);
    }));
  }

  @Test
  void parse_invalidUtf8Variants_rejected() {
    byte[][] bad = {
      {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // UTF-16 surrogate encoded in UTF-8
      {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
      {(byte) 0xe2, (byte) 0x80}, // truncated sequence
    };
    for (byte[] b : bad) {
      byte[] msg = concat(b, utf8(NOTE));
      assertThatThrownBy(() -> SignedNote.parse(msg)).as(Bytes.copyOf(b).hex()).isInstanceOf(FormatException.class)
          .hasMessageContaining("UTF-8");
    }
  }

  private static Map<String, UnaryOperator<String>> unverifiable() {
    Map<String, UnaryOperator<String>> m = new LinkedHashMap<>();
    m.put("text changed", s -> s.replace("cryptography", "Cryptography"));
    m.put("line added to text", s -> s.replace(TEXT, TEXT + "Really.\n"));
    m.put("blank line added to text", s -> s.replace(TEXT, TEXT + "\n"));
    m.put("key ID changed (unknown key)", s -> s.replace(B64, flip(B64, 2)));
    m.put("signature byte flipped", s -> s.replace(B64, flip(B64, 20)));
    m.put("last signature byte flipped", s -> s.replace(B64, flip(B64, 66)));
    m.put("signature truncated by 3 bytes", s -> s.replace(B64, b64(Bytes.copyOf(dec(B64), 0, 65))));
    m.put("signature extended by 3 bytes", s -> s.replace(B64, b64(Bytes.copyOf(concat(dec(B64), new byte[3])))));
    m.put("name changed (unknown key)", s -> s.replace("PeterNeumann ", "PeterNeumannn "));
    m.put("second, bad signature by the same key", s -> s + SIG_LINE.replace(B64, flip(B64, 20)) + "\n");
    return m;
  }

  @TestFactory
  Stream<DynamicTest> open_signatureOrTextMutation_notVerified() {
    return unverifiable().entrySet().stream().map(e -> dynamicTest(e.getKey(), () -> {
      byte[] msg = e.getValue().apply(NOTE).getBytes(StandardCharsets.UTF_8);
      assertThat(msg).as("mutation changed nothing").isNotEqualTo(utf8(NOTE));
      assertThatThrownBy(() -> SignedNote.open(msg, trusted())).isInstanceOf(NoteVerificationException.class);
    }));
  }

  @Test
  void parse_101Signatures_rejected_100Accepted() throws Exception {
    String hundred = TEXT + "\n" + (SIG_LINE + "\n").repeat(100);
    assertThat(SignedNote.parse(utf8(hundred)).signatures()).hasSize(100);
    assertThat(SignedNote.open(utf8(hundred), trusted()).verified()).hasSize(1);
    assertThatThrownBy(() -> SignedNote.parse(utf8(hundred + SIG_LINE + "\n"))).isInstanceOf(FormatException.class)
        .hasMessageContaining("more than 100");
  }

  @Test
  void parse_oversizeNote_rejectedBeforeDecoding() {
    byte[] big = new byte[SignedNote.MAX_NOTE_BYTES + 1];
    assertThatThrownBy(() -> SignedNote.parse(big)).isInstanceOf(FormatException.class).hasMessageContaining("limit");
  }

  @Test
  void open_unverifiedNoteException_carriesSigners() throws Exception {
    VerifierKey enoch = VerifierKey.parse(GO.get("keys").get("EnochRoot").get("vkey").asText());
    assertThatThrownBy(() -> SignedNote.open(utf8(NOTE), NoteVerifiers.of(enoch)))
        .isInstanceOfSatisfying(UnverifiedNoteException.class, e -> {
          assertThat(e.note().signatures()).hasSize(1);
          assertThat(e.getMessage()).contains("PeterNeumann+c74f20a3").contains("EnochRoot+af0cfe78");
        });
  }

  @Test
  void open_cosignatureKeyOnPlainSignature_wrongLengthRejected() throws Exception {
    // Same name and public key but type 0x04: a different key ID, so the line is simply unknown.
    VerifierKey peter = VerifierKey.parse(GO.get("keys").get("PeterNeumann").get("vkey").asText());
    assertThatThrownBy(() -> SignedNote.open(utf8(NOTE), NoteVerifiers.of(peter.asCosignatureV1())))
        .isInstanceOf(UnverifiedNoteException.class);
  }

  private static String flip(String b64, int byteIndex) {
    byte[] b = dec(b64);
    b[byteIndex] ^= 0x01;
    return b64(Bytes.copyOf(b));
  }

  private static byte[] dec(String b64) {
    return java.util.Base64.getDecoder().decode(b64);
  }

  private static String b64(Bytes b) {
    return java.util.Base64.getEncoder().encodeToString(b.toByteArray());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
