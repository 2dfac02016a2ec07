package dev.custody.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodePointOrderTest {
  /** Moved from SafetensorsHeaderTest (the order was SafetensorsHeader.NAME_ORDER). */
  @Test
  void compare_supplementaryCharacters_sortAsUtf8Bytes() {
    String bmpHigh = "\uffef"; // U+FFEF: 3 UTF-8 bytes EF BF AF
    String astral = "\ud83d\ude00"; // U+1F600: 4 UTF-8 bytes F0 ...; String.compareTo puts it first
    assertThat(bmpHigh.compareTo(astral)).isPositive();
    assertThat(CodePointOrder.COMPARATOR.compare(bmpHigh, astral)).isNegative();
  }

  /** Moved from ResourceNamesTest (the loop was ResourceNames.comparePaths's own). */
  @Test
  void compare_supplementaryCharacters_byCodePointNotUtf16Unit() {
    // U+1F600 is > U+FFFD by code point, though its UTF-16 lead unit 0xD83D is < 0xFFFD.
    assertThat(CodePointOrder.compare("\uD83D\uDE00", "\uFFFC")).isPositive();
    assertThat("\uD83D\uDE00".compareTo("\uFFFC")).isNegative();
  }

  @Test
  void compare_prefix_sortsFirst() {
    assertThat(CodePointOrder.compare("", "a")).isNegative();
    assertThat(CodePointOrder.compare("ab", "a")).isPositive();
    assertThat(CodePointOrder.compare("ab", "ab")).isZero();
  }

  @Test
  void compare_ranges_likeTheSubstrings() {
    assertThat(CodePointOrder.compare("xxab", 2, 4, "ab-", 0, 2)).isZero();
    assertThat(CodePointOrder.compare("a/b", 0, 1, "a-b", 0, 3)).isNegative();
    assertThat(CodePointOrder.compare("a\uD83D\uDE00", 1, 3, "\uFFFC", 0, 1)).isPositive();
  }

  @Test
  void compare_randomWellFormedStrings_agreesWithUtf8ByteOrder() {
    Random r = new Random(42);
    int[] alphabet = {'a', 'b', 'Z', 0xe9, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffef, 0x10000, 0x1f600, 0x10ffff};
    for (int n = 0; n < 5000; n++) {
      String a = random(r, alphabet);
      String b = r.nextInt(10) == 0 ? a : random(r, alphabet);
      int expected = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
      assertThat(Integer.signum(CodePointOrder.compare(a, b))).as("%s vs %s", a, b).isEqualTo(Integer.signum(expected));
    }
  }

  private static String random(Random r, int[] alphabet) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(5); i > 0; i--) {
      sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }
}
