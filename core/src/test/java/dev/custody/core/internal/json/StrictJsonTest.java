package dev.custody.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Found by EntryRecordFuzzTest: Jackson throws NumberFormatException for an exponent beyond int. */
  @Test
  void parse_numberWithExponentBeyondInt_formatExceptionNamingTheMember() {
    assertThatThrownBy(() -> StrictJson.parse(utf8("{\"outputs\":7425e73043352938}"), 1000, "entry 3 payload"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("entry 3 payload")
        .hasMessageContaining("'/outputs'")
        .hasMessageContaining("7425e73043352938");
  }

  @Test
  void parse_numberWithLargeExponentWithinInt_keepsItsExactValue() throws FormatException {
    assertThat(StrictJson.parse(utf8("{\"m\":1.50e2147483647}"), 1000, "x").get("m").decimalValue())
        .isEqualTo(new java.math.BigDecimal("1.50e2147483647"));
  }
}
