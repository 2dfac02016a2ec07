package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.TestFixtures.snapshot;
import static dev.custody.attest.internal.store.FileLogStoreTest.segments;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.core.Digest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The persisted record index ({@link RecordIndex}): used when consistent, rebuilt from the segments otherwise. */
class FileLogStoreIndexTest {
  private static final int ROW = RecordIndex.ROW_BYTES;
  @TempDir Path dir;
  @TempDir Path other;

  /** A closed ledger of {@code n} entries over three chains, in segments of about 2 KiB. */
  static List<Appended> ledger(Path dir, int n) throws Exception {
    FileLogStore.create(dir);
    List<Appended> out = new ArrayList<>();
    try (FileLogStore s = FileLogStore.open(dir, 2048)) {
      for (int i = 0; i < n; i++) {
        out.add(await(s.append("c" + i % 3, maker("c" + i % 3, "t"))));
      }
    }
    return out;
  }

  private Path rowFile(int segment) throws Exception {
    return RecordIndex.rowFile(dir, segments(dir).get(segment));
  }

  /** What a store says about the ledger: everything the index answers. */
  static Map<String, Object> view(LogStore s) throws Exception {
    Map<String, Object> v = new TreeMap<>();
    v.put("size", s.size());
    v.put("chains", s.chains());
    for (LogStore.ChainHead h : s.chains()) {
      v.put("indexes " + h.chain(), Arrays.toString(s.chainIndexes(h.chain())));
    }
    for (long i = 0; i < s.size(); i++) {
      Digest h = s.read(i).hash();
      v.put("hash " + i, h);
      v.put("indexOf " + i, s.indexOf(h).orElse(-1));
    }
    v.put("root", s.size() == 0 ? "" : s.rootHash(s.size()));
    return v;
  }

  /** Reopening parses nothing, and the store says what a store built by parsing every record says. */
  static void assertIndexMatchesSegments(Path dir) throws Exception {
    Map<String, Object> indexed;
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).as("records parsed on reopen").isZero();
      indexed = view(s);
    }
    Path moved = dir.resolveSibling(dir.getFileName() + "-index-aside");
    Files.move(dir.resolve(RecordIndex.DIR), moved);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertThat(s.parsedRecords()).isEqualTo(s.size());
      assertThat(view(s)).isEqualTo(indexed);
    } finally {
      Files.move(moved, dir.resolve(RecordIndex.DIR));
    }
  }

  private void assertFaithful(List<Appended> acked, FileLogStore s) throws Exception {
    assertThat(s.size()).isEqualTo(acked.size());
    for (Appended a : acked) {
      assertThat(s.read(a.logIndex()).hash()).isEqualTo(a.hash());
      assertThat(s.indexOf(a.hash())).hasValue(a.logIndex());
      assertThat(s.chainIndexes(a.chain())[(int) a.sequence()]).isEqualTo(a.logIndex());
    }
    Appended next = await(s.append("c0", maker("c0", "t")));
    assertThat(next.logIndex()).isEqualTo(acked.size());
  }

  @Test
  void open_afterAppends_indexWrittenAndReopenParsesNoRecord() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    assertThat(segments(dir)).hasSizeGreaterThan(2);
    for (int i = 0; i < segments(dir).size(); i++) {
      long lines = Files.readAllLines(segments(dir).get(i)).size();
      assertThat(Files.size(rowFile(i))).isEqualTo(lines * ROW);
    }
    assertThat(Files.readAllLines(dir.resolve(RecordIndex.CHAINS))).containsExactly("c0", "c1", "c2");
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).isZero();
      assertThat(s.repairs()).isEmpty();
      assertFaithful(acked, s);
    }
    assertIndexMatchesSegments(dir);
  }

  @Test
  void open_indexDeleted_rebuildsItByParsing() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Map<String, String> before = snapshot(dir);
    FileLogStoreTransparencyTest.deleteTree(dir.resolve(RecordIndex.DIR));
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).isEqualTo(30);
    }
    assertThat(snapshot(dir)).isEqualTo(before);
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).isZero();
      assertFaithful(acked, s);
    }
  }

  /** Each damage of the index is detected; the store answers from the segments and rewrites the index. */
  @ParameterizedTest
  @ValueSource(strings = {"lastRowCutInHalf", "lastRowRemoved", "middleRowByteFlipped", "rowAppended",
      "rowsOfAnotherSegment", "headHashReplacedWithValidCrc", "sequenceRenumberedWithValidCrc", "chainsTableEmptied",
      "chainsTableSwapped", "chainsTableInvalidId", "rowFileEmptied", "zeroRowsAppended"})
  void open_damagedIndex_detectedAnswersFromSegmentsAndRebuilds(String damage) throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Path f = rowFile(segments(dir).size() - 1);
    byte[] rows = Files.readAllBytes(f);
    int n = rows.length / ROW;
    switch (damage) {
      case "lastRowCutInHalf" -> Files.write(f, Arrays.copyOf(rows, rows.length - ROW / 2));
      case "lastRowRemoved" -> Files.write(f, Arrays.copyOf(rows, rows.length - ROW));
      case "middleRowByteFlipped" -> {
        rows[(n / 2) * ROW + 25] ^= 1;
        Files.write(f, rows);
      }
      case "rowAppended" -> Files.write(f, Arrays.copyOfRange(rows, 0, ROW), StandardOpenOption.APPEND);
      case "rowsOfAnotherSegment" -> Files.copy(rowFile(0), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      case "headHashReplacedWithValidCrc" -> {
        rows[(n - 1) * ROW + 30] ^= 1;
        Files.write(f, withCrc(rows, n - 1));
      }
      case "sequenceRenumberedWithValidCrc" -> {
        rows[(n - 1) * ROW + 19] ^= 1;
        Files.write(f, withCrc(rows, n - 1));
      }
      case "chainsTableEmptied" -> Files.write(dir.resolve(RecordIndex.CHAINS), new byte[0]);
      case "chainsTableSwapped" -> Files.writeString(dir.resolve(RecordIndex.CHAINS), "c1\nc0\nc2\n");
      case "chainsTableInvalidId" -> Files.writeString(dir.resolve(RecordIndex.CHAINS), "c0\n../x\nc2\n");
      case "rowFileEmptied" -> Files.write(f, new byte[0]);
      case "zeroRowsAppended" -> Files.write(f, new byte[3 * ROW], StandardOpenOption.APPEND);
      default -> throw new AssertionError(damage);
    }
    try (FileLogStore s = FileLogStore.open(dir)) {
      if (damage.endsWith("Appended")) {
        // Rows past the segment's end are not adopted (nothing to parse) and are cut off.
        assertThat(Files.size(f)).isEqualTo(rows.length);
      } else {
        assertThat(s.parsedRecords()).as(damage).isPositive();
      }
      assertFaithful(acked, s);
    }
    assertIndexMatchesSegments(dir);
  }

  /** Recomputes a row's CRC-32C: damage that a CRC cannot catch must be caught by the checks against the segments. */
  private static byte[] withCrc(byte[] rows, int row) {
    CRC32C crc = new CRC32C();
    crc.update(rows, row * ROW, ROW - 4);
    ByteBuffer.wrap(rows).putInt(row * ROW + ROW - 4, (int) crc.getValue());
    return rows;
  }

  @Test
  void open_indexOfAnotherLedgerWithSameShape_rejectedAndRebuilt() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    // The same chains, sizes and segment names, different records (another signing time label).
    FileLogStore.create(other);
    try (FileLogStore s = FileLogStore.open(other, 2048)) {
      for (int i = 0; i < 30; i++) {
        await(s.append("c" + i % 3, maker("c" + i % 3, "u")));
      }
    }
    FileLogStoreTransparencyTest.deleteTree(dir.resolve(RecordIndex.DIR));
    Files.move(other.resolve(RecordIndex.DIR), dir.resolve(RecordIndex.DIR));
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).isEqualTo(30);
      assertThat(s.repairs()).singleElement().asString().contains("rebuilding the record index");
      assertFaithful(acked, s);
    }
    assertIndexMatchesSegments(dir);
  }

  @Test
  void openReadOnly_consistentIndex_parsesNothingAndWritesNothing() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Map<String, String> before = snapshot(dir);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertThat(s.parsedRecords()).isZero();
      assertThat(s.read(29).hash()).isEqualTo(acked.get(29).hash());
      assertThat(s.head("c2")).map(LogStore.ChainHead::logIndex).hasValue(29L);
    }
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void openReadOnly_damagedIndex_answersFromSegmentsAndWritesNothing() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Path f = rowFile(0);
    byte[] rows = Files.readAllBytes(f);
    rows[ROW + 30] ^= 1; // random damage: the row's CRC no longer matches
    Files.write(f, rows);
    Map<String, String> before = snapshot(dir);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      for (Appended a : acked) {
        assertThat(s.read(a.logIndex()).hash()).isEqualTo(a.hash());
      }
    }
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void read_segmentAlteredAfterIndexing_failsNamingLogIndexRatherThanAnsweringWrongly() throws Exception {
    ledger(dir, 6);
    // A middle record re-signed in place with the same length: the index no longer matches it.
    Path seg = segments(dir).get(0);
    List<String> lines = new ArrayList<>(Files.readAllLines(seg));
    String l = lines.get(1);
    int at = l.indexOf("\"signature\":\"") + 14;
    lines.set(1, l.substring(0, at) + (l.charAt(at) == 'A' ? 'B' : 'A') + l.substring(at + 1));
    Files.write(seg, (String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.read(1))
          .isInstanceOf(dev.custody.core.FormatException.class).hasMessageContaining("log index 1")
          .hasMessageContaining("differs from the one indexed");
    }
  }

  @Test
  void open_indexBehindSegment_parsesOnlyTheRecordsItLacks() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Path f = rowFile(segments(dir).size() - 1);
    byte[] rows = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(rows, rows.length - 2 * ROW)); // a crash between the fsync and the row write
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.parsedRecords()).isEqualTo(2);
      assertThat(s.repairs()).isEmpty();
      assertFaithful(acked, s);
    }
    assertIndexMatchesSegments(dir);
  }

  @Test
  void open_indexAheadOfSegmentAfterTornTailRepair_dropsRowsAndStaysConsistent() throws Exception {
    List<Appended> acked = ledger(dir, 30);
    Path seg = segments(dir).get(segments(dir).size() - 1);
    byte[] bytes = Files.readAllBytes(seg);
    long lastStart = bytes.length - (Files.readAllLines(seg).get(Files.readAllLines(seg).size() - 1).length() + 1);
    Files.write(seg, Arrays.copyOf(bytes, (int) lastStart + 40)); // the last record torn: its row now points past the end
    Path f = rowFile(segments(dir).size() - 1);
    long rowsBefore = Files.size(f) / ROW;
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.size()).isEqualTo(29);
      assertThat(s.repairs()).singleElement().asString().contains("removed");
      assertThat(Files.size(f)).isEqualTo((rowsBefore - 1) * ROW);
      assertFaithful(acked.subList(0, 29), s);
    }
    assertIndexMatchesSegments(dir);
  }

  @Test
  void append_twoStoresOnOneLedger_indexStaysConsistent() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore a = FileLogStore.open(dir, 2048); FileLogStore b = FileLogStore.open(dir, 2048)) {
      for (int i = 0; i < 20; i++) {
        await(a.append(i % 2 == 0 ? "shared" : "a/" + i % 3, maker(i % 2 == 0 ? "shared" : "a/" + i % 3, "a")));
        await(b.append(i % 2 == 0 ? "shared" : "b/" + i % 5, maker(i % 2 == 0 ? "shared" : "b/" + i % 5, "b")));
      }
    }
    assertIndexMatchesSegments(dir);
  }
}
