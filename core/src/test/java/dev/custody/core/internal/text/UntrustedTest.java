package dev.custody.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UntrustedTest {
  static Stream<Arguments> unsafe() {
    return Stream.of(
        Arguments.of("bidi override U+202E", "acme/\u202Etxt.exe", "acme/\\u202Etxt.exe"),
        Arguments.of("bidi isolate U+2066", "a\u2066b", "a\\u2066b"),
        Arguments.of("zero width joiner", "a\u200Db", "a\\u200Db"),
        Arguments.of("byte order mark", "\uFEFFkind", "\\uFEFFkind"),
        Arguments.of("line separator U+2028", "a\u2028b", "a\\u2028b"),
        Arguments.of("paragraph separator U+2029", "a\u2029b", "a\\u2029b"),
        Arguments.of("escape sequence", "\u001B[31mred", "\\u001B[31mred"),
        Arguments.of("carriage return", "ok\rforged", "ok\\u000Dforged"),
        Arguments.of("newline", "a\nb", "a\\u000Ab"),
        Arguments.of("C1 control NEL", "a\u0085b", "a\\u0085b"),
        Arguments.of("DEL", "a\u007Fb", "a\\u007Fb"),
        Arguments.of("backslash doubled", "a\\u202Eb", "a\\\\u202Eb"),
        Arguments.of("private use", "a\uE000b", "a\\uE000b"),
        Arguments.of("other scripts kept", "Ünïcødé 模型 модель", "Ünïcødé 模型 модель"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsafe")
  void escape_unsafeCharacter_isEscaped(String name, String input, String expected) {
    assertThat(Untrusted.escape(input)).isEqualTo(expected);
    assertThat(Untrusted.needsEscaping(input)).isEqualTo(!input.equals(expected));
  }

  @Test
  void escape_loneSurrogates_areEscaped() {
    assertThat(Untrusted.escape("a\uD800b\uDC00")).isEqualTo("a\\uD800b\\uDC00");
  }

  @Test
  void escape_supplementaryCharacters_keptOrEscapedWhole() {
    assertThat(Untrusted.escape("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00"); // an emoji prints as is
    assertThat(Untrusted.escape("\uDB40\uDC01")).isEqualTo("\\u{E0001}"); // LANGUAGE TAG, a format character
  }

  @Test
  void quote_longValue_isCutAndMarked() {
    String q = Untrusted.quote("x".repeat(500));
    assertThat(q).isEqualTo("'" + "x".repeat(Untrusted.DEFAULT_MAX_CODE_POINTS) + "...'");
    assertThat(Untrusted.quote("abc", 2)).isEqualTo("'ab...'");
    assertThat(Untrusted.quote("ab", 2)).isEqualTo("'ab'");
  }

  @Test
  void quote_null_printsNone() {
    assertThat(Untrusted.quote(null)).isEqualTo("(none)");
    assertThat(Untrusted.escape(null)).isEqualTo("(none)");
  }

  @Test
  void quote_nonPositiveBound_isRejected() {
    assertThatThrownBy(() -> Untrusted.quote("a", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsafe")
  void sanitize_unsafeCharacter_escapedLikeEscapeButBackslashKept(String name, String input, String expected) {
    assertThat(Untrusted.sanitize(input)).isEqualTo(expected.replace("\\\\", "\\"));
  }

  @Test
  void sanitize_messageWithQuotedPart_keepsTheQuotedEscapesAndEscapesTheRest() {
    String message = "chain " + Untrusted.quote("a\u202Eb") + " and raw \u2028 text";
    assertThat(Untrusted.sanitize(message)).isEqualTo("chain 'a\\u202Eb' and raw \\u2028 text");
    assertThat(Untrusted.sanitize("plain")).isSameAs("plain".intern());
    assertThat(Untrusted.sanitize(null)).isEqualTo("(none)");
  }
}
