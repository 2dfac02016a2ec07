package dev.custody.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UnsignedDecimalTest {
  @Test
  void isCanonical_zeroToLongMax_accepted() {
    for (long v : new long[] {0, 1, 9, 10, 1_000_000_000_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
      assertThat(UnsignedDecimal.isCanonical(Long.toString(v))).as("%d", v).isTrue();
      assertThat(UnsignedDecimal.parse(Long.toString(v))).isEqualTo(OptionalLong.of(v));
    }
  }

  @Test
  void isCanonical_otherSpellings_rejected() {
    for (String s : new String[] {"", "00", "01", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "\u0663",
        "9223372036854775808", "9999999999999999999", "10000000000000000000", "١"}) {
      assertThat(UnsignedDecimal.isCanonical(s)).as(s).isFalse();
      assertThat(UnsignedDecimal.parse(s)).as(s).isEmpty();
    }
    assertThat(UnsignedDecimal.isCanonical(null)).isFalse();
  }

  @Test
  void maxText_isLongMax() {
    assertThat(UnsignedDecimal.MAX_TEXT).isEqualTo(Long.toString(Long.MAX_VALUE));
  }
}
