package dev.custody.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A seeded value generator for property tests (plain JUnit 5, no property-testing engine).
 *
 * <p>Convention: a property is a {@link PropertyTest @PropertyTest(seed = FIRST, tries = N)} method
 * taking a {@code long seed}; it builds {@code new Gen(seed)} and draws its case from it. Each seed
 * is a test of its own whose display name holds the seed, so a failure names the one case to re-run,
 * and every build checks the same cases. Numbers are drawn with a bias to their bounds (and 0, 1,
 * -1 where in range), where off-by-one defects live.
 *
 * <p>Not thread-safe: one instance per test invocation.
 */
public final class Gen {
  /** One draw in this many picks a bound instead of a uniform value. */
  private static final int EDGE_ONE_IN = 8;

  /** Characters that break naive escaping: JSON and HTML specials, DEL, NEL, NBSP, line and paragraph separators, bidi override, zero-width space, BOM, U+FFFD. */
  private static final String TRICKY = "\"\\/'<>&\u007f\u0085\u00a0\u2028\u2029\u202e\u200b\ufeff\ufffd";

  private final SplittableRandom random;

  public Gen(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** {@code count} consecutive seeds from {@code first}: the tries of one property. */
  public static Stream<Long> seeds(long first, int count) {
    return LongStream.range(first, first + count).boxed();
  }

  /** Uniform in [min, max], or one of its edges (min, max, 0, 1, -1 when in range) one time in eight. */
  public long longBetween(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException(min + " > " + max);
    }
    if (random.nextInt(EDGE_ONE_IN) == 0) {
      long[] edges = {min, max, 0, 1, -1, min + 1, max - 1};
      long e = edges[random.nextInt(edges.length)];
      if (e >= min && e <= max) {
        return e;
      }
    }
    // nextLong(origin, bound) excludes bound: shift by one where max + 1 would overflow.
    return max < Long.MAX_VALUE ? random.nextLong(min, max + 1)
        : min > Long.MIN_VALUE ? random.nextLong(min - 1, max) + 1
        : random.nextLong();
  }

  /** Uniform in [min, max] with the same edge bias as {@link #longBetween}. */
  public int intBetween(int min, int max) {
    return (int) longBetween(min, max);
  }

  /** Any long, edges included. */
  public long anyLong() {
    return longBetween(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public boolean nextBoolean() {
    return random.nextBoolean();
  }

  /** True with probability 1/{@code n}. */
  public boolean oneIn(int n) {
    return random.nextInt(n) == 0;
  }

  public byte[] bytes(int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  /** Random bytes of a length in [minLength, maxLength] (edge-biased: empty and longest arrays come up). */
  public byte[] bytes(int minLength, int maxLength) {
    return bytes(intBetween(minLength, maxLength));
  }

  /** A string of [minLength, maxLength] code points, each taken from {@code alphabet}'s code points. */
  public String string(String alphabet, int minLength, int maxLength) {
    int[] cps = alphabet.codePoints().toArray();
    int n = intBetween(minLength, maxLength);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(cps[random.nextInt(cps.length)]);
    }
    return sb.toString();
  }

  /** A string of [minLength, maxLength] code points from the inclusive range [from, to]. */
  public String stringInRange(int from, int to, int minLength, int maxLength) {
    int n = intBetween(minLength, maxLength);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(random.nextInt(from, to + 1));
    }
    return sb.toString();
  }

  /**
   * Any Unicode text of at most {@code maxLength} code points: control characters, quotes,
   * backslashes, format and bidi characters, astral code points; never a lone surrogate (not text).
   */
  public String anyText(int maxLength) {
    int n = intBetween(0, maxLength);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      int cp = switch (random.nextInt(6)) {
        case 0 -> random.nextInt(0x20);                          // C0 controls
        case 1 -> TRICKY.charAt(random.nextInt(TRICKY.length()));
        case 2 -> random.nextInt(0x20, 0x7f);                    // ASCII
        case 3 -> random.nextInt(0x10000, 0x110000);             // astral
        default -> {
          int c = random.nextInt(0x80, 0x10000);
          yield Character.isSurrogate((char) c) ? 'x' : c;       // BMP, surrogates excluded
        }
      };
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  public <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  @SafeVarargs
  public final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Empty one time in three, else a value. */
  public <T> Optional<T> optional(Supplier<T> value) {
    return random.nextInt(3) == 0 ? Optional.empty() : Optional.of(value.get());
  }

  /** A list of [min, max] values. */
  public <T> List<T> list(int min, int max, Supplier<T> value) {
    int n = intBetween(min, max);
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(value.get());
    }
    return out;
  }
}
