package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceNamesTest {
  @Test
  void comparePaths_componentBoundary_sortsBeforeAnyCharacter() {
    assertThat(ResourceNames.comparePaths("a/b", "a-b")).isNegative();
    assertThat(ResourceNames.comparePaths("a/b", "a.b")).isNegative();
    assertThat(ResourceNames.comparePaths("a", "a/b")).isNegative();
    assertThat(ResourceNames.comparePaths("a b", "a")).isPositive();
    assertThat(ResourceNames.comparePaths("Z", "a")).isNegative();
  }

  @Test
  void comparePaths_supplementaryCharacters_byCodePointNotUtf16Unit() {
    // U+1F600 is > U+FFFD by code point, though its UTF-16 lead unit 0xD83D is < 0xFFFD.
    assertThat(ResourceNames.comparePaths("\uD83D\uDE00", "\uFFFC")).isPositive();
    assertThat("\uD83D\uDE00".compareTo("\uFFFC")).isNegative();
  }

  @Test
  void parseShard_colonsInPath_takesLastTwoFields() throws Exception {
    ResourceNames.Shard s = ResourceNames.parseShard("dir/x:1:2:10:20");

    assertThat(s).isEqualTo(new ResourceNames.Shard("dir/x:1:2", 10, 20));
    assertThat(s.toString()).isEqualTo("dir/x:1:2:10:20");
  }

  @Test
  void parseShard_malformed_rejected() {
    for (String bad : List.of(":0:1", "f:0", "f:a:1", "f:1:0", "f::1", "f:0:", "/f:0:1", "f:0:1000000000000000000")) {
      assertThatThrownBy(() -> ResourceNames.parseShard(bad)).as(bad).isInstanceOf(FormatException.class);
    }
  }

  @Test
  void compareShards_sameFile_numericOffsets() throws Exception {
    assertThat(ResourceNames.compareShards(ResourceNames.parseShard("f:7:14"), ResourceNames.parseShard("f:14:21")))
        .isNegative();
    assertThat(ResourceNames.compareShards(ResourceNames.parseShard("f:9:10"), ResourceNames.parseShard("f-g:0:1")))
        .isNegative();
  }

  /** 1 to 4 components of 1 to 4 characters (never "." or ".."), with separators, spaces, colons and non-ASCII. */
  static String path(Gen g) {
    return String.join("/", g.list(1, 4, () -> {
      String c;
      do {
        c = g.string("ab-. :\u00e9\uFFFC", 1, 4);
      } while (c.equals(".") || c.equals(".."));
      return c;
    }));
  }

  @PropertyTest(seed = 42, tries = 1000)
  void comparePaths_anyPaths_agreesWithComponentListOrder(long seed) {
    Gen g = new Gen(seed);
    String a = path(g);
    String b = g.oneIn(10) ? a : path(g); // equal paths too

    assertThat(Integer.signum(ResourceNames.comparePaths(a, b))).as("%s vs %s", a, b)
        .isEqualTo(Integer.signum(naive(a, b)));
    assertThat(ResourceNames.pathProblem(a)).as(a).isNull();
  }

  private static int naive(String a, String b) {
    String[] pa = a.split("/", -1);
    String[] pb = b.split("/", -1);
    for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
      int c = Arrays.compare(pa[i].codePoints().toArray(), pb[i].codePoints().toArray());
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(pa.length, pb.length);
  }
}
