package dev.custody.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Names#isName} (a loop) against the regex it stands for. */
class NamesTest {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");

  @PropertyTest(seed = 20261205, tries = 3000)
  void isName_randomStrings_sameAsRegex(long seed) {
    Gen g = new Gen(seed);
    String name = g.string("aZ09._:/@+- \\#\u00e9\u0661\n", 0, 3) + g.string("aZ09._:/@+-", 0, 130);
    assertThat(Names.isName(name)).as(name).isEqualTo(NAME.matcher(name).matches());
  }

  @Test
  void isName_limits_sameAsRegex() {
    for (String n : new String[] {"", "a", "a".repeat(128), "a".repeat(129), ".a", "a.", "_", "0:/@+-._",
        "a b", "a\u00e9", "\u0661", "a\n"}) {
      assertThat(Names.isName(n)).as(n).isEqualTo(NAME.matcher(n).matches());
    }
  }
}
