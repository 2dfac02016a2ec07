package dev.custody.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.TestEntries;
import dev.custody.core.entry.EntryRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
  @TempDir Path dir;

  private final List<RawRecord> records = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();
  private final LogReader.Visitor visitor = new LogReader.Visitor() {
    @Override
    public void record(RawRecord r) {
      records.add(r);
    }

    @Override
    public void segmentIndexMismatch(Path segment, long declared, long actual) {
      mismatches.add(segment.getFileName() + " declared " + declared + " actual " + actual);
    }
  };

  private Path ledger() throws IOException {
    Files.writeString(dir.resolve("ledger.json"), "{\"format\":\"custody/ledger/v1\"}\n");
    Files.createDirectories(dir.resolve("segments"));
    return dir;
  }

  private Path segment(long first, byte[]... lines) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] l : lines) {
      out.write(l);
      out.write('\n');
    }
    Path p = dir.resolve("segments").resolve(LedgerLayout.segmentName(first));
    Files.write(p, out.toByteArray());
    return p;
  }

  @Test
  void readAll_threeRecords_indicesLinesOffsetsAndExactBytes() throws Exception {
    ledger();
    byte[] r0 = TestEntries.record(0);
    byte[] r1 = TestEntries.record(1);
    byte[] r2 = TestEntries.record(2);
    Path seg = segment(0, r0, r1, r2);
    assertThat(seg.getFileName().toString()).isEqualTo("00000000000000000000.jsonl");

    assertThat(LogReader.readAll(dir, visitor)).isEqualTo(3);
    assertThat(records).extracting(RawRecord::logIndex).containsExactly(0L, 1L, 2L);
    assertThat(records).extracting(RawRecord::line).containsExactly(1L, 2L, 3L);
    assertThat(records).extracting(RawRecord::offset)
        .containsExactly(0L, (long) r0.length + 1, (long) r0.length + r1.length + 2);
    assertThat(records).allMatch(RawRecord::terminated).noneMatch(RawRecord::oversize);
    assertThat(records.get(1).bytes()).isEqualTo(r1);
    assertThat(EntryRecord.parse(records.get(2).bytes(), records.get(2).where()).payload("x"))
        .isEqualTo(TestEntries.payload(2));
    assertThat(records.get(1).where()).isEqualTo("segments/00000000000000000000.jsonl line 2 (log index 1)");
    assertThat(mismatches).isEmpty();
  }

  @Test
  void readAll_tornTailWithoutNewline_reportedUnterminated() throws Exception {
    ledger();
    Path seg = segment(0, TestEntries.record(0));
    byte[] torn = java.util.Arrays.copyOf(TestEntries.record(1), 40);
    Files.write(seg, torn, java.nio.file.StandardOpenOption.APPEND);

    assertThat(LogReader.readAll(dir, visitor)).as("next index counts only terminated lines").isEqualTo(1);
    assertThat(records).hasSize(2);
    assertThat(records.get(0).terminated()).isTrue();
    RawRecord tail = records.get(1);
    assertThat(tail.terminated()).isFalse();
    assertThat(tail.bytes()).isEqualTo(torn);
    assertThat(tail.logIndex()).isEqualTo(1);
    assertThat(tail.line()).isEqualTo(2);
  }

  @Test
  void readSegment_tornTail_positionAfterLastTerminatedLine() throws Exception {
    ledger();
    byte[] r0 = TestEntries.record(0);
    Path seg = segment(0, r0);
    Files.write(seg, new byte[] {'{', '"'}, java.nio.file.StandardOpenOption.APPEND);
    LogReader.Position pos = LogReader.readSegment(seg, 0, 0, 1, visitor);
    assertThat(pos).isEqualTo(new LogReader.Position(1, r0.length + 1, 2));
  }

  @Test
  void readSegment_fromOffset_resumesWithGivenIndexAndLine() throws Exception {
    ledger();
    byte[] r0 = TestEntries.record(0);
    byte[] r1 = TestEntries.record(1);
    Path seg = segment(0, r0, r1);
    LogReader.Position pos = LogReader.readSegment(seg, r0.length + 1, 1, 2, visitor);
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.bytes()).isEqualTo(r1);
      assertThat(r.logIndex()).isEqualTo(1);
      assertThat(r.line()).isEqualTo(2);
      assertThat(r.offset()).isEqualTo(r0.length + 1);
    });
    assertThat(pos.endOffset()).isEqualTo(Files.size(seg));
  }

  @Test
  void readAll_oversizeLine_skippedWithBoundedMemoryAndNextLineRead() throws Exception {
    ledger();
    Path seg = dir.resolve("segments").resolve(LedgerLayout.segmentName(0));
    long big = 4L * EntryRecord.MAX_RECORD_BYTES + 7;
    byte[] r1 = TestEntries.record(1);
    try (OutputStream out = Files.newOutputStream(seg)) {
      byte[] chunk = new byte[1 << 16];
      java.util.Arrays.fill(chunk, (byte) 'x');
      for (long w = 0; w < big; w += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, big - w));
      }
      out.write('\n');
      out.write(r1);
      out.write('\n');
    }
    assertThat(LogReader.readAll(dir, visitor)).isEqualTo(2);
    RawRecord over = records.get(0);
    assertThat(over.oversize()).isTrue();
    assertThat(over.bytes()).as("an oversize line is not buffered").isNull();
    assertThat(over.terminated()).isTrue();
    assertThat(records.get(1).bytes()).isEqualTo(r1);
    assertThat(records.get(1).offset()).isEqualTo(big + 1);
    assertThat(records.get(1).line()).isEqualTo(2);
  }

  @Test
  void readAll_lineExactlyAtLimit_notOversize() throws Exception {
    ledger();
    byte[] line = new byte[EntryRecord.MAX_RECORD_BYTES];
    java.util.Arrays.fill(line, (byte) 'y');
    byte[] over = java.util.Arrays.copyOf(line, line.length + 1);
    over[line.length] = 'y';
    segment(0, line, over);
    LogReader.readAll(dir, visitor);
    assertThat(records.get(0).oversize()).isFalse();
    assertThat(records.get(0).bytes()).hasSize(EntryRecord.MAX_RECORD_BYTES);
    assertThat(records.get(1).oversize()).isTrue();
  }

  @Test
  void readAll_segmentNameDisagreesWithCount_mismatchReportedAndReadingGoesOn() throws Exception {
    ledger();
    segment(0, TestEntries.record(0), TestEntries.record(1));
    segment(5, TestEntries.record(2));
    assertThat(LogReader.readAll(dir, visitor)).isEqualTo(3);
    assertThat(mismatches).containsExactly("00000000000000000005.jsonl declared 5 actual 2");
    assertThat(records.get(2).logIndex()).isEqualTo(2);
    assertThat(records.get(2).line()).isEqualTo(1);
  }

  @Test
  void readAll_segmentsInIndexOrder_consecutiveNoMismatch() throws Exception {
    ledger();
    segment(2, TestEntries.record(2));
    segment(0, TestEntries.record(0), TestEntries.record(1));
    assertThat(LogReader.readAll(dir, visitor)).isEqualTo(3);
    assertThat(mismatches).isEmpty();
    assertThat(records).extracting(r -> r.segment().getFileName().toString())
        .containsExactly("00000000000000000000.jsonl", "00000000000000000000.jsonl", "00000000000000000002.jsonl");
  }

  @Test
  void readAll_strayFileInSegments_rejectedNamingIt() throws Exception {
    ledger();
    segment(0, TestEntries.record(0));
    Files.writeString(dir.resolve("segments").resolve("notes.txt"), "hi");
    assertThatThrownBy(() -> LogReader.readAll(dir, visitor))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("notes.txt")
        .hasMessageContaining("unexpected file in the segments directory");
  }

  @Test
  void readAll_segmentWithShortName_rejected() throws Exception {
    ledger();
    Files.writeString(dir.resolve("segments").resolve("0.jsonl"), "");
    assertThatThrownBy(() -> LogReader.readAll(dir, visitor)).hasMessageContaining("0.jsonl");
  }

  @Test
  void readAll_noMarkerOrWrongFormat_rejected() throws Exception {
    assertThatThrownBy(() -> LogReader.readAll(dir, visitor)).hasMessageContaining("not a custody ledger");
    Files.writeString(dir.resolve("ledger.json"), "{\"format\":\"custody/ledger/v2\"}");
    assertThatThrownBy(() -> LogReader.readAll(dir, visitor)).hasMessageContaining("unsupported ledger format");
    assertThatThrownBy(() -> LogReader.readAll(dir.resolve("missing"), visitor))
        .hasMessageContaining("directory does not exist");
  }

  @Test
  void readAll_emptyLedger_zeroRecords() throws Exception {
    ledger();
    assertThat(LogReader.readAll(dir, visitor)).isZero();
    assertThat(records).isEmpty();
  }
}
