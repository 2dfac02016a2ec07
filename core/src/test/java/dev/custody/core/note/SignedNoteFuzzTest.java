package dev.custody.core.note;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the C2SP signed-note formats: notes, signature lines and verifier keys. Any bytes give a
 * value or a {@link FormatException}; every accepted value encodes back to exactly its input (the
 * formats have one spelling).
 */
class SignedNoteFuzzTest {

  @FuzzTest
  void parse_anyBytes_exactNoteOrFormatException(byte[] data) {
    SignedNote note;
    try {
      note = SignedNote.parse(data);
    } catch (FormatException expected) {
      return;
    }
    assertThat(note.encoded()).isEqualTo(data);
    assertThat(note.signatures()).isNotEmpty().hasSizeLessThanOrEqualTo(SignedNote.MAX_SIGNATURES);
  }

  @FuzzTest
  void parseLine_anyText_exactSignatureLineOrFormatException(byte[] data) {
    String line = new String(data, StandardCharsets.UTF_8);
    NoteSignature sig;
    try {
      sig = NoteSignature.parseLine(line);
    } catch (FormatException expected) {
      return;
    }
    assertThat(sig.line()).isEqualTo(line);
    try {
      // A cosignature/v1 reading of any signature is its timestamp or a FormatException.
      assertThat(CosignatureV1.timestamp(sig)).isNotNegative();
    } catch (FormatException expected) {
      // not 8 + 64 bytes, or a timestamp above 2^63 - 1
    }
  }

  @FuzzTest
  void parseVerifierKey_anyText_exactKeyOrFormatException(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    VerifierKey key;
    try {
      key = VerifierKey.parse(text);
    } catch (FormatException expected) {
      return;
    }
    assertThat(key.encode()).isEqualTo(text);
  }
}
