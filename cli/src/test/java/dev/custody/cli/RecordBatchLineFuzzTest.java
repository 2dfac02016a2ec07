package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.attest.SigningKey;
import dev.custody.core.FormatException;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import java.time.Instant;
import java.util.Optional;

/**
 * Fuzzes the {@code record --batch} line parser: any line gives a chain and an event that encode
 * into a payload custody reads back unchanged, or a {@link FormatException} naming the line.
 */
class RecordBatchLineFuzzTest {
  private static final Batch BATCH = new Batch("fuzz.jsonl", SigningKey.generate(KeyAlgorithm.ED25519));

  @FuzzTest
  void parseBatchLine_anyText_lineOrFormatException(byte[] data) throws Exception {
    Batch.Line line;
    try {
      line = BATCH.parse(data, 7);
    } catch (FormatException e) {
      assertThat(e.getMessage()).startsWith("fuzz.jsonl line 7");
      return;
    }
    if (line == null) {
      return; // a blank line
    }
    EntryPayload p = new EntryPayload(line.chain(), 0, Optional.empty(), "0".repeat(64),
        Instant.parse("2026-01-01T00:00:00Z"), line.event());
    assertThat(EntryCodec.decode(EntryCodec.encode(p), "re-encoded")).isEqualTo(p);
  }
}
