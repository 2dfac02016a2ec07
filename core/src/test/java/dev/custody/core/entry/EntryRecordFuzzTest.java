package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;

/**
 * Fuzzes the stored-record parser: any bytes give a record or a {@link FormatException}, never
 * another exception; a parsed record is exactly its input (one byte form per entry) and its payload
 * decodes or is rejected the same way. Seeds: {@code EntryRecordFuzzTestInputs/} (real records).
 */
class EntryRecordFuzzTest {

  @FuzzTest
  void parse_anyBytes_exactRecordOrFormatException(byte[] data) {
    EntryRecord record;
    try {
      record = EntryRecord.parse(data, "fuzz");
    } catch (FormatException expected) {
      return;
    }
    assertThat(record.bytes().toByteArray()).isEqualTo(data);
    try {
      EntryPayload p = record.payload("fuzz");
      assertThat(EntryCodec.decode(EntryCodec.encode(p), "re-encoded")).isEqualTo(p);
    } catch (FormatException expected) {
      // a well-formed envelope around a payload that is not custody/entry/v1
    }
  }
}
