package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import dev.custody.core.internal.json.StrictJson;
import java.time.Instant;
import java.util.Optional;

/**
 * Fuzzes the payload and event grammars ({@code custody/entry/v1}): any bytes give a value or a
 * {@link FormatException}; a decoded value re-encodes to bytes that decode to the same value and
 * re-encode to themselves (the writer's form is a fixed point). Seeds: real payloads and events
 * ({@code record}, {@code --event-json}, batch lines).
 */
class EntryCodecFuzzTest {

  @FuzzTest
  void decode_anyBytes_payloadThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> EntryCodec.decode(data, "fuzz"), EntryCodecFuzzTest::roundTrip);
  }

  @FuzzTest
  void decodeEvent_anyBytes_eventThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class,
        () -> EntryCodec.decodeEvent(StrictJson.parseObject(data, EntryRecord.MAX_RECORD_BYTES, "fuzz")),
        e -> assertThat(roundTrip(new EntryPayload("fuzz/chain", 0, Optional.empty(), "0".repeat(64),
            Instant.parse("2026-01-01T00:00:00Z"), e)).event()).isEqualTo(e));
  }

  /** custody's own encoding of {@code p} decodes to {@code p} and re-encodes to itself. */
  static EntryPayload roundTrip(EntryPayload p) throws FormatException {
    byte[] encoded = EntryCodec.encode(p);
    EntryPayload back = EntryCodec.decode(encoded, "re-encoded");
    assertThat(back).isEqualTo(p);
    assertThat(EntryCodec.encode(back)).isEqualTo(encoded);
    return back;
  }
}
