package dev.custody.core.ledger;

import dev.custody.core.FormatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The on-disk layout of a file ledger (format {@value #FORMAT}):
 *
 * <pre>
 * DIR/ledger.json                      {"format":"custody/ledger/v1"}: marks the directory as a ledger
 * DIR/lock                             held (OS file lock) by a process while it appends
 * DIR/segments/NNNNNNNNNNNNNNNNNNNN.jsonl  entry records, one per line ('\n'-terminated), in log order;
 *                                      NNN… = log index of the segment's first record, 20 digits
 * </pre>
 *
 * A record line is the exact bytes of an entry's JWS ({@link dev.custody.core.entry.EntryRecord});
 * the line's position in the concatenated segments is the entry's log index (from 0), which is also
 * its Merkle leaf index. Only the last segment may end in a line without '\n' (a torn write).
 */
public final class LedgerLayout {
  public static final String FORMAT = "custody/ledger/v1";
  public static final String MARKER = "ledger.json";
  public static final String LOCK = "lock";
  public static final String SEGMENTS = "segments";
  public static final String SEGMENT_SUFFIX = ".jsonl";
  private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9]{20}\\.jsonl");

  private LedgerLayout() {}

  /** File name of the segment whose first record has log index {@code firstIndex}. */
  public static String segmentName(long firstIndex) {
    return String.format("%020d%s", firstIndex, SEGMENT_SUFFIX);
  }

  /** The first log index a segment's name declares. */
  public static long firstIndexOf(Path segment) {
    return Long.parseLong(segment.getFileName().toString().substring(0, 20));
  }

  /**
   * Checks that {@code dir} is a ledger.
   *
   * @throws FormatException saying what is missing and how to create a ledger
   */
  public static void requireLedger(Path dir) throws FormatException {
    if (!Files.isDirectory(dir)) {
      throw new FormatException("no ledger at " + dir + " (directory does not exist; run 'custody init --ledger "
          + dir + "' or set CUSTODY_LEDGER)");
    }
    Path marker = dir.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      throw new FormatException(dir + " is not a custody ledger (no " + MARKER + "; run 'custody init --ledger "
          + dir + "')");
    }
    try {
      String text = Files.readString(marker).strip();
      if (!text.equals("{\"format\":\"" + FORMAT + "\"}")) {
        throw new FormatException(marker + ": unsupported ledger format " + text + " (this custody reads " + FORMAT + ")");
      }
    } catch (IOException e) {
      throw new FormatException("cannot read " + marker + ": " + e.getMessage(), e);
    }
  }

  /**
   * The segment files in log order.
   *
   * @throws FormatException if a file in {@code segments/} is not a segment
   */
  public static List<Path> segments(Path dir) throws IOException, FormatException {
    Path segDir = dir.resolve(SEGMENTS);
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(segDir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(segDir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!SEGMENT_NAME.matcher(name).matches()) {
          throw new FormatException(p + ": unexpected file in the segments directory (segment files are named"
              + " <20-digit first log index>.jsonl); move it out of the ledger");
        }
        out.add(p);
      }
    }
    out.sort(null);
    return out;
  }
}
