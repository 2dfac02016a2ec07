package dev.custody.verify.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The chain and identity patterns: '*' within a segment, '**' any number of whole segments. */
class NamePatternTest {
  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource({
      "acme/*,            acme/falcon,          true",
      "acme/*,            acme,                 false",
      "acme/*,            acme/falcon/ft,       false",
      "acme/*,            acmex/falcon,         false",
      "acme/**,           acme,                 true",
      "acme/**,           acme/falcon,          true",
      "acme/**,           acme/falcon/ft/v2,    true",
      "acme/**,           acmex/falcon,         false",
      "acme/**/ft,        acme/ft,              true",
      "acme/**/ft,        acme/a/b/ft,          true",
      "acme/**/ft,        acme/a/b/ft2,         false",
      "**,                anything/at/all,      true",
      "*,                 one,                  true",
      "*,                 one/two,              false",
      "acme/approver-*,   acme/approver-1,      true",
      "acme/approver-*,   acme/approver-,       true",
      "acme/approver-*,   acme/approver,        false",
      "acme/approver-*,   acme/approver-1/x,    false",
      "acme/*-ft-*,       acme/falcon-ft-v2,    true",
      "acme/*-ft-*,       acme/falcon-ft,       false",
      "acme/falcon,       acme/falcon,          true",
      "acme/falcon,       ACME/falcon,          false",
      "a/*/c,             a/b/c,                true",
      "a/*/c,             a//c,                 true",
  })
  void matches_table(String pattern, String name, boolean expected) {
    assertThat(NamePattern.parse(pattern).matches(name)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "acme/", "/acme", "acme//x", "acme/**x", "a**", "acme/fal con", "acme/**/**", "é/x"})
  void parse_badPattern_isRefused(String pattern) {
    assertThatThrownBy(() -> NamePattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"*a*a*a*a*a*a*a*a*b, false", "*a*, true"})
  void glob_manyStarsOnALongSegment_isFast(String pattern, boolean expected) {
    String name = "a".repeat(64);
    long start = System.nanoTime();
    assertThat(NamePattern.glob(pattern, name)).isEqualTo(expected);
    assertThat(System.nanoTime() - start).isLessThan(50_000_000L);
  }
}
