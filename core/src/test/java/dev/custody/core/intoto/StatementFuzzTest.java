package dev.custody.core.intoto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the in-toto Statement reader: a Statement whose own JSON reads back equal, or a
 * {@link FormatException}. Seeds: the in-toto example statements.
 */
class StatementFuzzTest {
  @FuzzTest
  void parse_anyBytes_statementThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> Statement.parse(data, "fuzz"), s -> {
      Statement back = Statement.parse(s.toJson(), "round trip");
      assertThat(back).isEqualTo(s);
      assertThat(back.toJson()).isEqualTo(s.toJson());
    });
  }
}
