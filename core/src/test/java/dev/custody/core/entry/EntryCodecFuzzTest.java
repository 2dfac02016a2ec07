package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.event.Event;
import dev.custody.core.json.StrictJson;
import java.time.Instant;
import java.util.Optional;

/**
 * Fuzzes the payload and event grammars ({@code custody/entry/v1}): any bytes give a value or a
 * {@link FormatException}; a decoded value re-encodes to bytes that decode to the same value and
 * re-encode to themselves (the writer's form is a fixed point). Seeds: real payloads and
 * {@code record --event-json} / batch event objects.
 */
class EntryCodecFuzzTest {

  @FuzzTest
  void decode_anyBytes_payloadThatRoundTripsOrFormatException(byte[] data) {
    EntryPayload p;
    try {
      p = EntryCodec.decode(data, "fuzz");
    } catch (FormatException expected) {
      return;
    }
    assertRoundTrip(p);
  }

  @FuzzTest
  void decodeEvent_anyBytes_eventThatRoundTripsOrFormatException(byte[] data) {
    Event e;
    try {
      e = EntryCodec.decodeEvent(StrictJson.parseObject(data, EntryRecord.MAX_RECORD_BYTES, "fuzz"));
    } catch (FormatException expected) {
      return;
    }
    EntryPayload p = new EntryPayload("fuzz/chain", 0, Optional.empty(), "0".repeat(64),
        Instant.parse("2026-01-01T00:00:00Z"), e);
    assertThat(assertRoundTrip(p).event()).isEqualTo(e);
  }

  private static EntryPayload assertRoundTrip(EntryPayload p) {
    byte[] encoded = EntryCodec.encode(p);
    EntryPayload back;
    try {
      back = EntryCodec.decode(encoded, "re-encoded");
    } catch (FormatException e) {
      throw new AssertionError("custody's own encoding of an accepted payload is rejected: " + e.getMessage(), e);
    }
    assertThat(back).isEqualTo(p);
    assertThat(EntryCodec.encode(back)).isEqualTo(encoded);
    return back;
  }
}
