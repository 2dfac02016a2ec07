package dev.custody.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LogConfigTest {

  @Test
  void parse_formattedConfig_roundTrips() throws FormatException {
    for (LogConfig c : new LogConfig[] {new LogConfig("example.org/log", Optional.of(1000L)),
        new LogConfig("go.sum database tree", Optional.empty()), new LogConfig("a/\"b\"", Optional.of(0L))}) {
      assertThat(LogConfig.parse(c.toBytes(), "config")).isEqualTo(c);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "other format      | {\"format\":\"custody/log/v2\",\"origin\":\"o\"}                                  | unsupported log config format",
      "unknown member    | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"key\":\"x\"}                    | unknown member 'key'",
      "duplicate key     | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"origin\":\"p\"}                | origin",
      "missing origin    | {\"format\":\"custody/log/v1\"}                                                    | 'origin'",
      "empty origin      | {\"format\":\"custody/log/v1\",\"origin\":\"\"}                                   | origin",
      "origin newline    | {\"format\":\"custody/log/v1\",\"origin\":\"a\\nb\"}                              | origin",
      "negative interval | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"checkpointIntervalMillis\":-1}  | checkpointIntervalMillis",
      "float interval    | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"checkpointIntervalMillis\":1.5} | checkpointIntervalMillis",
      "string interval   | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"checkpointIntervalMillis\":\"1\"} | checkpointIntervalMillis",
      "null interval     | {\"format\":\"custody/log/v1\",\"origin\":\"o\",\"checkpointIntervalMillis\":null} | checkpointIntervalMillis",
      "trailing content  | {\"format\":\"custody/log/v1\",\"origin\":\"o\"} x                                  | config",
      "not an object     | [\"custody/log/v1\"]                                                               | must be a JSON object",
  })
  void parse_malformed_rejectedNamingTheProblem(String name, String json, String expected) {
    assertThatThrownBy(() -> LogConfig.parse(json.strip().getBytes(StandardCharsets.UTF_8), "log/config.json"))
        .as(name)
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("log/config.json")
        .hasMessageContaining(expected);
  }

  @Test
  void parse_oversize_rejected() {
    byte[] big = ("{\"format\":\"custody/log/v1\",\"origin\":\"" + "o".repeat(70_000) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> LogConfig.parse(big, "log/config.json")).isInstanceOf(FormatException.class)
        .hasMessageContaining("over the limit");
  }
}
