package dev.custody.core.internal.ledger;

import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * Streams the record lines of a file ledger in log order with bounded memory: a line is buffered
 * only up to {@link EntryRecord#MAX_RECORD_BYTES}; longer ones are reported as oversize and skipped.
 * Parsing is the caller's business, so a verifier can report a bad record and go on.
 */
public final class LogReader {
  private static final int BUFFER = 1 << 16;

  /** Receives records and layout anomalies, in log order. */
  public interface Visitor {
    void record(RawRecord record) throws IOException;

    /**
     * A segment's name declares a first log index other than the count of records before it
     * (records were removed or added around it). Reading goes on.
     */
    default void segmentIndexMismatch(Path segment, long declared, long actual) throws IOException {}
  }

  private LogReader() {}

  /**
   * Reads every record of the ledger at {@code dir}.
   *
   * @return the number of records read
   */
  public static long readAll(Path dir, Visitor visitor) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    List<Path> segments = LedgerLayout.segments(dir);
    long index = 0;
    for (Path seg : segments) {
      long declared = LedgerLayout.firstIndexOf(seg);
      if (declared != index) {
        visitor.segmentIndexMismatch(seg, declared, index);
      }
      index = readSegment(seg, 0, index, 1, visitor).nextIndex();
    }
    return index;
  }

  /** Where reading a segment stopped: after the last '\n'-terminated line. */
  public record Position(long nextIndex, long endOffset, long nextLine) {}

  /**
   * Reads the lines of one segment from {@code offset}.
   *
   * @param firstIndex log index of the line at {@code offset}
   * @param firstLine its 1-based line number
   * @return the position after the last terminated line (an unterminated tail is still reported to the visitor)
   */
  public static Position readSegment(Path segment, long offset, long firstIndex, long firstLine, Visitor visitor)
      throws IOException {
    try (FileChannel ch = LedgerFiles.openRegularFile(segment)) {
      ch.position(offset);
      InputStream in = Channels.newInputStream(ch);
      byte[] buf = new byte[BUFFER];
      ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
      long index = firstIndex;
      long lineNo = firstLine;
      long lineStart = offset;
      long pos = offset;
      long endOffset = offset;
      boolean oversize = false;
      int n;
      while ((n = in.read(buf)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') {
            continue;
          }
          oversize = append(line, buf, from, i - from, oversize);
          long end = pos + i + 1;
          visitor.record(new RawRecord(index, segment, lineNo, lineStart, oversize ? null : line.toByteArray(),
              oversize, true));
          index++;
          lineNo++;
          lineStart = end;
          endOffset = end;
          line.reset();
          oversize = false;
          from = i + 1;
        }
        oversize = append(line, buf, from, n - from, oversize);
        pos += n;
      }
      if (pos > lineStart) {
        visitor.record(new RawRecord(index, segment, lineNo, lineStart, oversize ? null : line.toByteArray(),
            oversize, false));
      }
      return new Position(index, endOffset, lineNo);
    }
  }

  /**
   * Adds bytes to the line being read unless that would pass the record limit; a line over the
   * limit is dropped (and its remaining bytes skipped) so memory stays bounded.
   *
   * @return whether the line is now oversize
   */
  private static boolean append(ByteArrayOutputStream line, byte[] buf, int from, int len, boolean oversize) {
    if (oversize || len == 0) {
      return oversize;
    }
    if (line.size() + len > EntryRecord.MAX_RECORD_BYTES) {
      line.reset();
      return true;
    }
    line.write(buf, from, len);
    return false;
  }

}
