package dev.custody.core.internal.ledger;

import dev.custody.core.FormatException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Merkle hash tile's path in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles §Merkle Tree):
 *
 * <pre>
 *   path  = "tile/" L "/" N [ ".p/" W ]
 *   L     = "0" / %x31-39 *DIGIT             ; level 0..63, no leading zeros
 *   N     = *( "x" 3DIGIT "/" ) 3DIGIT       ; tile index, zero-padded 3-digit groups, all but the last x-prefixed
 *   W     = %x31-39 *2DIGIT                  ; width of a partial tile, 1..255
 * </pre>
 *
 * A tile at level {@code L} holds up to {@value #WIDTH} consecutive hashes of tree level
 * {@code 8 * L} ({@value #HEIGHT} tree levels per tile level): tile {@code N} of level {@code L}
 * holds the nodes {@code (8L, 256N + i)}, each 32 bytes, concatenated. A full tile has width
 * {@value #WIDTH}; the path of a full tile has no {@code .p/W} suffix.
 *
 * @param level tile level {@code L}
 * @param index tile index {@code N}
 * @param width number of hashes, 1..256; 256 is a full tile
 */
public record TilePath(int level, long index, int width) {
  /** Tree levels per tile level (tlog-tiles fixes it at 8). */
  public static final int HEIGHT = 8;
  /** Hashes in a full tile: 2^HEIGHT. */
  public static final int WIDTH = 1 << HEIGHT;
  /** Highest tile level the spec allows. */
  public static final int MAX_LEVEL = 63;

  private static final Pattern PATH = Pattern.compile(
      "tile/(0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\\.p/([1-9][0-9]{0,2}))?");

  public TilePath {
    if (level < 0 || level > MAX_LEVEL) {
      throw new IllegalArgumentException("tile level must be in 0.." + MAX_LEVEL + ", got " + level);
    }
    if (index < 0) {
      throw new IllegalArgumentException("tile index must be >= 0, got " + index);
    }
    if (width < 1 || width > WIDTH) {
      throw new IllegalArgumentException("tile width must be in 1.." + WIDTH + ", got " + width);
    }
  }

  /** The full tile {@code (level, index)}. */
  public static TilePath full(int level, long index) {
    return new TilePath(level, index, WIDTH);
  }

  public boolean isFull() {
    return width == WIDTH;
  }

  /** The path, e.g. {@code tile/0/x001/x234/067.p/5}, with '/' separators. */
  public String path() {
    StringBuilder sb = new StringBuilder("tile/").append(level).append('/');
    String digits = Long.toString(index);
    int groups = Math.max(1, (digits.length() + 2) / 3);
    String padded = "0".repeat(groups * 3 - digits.length()) + digits;
    for (int g = 0; g < groups; g++) {
      if (g < groups - 1) {
        sb.append('x');
      }
      sb.append(padded, g * 3, g * 3 + 3);
      if (g < groups - 1) {
        sb.append('/');
      }
    }
    if (!isFull()) {
      sb.append(".p/").append(width);
    }
    return sb.toString();
  }

  /**
   * Parses a tile path.
   *
   * @throws FormatException if it does not follow the grammar exactly, or the index overflows a long
   */
  public static TilePath parse(String path) throws FormatException {
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      throw new FormatException("'" + path + "' is not a tlog-tiles hash tile path tile/<L>/<N>[.p/<W>]");
    }
    int level = Integer.parseInt(m.group(1));
    String n = m.group(2).replace("x", "").replace("/", "");
    int width = m.group(3) == null ? WIDTH : Integer.parseInt(m.group(3));
    if (level > MAX_LEVEL || (m.group(3) != null && width >= WIDTH)) {
      throw new FormatException("'" + path + "': level must be 0.." + MAX_LEVEL + " and width 1.." + (WIDTH - 1));
    }
    long index;
    try {
      index = Long.parseLong(n);
    } catch (NumberFormatException e) {
      throw new FormatException("'" + path + "': tile index exceeds 2^63 - 1", e);
    }
    // Zero-padded groups admit non-canonical forms such as x000/001 for 1: reject them.
    TilePath t = new TilePath(level, index, width);
    if (!t.path().equals(path)) {
      throw new FormatException("'" + path + "' is not the canonical path of tile " + level + "/" + index
          + " (expected " + t.path() + ")");
    }
    return t;
  }

  @Override
  public String toString() {
    return path();
  }
}
