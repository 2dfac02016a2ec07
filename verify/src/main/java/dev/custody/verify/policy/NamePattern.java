package dev.custody.verify.policy;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A pattern over {@code /}-separated names: chain ids ({@code acme/falcon-7b}) and identity names
 * ({@code acme/release-bot}). Immutable.
 *
 * <pre>
 * pattern  = segment *( "/" segment )
 * segment  = "**"                  any number of whole segments, none included
 *          | 1*( char | "*" )      "*" matches any run of characters within one segment
 * char     = ALPHA / DIGIT / "." / "_" / "-"
 * </pre>
 *
 * Examples: {@code acme/*} matches {@code acme/falcon} but not {@code acme/x/y} nor {@code acme};
 * {@code acme/**} matches {@code acme}, {@code acme/falcon} and {@code acme/x/y};
 * {@code acme/approver-*} matches {@code acme/approver-1}; {@code *} matches every one-segment name;
 * {@code **} matches every name. Matching is case-sensitive, like chain ids and identity names.
 *
 * <p>Matching is by segments, without regular expressions: linear in the name for each segment
 * glob, so a hostile chain id cannot make it slow (no backtracking blow-up).
 */
public final class NamePattern {
  /** Longest pattern accepted: the longest chain id is 8 segments of 64 characters. */
  public static final int MAX_LENGTH = 600;
  private static final Pattern SEGMENT = Pattern.compile("\\*\\*|[A-Za-z0-9._*-]+");

  private final String text;
  private final List<String> segments;

  private NamePattern(String text) {
    this.text = text;
    this.segments = List.of(text.split("/", -1));
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException saying what a pattern looks like
   */
  public static NamePattern parse(String text) {
    Objects.requireNonNull(text, "pattern");
    String hint = " (segments of letters, digits, '.', '_', '-' and '*' separated by '/'; '**' alone as a segment"
        + " matches any number of segments; e.g. acme/*, acme/**, acme/approver-*)";
    if (text.isEmpty() || text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a name pattern has 1 to " + MAX_LENGTH + " characters" + hint);
    }
    String previous = "";
    for (String s : text.split("/", -1)) {
      if (!SEGMENT.matcher(s).matches() || (s.contains("**") && !s.equals("**"))) {
        throw new IllegalArgumentException("bad segment '" + s + "'" + hint);
      }
      if (s.equals("**") && previous.equals("**")) {
        // "**/**" means "**"; refusing it keeps matching cost at one "**" per run of segments.
        throw new IllegalArgumentException("'**/**' is the same as '**': write it once" + hint);
      }
      previous = s;
    }
    return new NamePattern(text);
  }

  /** Whether {@code name} matches this pattern. */
  public boolean matches(String name) {
    Objects.requireNonNull(name, "name");
    String[] parts = name.split("/", -1);
    return match(0, parts, 0);
  }

  /** Whether this pattern has no wildcard, i.e. names exactly one name. */
  public boolean isLiteral() {
    return text.indexOf('*') < 0;
  }

  private boolean match(int pi, String[] name, int ni) {
    // Segment-level matching; "**" tries each number of segments it could take. With k "**" segments
    // this is O(n^k) in the number of segments n <= 8 of a name: bounded and small.
    while (pi < segments.size()) {
      String seg = segments.get(pi);
      if (seg.equals("**")) {
        for (int take = 0; ni + take <= name.length; take++) {
          if (match(pi + 1, name, ni + take)) {
            return true;
          }
        }
        return false;
      }
      if (ni >= name.length || !glob(seg, name[ni])) {
        return false;
      }
      pi++;
      ni++;
    }
    return ni == name.length;
  }

  /** Wildcard match of one segment, '*' = any run of characters; greedy with one backtrack point, O(n·m). */
  static boolean glob(String pattern, String s) {
    int p = 0;
    int i = 0;
    int star = -1;
    int mark = 0;
    while (i < s.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == s.charAt(i)) {
        p++;
        i++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = i;
      } else if (star >= 0) {
        p = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamePattern n && n.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The pattern as written. */
  @Override
  public String toString() {
    return text;
  }
}
