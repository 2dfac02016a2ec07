package dev.custody.core.ledger;

import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      ch.position(offset);
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), BUFFER);
      ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
      long index = firstIndex;
      long lineNo = firstLine;
      long lineStart = offset;
      long pos = offset;
      long endOffset = offset;
      boolean oversize = false;
      int b;
      while ((b = in.read()) != -1) {
        pos++;
        if (b == '\n') {
          visitor.record(new RawRecord(index, segment, lineNo, lineStart, oversize ? null : line.toByteArray(),
              oversize, true));
          index++;
          lineNo++;
          lineStart = pos;
          endOffset = pos;
          line.reset();
          oversize = false;
        } else if (!oversize) {
          if (line.size() >= EntryRecord.MAX_RECORD_BYTES) {
            oversize = true;
            line.reset();
          } else {
            line.write(b);
          }
        }
      }
      if (pos > lineStart) {
        visitor.record(new RawRecord(index, segment, lineNo, lineStart, oversize ? null : line.toByteArray(),
            oversize, false));
      }
      return new Position(index, endOffset, lineNo);
    }
  }
}
