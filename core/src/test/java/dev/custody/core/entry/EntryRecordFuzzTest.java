package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the stored-record parser: any bytes give a record or a {@link FormatException}; a parsed
 * record is exactly its input (one byte form per entry), and its payload decodes to a payload that
 * round-trips or is rejected the same way. Seeds: real records of every kind, Ed25519 and ES256.
 */
class EntryRecordFuzzTest {

  @FuzzTest
  void parse_anyBytes_exactRecordOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> EntryRecord.parse(data, "fuzz"), record -> {
      assertThat(record.bytes().toByteArray()).isEqualTo(data);
      Fuzz.valueOrRejected(FormatException.class, () -> record.payload("fuzz"),
          p -> assertThat(EntryCodec.decode(EntryCodec.encode(p), "re-encoded")).isEqualTo(p));
    });
  }
}
