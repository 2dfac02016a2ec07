package dev.custody.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the log config reader ({@code log/config.json}): a config whose own bytes parse back to an
 * equal config, or a {@link FormatException}.
 */
class LogConfigFuzzTest {

  @FuzzTest
  void parse_anyBytes_configThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> LogConfig.parse(data, "fuzz/log/config.json"), c -> {
      LogConfig back = LogConfig.parse(c.toBytes(), "re-encoded");
      assertThat(back).isEqualTo(c);
      assertThat(back.toBytes()).isEqualTo(c.toBytes());
    });
  }
}
