package dev.custody.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link JsonOutput}: exact values, no raw character a terminal would act on. */
class JsonOutputTest {
  private static String write(String value) throws Exception {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeString(value);
    }
    return w.toString();
  }

  static Stream<Arguments> unsafe() {
    return Stream.of(
        Arguments.of("bidi override", "\u202E", "\\u202E"),
        Arguments.of("line separator", "\u2028", "\\u2028"),
        Arguments.of("paragraph separator", "\u2029", "\\u2029"),
        Arguments.of("ESC", "\u001B", "\\u001B"),
        Arguments.of("DEL", "\u007F", "\\u007F"),
        Arguments.of("C1 NEL", "\u0085", "\\u0085"),
        Arguments.of("soft hyphen", "\u00AD", "\\u00AD"),
        Arguments.of("zero width space", "\u200B", "\\u200B"),
        Arguments.of("BOM", "\uFEFF", "\\uFEFF"),
        Arguments.of("private use", "\uE000", "\\uE000"),
        Arguments.of("emoji", "\uD83D\uDE00", "\\uD83D\\uDE00"),
        Arguments.of("lone surrogate", "\uD800", "\\uD800"),
        Arguments.of("tag character", "\uDB40\uDC01", "\\uDB40\\uDC01"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsafe")
  void generator_unsafeCharacter_writtenAsEscapeAndReadsBack(String what, String value, String escaped)
      throws Exception {
    String json = write("a" + value + "b");
    assertThat(json).isEqualTo("\"a" + escaped + "b\"");
    if (!what.equals("lone surrogate")) {
      assertThat(new ObjectMapper().readTree(json).textValue()).isEqualTo("a" + value + "b");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"latin, é", "cjk, 中文", "greek, λ", "backslash, \\"})
  void generator_printableText_writtenAsIs(String what, String value) throws Exception {
    String expected = value.equals("\\") ? "\"\\\\\"" : "\"" + value + "\"";
    assertThat(write(value)).isEqualTo(expected);
  }
}
