package dev.custody.core.manifest;

import dev.custody.core.FormatException;
import dev.custody.core.internal.text.CodePointOrder;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * Resource naming rules of the OpenSSF model-signing (OMS) v1.0 manifest.
 *
 * <h2>Paths (OMS §6.1.2)</h2>
 * A resource path is the file's path relative to the model root, components joined by {@code /}:
 * not empty, no leading or trailing {@code /}, no empty component ({@code //}), no {@code .} or
 * {@code ..} component, no NUL, no unpaired UTF-16 surrogate (so it encodes losslessly to UTF-8), no
 * U+FFFD (the mark of a file name the JVM could not decode). Case is significant. A file name may
 * contain {@code :} and {@code \}: they are ordinary characters on POSIX file systems.
 *
 * <h2>Shard names (OMS §6.3.2)</h2>
 * {@code <path>:<start>:<end>}, start inclusive and end exclusive, both decimal without sign or
 * leading zeros. Because a path may itself contain {@code :}, the offsets are the <em>last two</em>
 * colon-separated fields.
 *
 * <h2>Order</h2>
 * The canonical order is the one the reference implementation ({@code sigstore/model-transparency},
 * {@code manifest.py}) produces, because the root digest (§6.5.1) hashes resources in that order:
 * paths compare component by component, each component by Unicode code point (Python's
 * {@code PurePosixPath} ordering), and shards of the same path by start offset <em>as a number</em>,
 * then end offset (Python's {@code order=True} dataclass over {@code (path, start, end)}). This is
 * not plain string order: {@code f:7:14} sorts before {@code f:14:21}, and {@code a/b} before
 * {@code a-b} (a component boundary sorts before every character).
 */
public final class ResourceNames {
  /** Separator between path components in a resource name. */
  public static final char SEPARATOR = '/';
  /** Longest resource name accepted, in UTF-16 units; far above any file system's path limit. */
  public static final int MAX_NAME_LENGTH = 16 * 1024;

  /** Compares resource paths (no shard suffix) in canonical order. */
  public static final Comparator<String> PATH_ORDER = ResourceNames::comparePaths;

  private ResourceNames() {}

  /**
   * Checks that {@code path} is a canonical resource path.
   *
   * @throws IllegalArgumentException saying which rule {@code path} breaks
   */
  public static String checkPath(String path) {
    String problem = pathProblem(path);
    if (problem != null) {
      throw new IllegalArgumentException("invalid resource path '" + printable(path) + "': " + problem);
    }
    return path;
  }

  /** The rule {@code path} breaks, or null if it is canonical. */
  static @Nullable String pathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return "empty";
    }
    if (path.length() > MAX_NAME_LENGTH) {
      return "longer than " + MAX_NAME_LENGTH + " characters";
    }
    if (path.charAt(0) == SEPARATOR) {
      return "absolute (must be relative to the model root)";
    }
    if (path.charAt(path.length() - 1) == SEPARATOR) {
      return "trailing '/'";
    }
    int start = 0;
    while (start <= path.length()) {
      int end = path.indexOf(SEPARATOR, start);
      if (end < 0) {
        end = path.length();
      }
      String component = path.substring(start, end);
      if (component.isEmpty()) {
        return "empty component ('//')";
      }
      if (component.equals(".") || component.equals("..")) {
        return "'" + component + "' component (paths must be normalized)";
      }
      start = end + 1;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == 0) {
        return "NUL character";
      }
      if (c == '\uFFFD') {
        return "U+FFFD replacement character (the file name was not valid in the JVM's file name encoding '"
            + System.getProperty("sun.jnu.encoding") + "'; run with a UTF-8 locale)";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= path.length() || !Character.isLowSurrogate(path.charAt(i + 1))) {
          return "unpaired surrogate (not representable in UTF-8)";
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return "unpaired surrogate (not representable in UTF-8)";
      }
    }
    return null;
  }

  /** The shard name {@code path:start:end}. */
  public static String shardName(String path, long start, long end) {
    checkPath(path);
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("invalid shard range [" + start + ", " + end + ") of '" + printable(path) + "'");
    }
    return path + ':' + start + ':' + end;
  }

  /** A parsed shard name. */
  public record Shard(String path, long start, long end) {
    public Shard {
      checkPath(path);
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("invalid shard range [" + start + ", " + end + ")");
      }
    }

    public long length() {
      return end - start;
    }

    @Override
    public String toString() {
      return path + ':' + start + ':' + end;
    }
  }

  /**
   * Parses {@code path:start:end}, taking the offsets from the last two {@code :}-separated fields.
   *
   * @throws FormatException naming the shard and what is wrong
   */
  public static Shard parseShard(String name) throws FormatException {
    int second = name.lastIndexOf(':');
    int first = second <= 0 ? -1 : name.lastIndexOf(':', second - 1);
    if (first <= 0) {
      throw new FormatException("shard name '" + printable(name) + "' is not <path>:<start>:<end>");
    }
    String path = name.substring(0, first);
    long start = parseOffset(name, name.substring(first + 1, second));
    long end = parseOffset(name, name.substring(second + 1));
    String problem = pathProblem(path);
    if (problem != null) {
      throw new FormatException("shard name '" + printable(name) + "': invalid path: " + problem);
    }
    if (end <= start) {
      throw new FormatException("shard name '" + printable(name) + "': end " + end + " is not after start " + start);
    }
    return new Shard(path, start, end);
  }

  private static long parseOffset(String name, String digits) throws FormatException {
    // Decimal, no sign, no leading zeros: the reference writes Python ints with str().
    boolean ok = !digits.isEmpty() && digits.length() <= 18 && (digits.equals("0") || digits.charAt(0) != '0');
    for (int i = 0; ok && i < digits.length(); i++) {
      char c = digits.charAt(i);
      ok = c >= '0' && c <= '9';
    }
    if (!ok) {
      throw new FormatException("shard name '" + printable(name) + "': offset '" + printable(digits)
          + "' is not a decimal integer without sign or leading zeros");
    }
    return Long.parseLong(digits);
  }

  /**
   * Canonical order of two paths: component by component, components by code point
   * ({@link CodePointOrder}); a path that is a proper prefix of the other's components sorts first.
   */
  static int comparePaths(String a, String b) {
    int i = 0;
    int j = 0;
    while (true) {
      int ei = endOfComponent(a, i);
      int ej = endOfComponent(b, j);
      int c = CodePointOrder.compare(a, i, ei, b, j, ej);
      if (c != 0) {
        return c;
      }
      boolean moreA = ei < a.length();
      boolean moreB = ej < b.length();
      if (!moreA || !moreB) {
        return Boolean.compare(moreA, moreB);
      }
      i = ei + 1;
      j = ej + 1;
    }
  }

  private static int endOfComponent(String path, int from) {
    int end = path.indexOf(SEPARATOR, from);
    return end < 0 ? path.length() : end;
  }

  /** Canonical order of two shards: path, then start and end as numbers. */
  static int compareShards(Shard a, Shard b) {
    int c = comparePaths(a.path(), b.path());
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.start(), b.start());
    return c != 0 ? c : Long.compare(a.end(), b.end());
  }

  /** {@code s} with control characters escaped and cut at 200 characters, for error messages. */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.length() >= 200 ? out + "..." : out.toString();
  }

  /**
   * {@code p}'s resource-style path below {@code root} ('/' separators), if it lies strictly inside
   * it; used to leave a ledger or an ignore path that sits inside a model out of its manifest.
   *
   * @param root an absolute, normalized directory
   */
  public static java.util.Optional<String> relativeInside(java.nio.file.Path root, java.nio.file.Path p) {
    java.nio.file.Path abs = p.toAbsolutePath().normalize();
    if (!abs.startsWith(root) || abs.equals(root)) {
      return java.util.Optional.empty();
    }
    java.util.List<String> parts = new java.util.ArrayList<>();
    root.relativize(abs).forEach(x -> parts.add(x.toString()));
    return java.util.Optional.of(String.join("/", parts));
  }
}
