package dev.custody.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * "Did you mean": the names closest to what was typed (options, commands, event kinds, chain ids),
 * by edit distance. Stateless.
 */
final class Suggestions {
  /** Most names suggested at once. */
  static final int MAX = 3;

  private Suggestions() {}

  /**
   * The candidates within an edit distance of {@code max(2, length / 3)} of {@code typed} (ignoring
   * case), or that it is a prefix of; closest first, at most {@link #MAX}. Empty when none is close.
   */
  static List<String> closest(String typed, Collection<String> candidates) {
    String t = typed.toLowerCase(Locale.ROOT);
    int threshold = Math.max(2, t.length() / 3);
    LevenshteinDistance distance = new LevenshteinDistance(threshold);
    record Near(String name, int distance) {}
    List<Near> near = new ArrayList<>();
    for (String c : candidates) {
      String lc = c.toLowerCase(Locale.ROOT);
      if (lc.equals(t)) {
        continue;
      }
      int d = distance.apply(t, lc);
      if (d >= 0) {
        near.add(new Near(c, d));
      } else if (t.length() >= 3 && lc.startsWith(t)) {
        near.add(new Near(c, threshold + 1));
      }
    }
    near.sort(Comparator.comparingInt(Near::distance).thenComparing(Near::name));
    return near.stream().limit(MAX).map(Near::name).distinct().toList();
  }
}
