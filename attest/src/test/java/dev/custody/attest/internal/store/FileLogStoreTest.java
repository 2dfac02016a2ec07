package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.TestFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The {@link LogStoreContract} for the file store, plus what is specific to files. */
class FileLogStoreTest extends LogStoreContract {

  @Override
  protected LogStore openStore(Path dir) throws Exception {
    if (!Files.exists(dir.resolve(LedgerLayout.MARKER))) {
      FileLogStore.create(dir);
    }
    return FileLogStore.open(dir);
  }

  @Override
  protected LogStore openSigningStore(Path dir) throws Exception {
    if (!Files.exists(dir.resolve(LedgerLayout.MARKER))) {
      FileLogStore.create(dir, new dev.custody.core.checkpoint.LogConfig(ORIGIN, java.util.Optional.empty()),
          new java.security.SecureRandom());
    }
    return FileLogStore.open(dir);
  }

  static List<Path> segments(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve(LedgerLayout.SEGMENTS))) {
      return s.sorted().toList();
    }
  }

  /** A closed ledger at {@code dir} holding {@code n} entries of chain "x". */
  static List<Appended> ledgerWith(Path dir, int n) throws Exception {
    FileLogStore.create(dir);
    List<Appended> out = new ArrayList<>();
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < n; i++) {
        out.add(await(s.append("x", maker("x", "t"))));
      }
    }
    return out;
  }

  @Test
  void open_tinySegmentSize_rollsOverAndReadsAcrossSegments() throws Exception {
    FileLogStore.create(dir);
    List<Appended> acked = new ArrayList<>();
    List<EntryRecord> records = new ArrayList<>();
    try (FileLogStore s = FileLogStore.open(dir, 2048)) {
      for (int i = 0; i < 24; i++) {
        acked.add(await(s.append("c" + i % 3, maker("c" + i % 3, "t"))));
      }
      for (int i = 0; i < 24; i++) {
        EntryRecord r = s.read(i);
        assertThat(r.hash()).isEqualTo(acked.get(i).hash());
        records.add(r);
      }
    }

    List<Path> segs = segments(dir);
    assertThat(segs).hasSizeGreaterThan(2);
    long first = 0;
    for (Path seg : segs) {
      assertThat(LedgerLayout.firstIndexOf(seg)).isEqualTo(first);
      long lines = Files.readAllLines(seg).size();
      assertThat(lines).isPositive();
      // A segment is only left once it reached the size limit.
      if (!seg.equals(segs.get(segs.size() - 1))) {
        assertThat(Files.size(seg)).isGreaterThanOrEqualTo(2048);
      }
      first += lines;
    }
    assertThat(first).isEqualTo(24);

    try (FileLogStore s = FileLogStore.open(dir, 2048)) {
      assertThat(s.size()).isEqualTo(24);
      for (int i = 0; i < 24; i++) {
        assertThat(s.read(i)).isEqualTo(records.get(i));
      }
      assertThat(s.chainIndexes("c1")).containsExactly(1, 4, 7, 10, 13, 16, 19, 22);
      Appended next = await(s.append("c1", maker("c1", "t")));
      assertThat(next.sequence()).isEqualTo(8);
      assertThat(s.read(next.logIndex()).payload("t").prev()).contains(acked.get(22).hash());
    }
  }

  @Test
  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  void openReadOnly_whileAnotherHoldsTheLock_opensReadsAndRejectsAppends() throws Exception {
    List<Appended> acked = ledgerWith(dir, 3);
    Map<String, String> before = snapshot(dir);

    try (FileChannel ch = FileChannel.open(dir.resolve(LedgerLayout.LOCK), StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      // Opening for writing would wait for this lock forever; read-only must not touch it.
      FileLogStore ro = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> FileLogStore.openReadOnly(dir));
      try (ro) {
        assertThat(ro.size()).isEqualTo(3);
        assertThat(ro.read(2).hash()).isEqualTo(acked.get(2).hash());
        assertThat(ro.chains()).hasSize(1);
        CompletableFuture<Appended> f = ro.append("x", maker("x", "t"));
        assertThat(f).failsWithin(Duration.ofSeconds(5))
            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("read-only");
      }
    }
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void openReadOnly_ledgerWithoutLockFile_createsNothing() throws Exception {
    ledgerWith(dir, 2);
    Files.delete(dir.resolve(LedgerLayout.LOCK));
    Map<String, String> before = snapshot(dir);

    try (FileLogStore ro = FileLogStore.openReadOnly(dir)) {
      assertThat(ro.size()).isEqualTo(2);
    }

    assertThat(snapshot(dir)).isEqualTo(before);
  }

  /** Without a record index (a legacy ledger, or one whose index was deleted) open parses, and so checks, every record. */
  @Test
  void open_flippedByteInMiddleRecordNoIndex_refusesNamingLocationAndChangesNothing() throws Exception {
    ledgerWith(dir, 4);
    FileLogStoreTransparencyTest.deleteTree(dir.resolve(RecordIndex.DIR));
    Path seg = segments(dir).get(0);
    byte[] original = Files.readAllBytes(seg);
    int line2 = indexOf(original, (byte) '\n', 0) + 1;
    int line3 = indexOf(original, (byte) '\n', line2) + 1;

    for (int k = 0; k < 8; k++) {
      int at = line2 + 1 + (line3 - line2 - 3) * k / 7;
      byte[] damaged = original.clone();
      damaged[at] ^= 0x01;
      Files.write(seg, damaged);
      Map<String, String> before = snapshot(dir);

      assertThatThrownBy(() -> FileLogStore.open(dir)).as("byte %d flipped", at)
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("segments/" + seg.getFileName())
          .hasMessageMatching("(?s).*line [23] \\(log index [12]\\).*");
      assertThat(snapshot(dir)).as("byte %d flipped", at).isEqualTo(before);
    }
  }

  @Test
  void open_middleLineRemoved_refusesNamingLocationAndChangesNothing() throws Exception {
    ledgerWith(dir, 4);
    Path seg = segments(dir).get(0);
    List<String> lines = new ArrayList<>(Files.readAllLines(seg));
    lines.remove(1);
    Files.write(seg, lines);
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("line 2 (log index 1)").hasMessageContaining("does not continue");
    assertThatThrownBy(() -> FileLogStore.openReadOnly(dir)).isInstanceOf(FormatException.class);
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void open_damagedRecordAndTornTail_refusesWithoutRepairingTheTail() throws Exception {
    ledgerWith(dir, 3);
    Path seg = segments(dir).get(0);
    List<String> lines = new ArrayList<>(Files.readAllLines(seg));
    lines.set(0, lines.get(0).replace("\"payload\"", "\"payl0ad\""));
    Files.writeString(seg, String.join("\n", lines) + "\n{\"protected\":\"ey");
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("line 1 (log index 0)");
    assertThat(snapshot(dir)).isEqualTo(before);
    assertThat(dir.resolve("torn")).doesNotExist();
  }

  @Test
  void open_strayFileInSegments_refusesNamingIt() throws Exception {
    ledgerWith(dir, 1);
    Path stray = Files.writeString(dir.resolve(LedgerLayout.SEGMENTS).resolve("notes.txt"), "hi");

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining(stray.toString());
  }

  @Test
  void create_existingLedger_failsAndChangesNothing() throws Exception {
    ledgerWith(dir, 2);
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.create(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("already");
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void create_segmentsWithoutMarker_failsAndChangesNothing() throws Exception {
    // Someone deleted ledger.json: 'create' must not adopt the old records as a new ledger.
    ledgerWith(dir, 2);
    Files.delete(dir.resolve(LedgerLayout.MARKER));
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.create(dir)).isInstanceOf(FormatException.class);
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void open_notALedger_throwsFormatExceptionSayingHowToCreateOne() throws Exception {
    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("custody init");
    assertThatThrownBy(() -> FileLogStore.open(dir.resolve("missing"))).isInstanceOf(FormatException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void close_withQueuedAppends_completesEveryOneDurably() throws Exception {
    FileLogStore.create(dir);
    FileLogStore s = FileLogStore.open(dir);
    List<CompletableFuture<Appended>> fs = new ArrayList<>();
    java.util.concurrent.CountDownLatch making = new java.util.concurrent.CountDownLatch(1);
    // A slow maker (think: a remote HSM) keeps the committer busy while close() is called.
    fs.add(s.append("x", (seq, prev) -> {
      making.countDown();
      long until = System.nanoTime() + 200_000_000L;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return maker("x", "t").make(seq, prev);
    }));
    making.await();
    for (int i = 1; i < 200; i++) {
      fs.add(s.append("x", maker("x", "t")));
    }

    s.close();

    for (CompletableFuture<Appended> f : fs) {
      assertThat(f).succeedsWithin(Duration.ofSeconds(10));
    }
    try (FileLogStore again = FileLogStore.open(dir)) {
      assertThat(again.size()).isEqualTo(200);
      assertThat(again.repairs()).isEmpty();
    }
  }

  static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
