package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogBackend.RecordVisitor;
import dev.custody.attest.internal.store.RecordIndex.Segment;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LogReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads of a file ledger's records through its {@link RecordIndex}: one record, a run of records
 * with one read system call per run, or the raw bytes of a range for a tree rebuild. Every record
 * handed out is parsed and its hash compared with the one indexed when it was appended, so a
 * segment changed after indexing (or a damaged index) is an error, never a silent substitute.
 * Part of {@link FileBackend}; guarded by the index's monitor as described there.
 */
final class IndexedReads {
  private final Path dir;
  private final LedgerFiles files;
  private final RecordIndex index;

  IndexedReads(Path dir, LedgerFiles files, RecordIndex index) {
    this.dir = dir;
    this.files = files;
    this.index = index;
  }

  EntryRecord read(long logIndex) throws IOException, FormatException {
    Segment seg;
    int row;
    byte[] expected;
    synchronized (index) {
      if (logIndex < 0 || logIndex >= index.size) {
        throw new IndexOutOfBoundsException("log index " + logIndex + " is not in the ledger (size " + index.size + ")");
      }
      seg = index.segmentOf(logIndex);
      row = (int) (logIndex - seg.firstIndex);
      expected = seg.hash(row);
    }
    return checked(seg, logIndex, readRaw(seg, row), expected);
  }

  /**
   * The record at {@code logIndex} from its bytes {@code raw}, parsed and compared with the hash
   * {@code expected} that the index holds for it.
   */
  private EntryRecord checked(Segment seg, long logIndex, byte[] raw, byte[] expected) throws FormatException {
    String where = "segments/" + seg.path.getFileName() + " (log index " + logIndex + ")";
    EntryRecord rec = EntryRecord.parse(raw, where);
    // The index is derived data: a record whose bytes no longer hash to what was indexed means the
    // segment was changed after indexing (or the index is damaged); never hand out either silently.
    if (!java.security.MessageDigest.isEqual(rec.hash().value().toByteArray(), expected)) {
      throw new FormatException(where + ": the record's hash " + rec.hash() + " differs from the one indexed when it"
          + " was appended; the segment was altered (run 'custody verify') or " + dir.resolve(RecordIndex.DIR)
          + " is damaged (delete it; the next open for writing rebuilds it)");
    }
    return rec;
  }

  /** Most bytes {@link #read(long, long, LogStore.RecordReceiver)} reads at once (it reads whole records). */
  private static final int BULK_READ_BYTES = 1 << 20;

  /**
   * The records at {@code [from, to)} in order, as {@link #read(long)} reads them one by one, with one
   * read system call (and one open) per run of records of up to {@link #BULK_READ_BYTES} in a
   * segment instead of one open and read per record. Whatever is unusual about a record (an index row
   * with an impossible length, a segment that ends early, an index out of range) is left to
   * {@link #read(long)}, so each error is the one reading that record alone gives, after the records
   * before it were handed over.
   */
  void read(long from, long to, LogStore.RecordReceiver receiver) throws IOException, FormatException {
    long next = from;
    while (next < to) {
      Segment seg;
      int row;
      long offset;
      long[] ends;
      byte[][] expected;
      synchronized (index) {
        if (next < 0 || next >= index.size) {
          receiver.record(next, read(next)); // throws the out-of-range error
          next++;
          continue;
        }
        seg = index.segmentOf(next);
        row = (int) (next - seg.firstIndex);
        offset = seg.start(row);
        int max = (int) Math.min(Math.min(to, index.size) - next, seg.rows() - row);
        long[] e = new long[max];
        int n = 0;
        long at = offset;
        while (n < max) {
          long end = seg.end(row + n);
          long length = end - at - 1;
          if (length < 1 || length > EntryRecord.MAX_RECORD_BYTES || (n > 0 && end - offset > BULK_READ_BYTES)) {
            break;
          }
          e[n++] = end;
          at = end;
        }
        ends = Arrays.copyOf(e, n);
        expected = new byte[n][];
        for (int i = 0; i < n; i++) {
          expected[i] = seg.hash(row + i);
        }
      }
      if (ends.length == 0) {
        receiver.record(next, read(next)); // an impossible row: read() names it
        next++;
        continue;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) (ends[ends.length - 1] - offset));
      try (FileChannel ch = files.openRead(seg.path)) {
        while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
          // until full or the end of the file
        }
      }
      byte[] bytes = buf.array();
      long start = offset;
      for (int i = 0; i < ends.length; i++) {
        if (ends[i] - offset > buf.position()) {
          break; // the segment ended early: read() below says so for this record
        }
        byte[] raw = Arrays.copyOfRange(bytes, (int) (start - offset), (int) (ends[i] - 1 - offset));
        receiver.record(next, checked(seg, next, raw, expected[i]));
        start = ends[i];
        next++;
      }
      if (start - offset < ends[ends.length - 1] - offset) {
        receiver.record(next, read(next)); // throws the truncation error (or reads a record appended meanwhile)
        next++;
      }
    }
  }

  /** The bytes of a record (without its newline), located through the index. */
  byte[] readRaw(Segment seg, int row) throws IOException, FormatException {
    long offset;
    long end;
    synchronized (index) {
      offset = seg.start(row);
      end = seg.end(row);
    }
    long length = end - offset - 1;
    if (length < 1 || length > EntryRecord.MAX_RECORD_BYTES) {
      throw new FormatException("segments/" + seg.path.getFileName() + " row " + row + " of the record index has an"
          + " impossible length " + length + "; delete " + dir.resolve(RecordIndex.DIR) + " to rebuild it");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    try (FileChannel ch = files.openRead(seg.path)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new IOException(seg.path + " ended before log index " + (seg.firstIndex + row)
              + " (was the file truncated?)");
        }
      }
    }
    return buf.array();
  }

  /**
   * The bytes of the records at {@code [from, to)}, read from the segments themselves, never from
   * derived data ({@link LogBackend#readRecords}); the caller holds the index monitor (the tree monitor).
   */
  void readRecords(long from, long to, RecordVisitor visitor) throws IOException, FormatException {
    long next = from;
    while (next < to) {
      Segment seg = index.segmentOf(next);
      int row = (int) (next - seg.firstIndex);
      long limit = Math.min(to, seg.firstIndex + seg.rows());
      long[] at = {next};
      LogReader.readSegment(seg.path, seg.start(row), next, row + 1L, raw -> {
        if (raw.terminated() && raw.bytes() != null && raw.logIndex() == at[0] && at[0] < limit) {
          visitor.record(raw.bytes());
          at[0]++;
        }
      });
      if (at[0] != limit) {
        throw new FormatException("ledger " + dir + ": " + seg.path.getFileName() + " ended at log index " + at[0]
            + " while its records up to " + limit + " were being checked; run 'custody verify'");
      }
      next = limit;
    }
  }
}
