package dev.custody.core.note;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the C2SP signed-note formats: notes, signature lines (and their cosignature/v1 reading)
 * and verifier keys. Any bytes give a value or a {@link FormatException}; every accepted value
 * encodes back to exactly its input (the formats have one spelling).
 */
class SignedNoteFuzzTest {

  @FuzzTest
  void parse_anyBytes_exactNoteOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> SignedNote.parse(data), note -> {
      assertThat(note.encoded()).isEqualTo(data);
      assertThat(note.signatures()).isNotEmpty().hasSizeLessThanOrEqualTo(SignedNote.MAX_SIGNATURES);
    });
  }

  @FuzzTest
  void parseLine_anyText_exactSignatureLineOrFormatException(byte[] data) throws Exception {
    String line = new String(data, StandardCharsets.UTF_8);
    Fuzz.valueOrRejected(FormatException.class, () -> NoteSignature.parseLine(line), sig -> {
      assertThat(sig.line()).isEqualTo(line);
      Fuzz.valueOrRejected(FormatException.class, () -> CosignatureV1.timestamp(sig),
          t -> assertThat(t).isNotNegative());
    });
  }

  @FuzzTest
  void parseVerifierKey_anyText_exactKeyOrFormatException(byte[] data) throws Exception {
    String text = new String(data, StandardCharsets.UTF_8);
    Fuzz.valueOrRejected(FormatException.class, () -> VerifierKey.parse(text),
        key -> assertThat(key.encode()).isEqualTo(text));
  }
}
