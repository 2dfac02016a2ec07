package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.FileLogStoreTest.segments;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.entry.EntryRecord;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileLogStore#read(long, long, LogStore.RecordReceiver)} (many records per read) against
 * {@link FileLogStore#read(long)} one by one on the same ledger: the same records in the same order,
 * and on a damaged ledger the same records before the same error.
 */
class FileLogStoreBulkReadTest {
  @TempDir Path dir;

  /** What reading {@code [from, to)} gave: the records' bytes, then the error that stopped it, if any. */
  private record Outcome(List<String> records, String error) {}

  private static Outcome oneByOne(LogStore s, long from, long to) {
    List<String> got = new ArrayList<>();
    try {
      for (long i = from; i < to; i++) {
        got.add(i + " " + text(s.read(i)));
      }
    } catch (Exception e) {
      return new Outcome(got, e.getClass().getName() + ": " + e.getMessage());
    }
    return new Outcome(got, null);
  }

  private static Outcome bulk(LogStore s, long from, long to) {
    List<String> got = new ArrayList<>();
    try {
      s.read(from, to, (i, rec) -> got.add(i + " " + text(rec)));
    } catch (Exception e) {
      return new Outcome(got, e.getClass().getName() + ": " + e.getMessage());
    }
    return new Outcome(got, null);
  }

  private static String text(EntryRecord rec) {
    return new String(rec.bytes().toByteArray(), StandardCharsets.US_ASCII);
  }

  /**
   * A closed ledger of {@code n} entries over three chains in segments of about {@code segmentBytes}
   * (a segment ends after a commit: small segments are written one entry per commit).
   */
  private void ledger(int n, long segmentBytes) throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir, segmentBytes)) {
      List<CompletableFuture<LogStore.Appended>> acks = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        acks.add(s.append("c" + i % 3, maker("c" + i % 3, "t")));
        if (segmentBytes < FileLogStore.DEFAULT_SEGMENT_BYTES) {
          await(acks.get(i));
        }
      }
      for (CompletableFuture<LogStore.Appended> a : acks) {
        await(a);
      }
    }
  }

  private void assertSame(LogStore s, long from, long to) {
    Outcome expected = oneByOne(s, from, to);
    assertThat(bulk(s, from, to)).as("[%d, %d)", from, to).isEqualTo(expected);
  }

  @Test
  void read_rangesWithinAndAcrossSegments_sameRecordsAsOneByOne() throws Exception {
    ledger(40, 4096);
    assertThat(segments(dir)).hasSizeGreaterThan(3);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      for (long[] r : new long[][] {{0, 40}, {0, 1}, {5, 6}, {3, 31}, {39, 40}, {7, 7}}) {
        assertSame(s, r[0], r[1]);
      }
      assertThat(oneByOne(s, 0, 40).error()).isNull();
    }
  }

  /** More than one read's worth (1 MiB) of records in one segment: runs end on a record boundary. */
  @Test
  void read_moreThanOneReadOfRecords_sameRecordsAsOneByOne() throws Exception {
    ledger(2_600, FileLogStore.DEFAULT_SEGMENT_BYTES);
    assertThat(Files.size(segments(dir).get(0))).isGreaterThan(1 << 20);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertSame(s, 0, 2_600);
      assertSame(s, 1, 2_599);
    }
  }

  @Test
  void read_pastTheEnd_sameRecordsThenSameError() throws Exception {
    ledger(10, 4096);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      Outcome o = bulk(s, 6, 12);
      assertThat(o.records()).hasSize(4);
      assertThat(o.error()).contains("IndexOutOfBoundsException").contains("log index 10");
      assertSame(s, 6, 12);
      assertSame(s, -1, 3);
    }
  }

  /** A middle record re-signed in place (same length): the records before it, then the index mismatch. */
  @Test
  void read_recordAlteredAfterIndexing_sameRecordsThenSameError() throws Exception {
    ledger(12, FileLogStore.DEFAULT_SEGMENT_BYTES);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      Path seg = segments(dir).get(0);
      List<String> lines = new ArrayList<>(Files.readAllLines(seg));
      String l = lines.get(5);
      int at = l.indexOf("\"signature\":\"") + 14;
      lines.set(5, l.substring(0, at) + (l.charAt(at) == 'A' ? 'B' : 'A') + l.substring(at + 1));
      Files.write(seg, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
      Outcome o = bulk(s, 0, 12);
      assertThat(o.records()).hasSize(5);
      assertThat(o.error()).contains("log index 5").contains("differs from the one indexed");
      assertSame(s, 0, 12);
    }
  }

  /** A middle record overwritten with junk of the same length: the records before it, then the parse error. */
  @Test
  void read_recordOverwrittenWithJunk_sameRecordsThenSameError() throws Exception {
    ledger(12, FileLogStore.DEFAULT_SEGMENT_BYTES);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      Path seg = segments(dir).get(0);
      List<String> lines = new ArrayList<>(Files.readAllLines(seg));
      lines.set(7, "x".repeat(lines.get(7).length()));
      Files.write(seg, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
      Outcome o = bulk(s, 2, 12);
      assertThat(o.records()).hasSize(5);
      assertThat(o.error()).contains("log index 7");
      assertSame(s, 2, 12);
    }
  }

  /** The segment cut short after the store opened, inside a record or right at a boundary. */
  @Test
  void read_segmentTruncatedAfterOpen_sameRecordsThenSameError() throws Exception {
    ledger(12, FileLogStore.DEFAULT_SEGMENT_BYTES);
    Path seg = segments(dir).get(0);
    List<String> lines = Files.readAllLines(seg);
    long boundary = 0;
    for (int i = 0; i < 9; i++) {
      boundary += lines.get(i).length() + 1;
    }
    for (long cut : new long[] {boundary + 40, boundary, boundary - 1}) {
      try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
        byte[] whole = Files.readAllBytes(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
          f.setLength(cut);
        }
        try {
          Outcome o = bulk(s, 0, 12);
          assertThat(o.error()).as("cut at %d", cut).contains("ended before log index");
          assertSame(s, 0, 12);
          assertSame(s, 4, 11);
        } finally {
          Files.write(seg, whole);
        }
      }
    }
  }

  /** The segment replaced by a link to a copy of itself after the store opened: refused as one by one refuses it. */
  @Test
  void read_segmentReplacedByLinkAfterOpen_sameError() throws Exception {
    ledger(12, FileLogStore.DEFAULT_SEGMENT_BYTES);
    Path seg = segments(dir).get(0);
    Path copy = dir.resolveSibling(dir.getFileName() + "-copy.jsonl");
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      Files.copy(seg, copy);
      Files.delete(seg);
      Files.createSymbolicLink(seg, copy);
      Outcome o = bulk(s, 0, 12);
      assertThat(o.records()).isEmpty();
      assertThat(o.error()).isNotNull();
      assertSame(s, 0, 12);
    } finally {
      Files.deleteIfExists(seg);
      Files.move(copy, seg);
    }
  }

  /**
   * An index row changed after the store mapped it, to claim a record longer than any record may be,
   * or one that ends before it starts: the records before it, then the error one by one gives.
   */
  @Test
  void read_indexRowWithImpossibleLengthAfterOpen_sameRecordsThenSameError() throws Exception {
    ledger(12, FileLogStore.DEFAULT_SEGMENT_BYTES);
    Path rows = RecordIndex.rowFile(dir, segments(dir).get(0));
    byte[] whole = Files.readAllBytes(rows);
    for (long end : new long[] {Long.MAX_VALUE / 2, 3}) {
      try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
        byte[] damaged = whole.clone();
        java.nio.ByteBuffer.wrap(damaged).putLong(6 * RecordIndex.ROW_BYTES, end); // row 6's end offset
        writeInPlace(rows, damaged); // the store's mapping sees it
        try {
          Outcome o = bulk(s, 0, 12);
          assertThat(o.records()).as("end %d", end).hasSize(6);
          assertThat(o.error()).contains("impossible length");
          assertSame(s, 0, 12);
          assertSame(s, 6, 12);
        } finally {
          writeInPlace(rows, whole);
        }
      }
    }
  }

  private static void writeInPlace(Path f, byte[] bytes) throws java.io.IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes), 0);
    }
  }
}
