package dev.custody.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;

/**
 * Fuzzes the log config reader ({@code log/config.json}): a config whose own bytes parse back to
 * an equal config, or a {@link FormatException}.
 */
class LogConfigFuzzTest {

  @FuzzTest
  void parse_anyBytes_configThatRoundTripsOrFormatException(byte[] data) {
    LogConfig c;
    try {
      c = LogConfig.parse(data, "fuzz/log/config.json");
    } catch (FormatException expected) {
      return;
    }
    try {
      LogConfig back = LogConfig.parse(c.toBytes(), "re-encoded");
      assertThat(back).isEqualTo(c);
      assertThat(back.toBytes()).isEqualTo(c.toBytes());
    } catch (FormatException e) {
      throw new AssertionError("custody's own bytes of an accepted config are rejected: " + e.getMessage(), e);
    }
  }
}
