package dev.custody.cli;

import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
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
   * The event kind {@code typed} names ({@link EventType#of}); a name close to a built-in kind's is
   * refused with a "did you mean", so a typo does not record a custom kind.
   *
   * @throws IllegalArgumentException for a kind that is neither built in nor a type URI
   * @throws CommandError ({@link ErrorReport.Code#BAD_ARGUMENT}) for one close to a built-in kind
   */
  static EventType eventType(String typed) throws CommandError {
    try {
      return EventType.of(typed);
    } catch (IllegalArgumentException e) {
      List<String> near = closest(typed, EventType.BUILT_IN.stream().map(EventType::name).toList());
      if (near.isEmpty()) {
        throw e;
      }
      throw new CommandError(ErrorReport.of(ErrorReport.Code.BAD_ARGUMENT, e.getMessage() + "; did you mean "
          + Untrusted.quote(near.get(0)) + "?").withDidYouMean(near));
    }
  }

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
