package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.TestFixtures.snapshot;
import static dev.custody.attest.internal.store.FileLogStoreTest.ledgerWith;
import static dev.custody.attest.internal.store.FileLogStoreTest.segments;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crash can leave the last line of the last segment unterminated (DESIGN.md §7, §9). */
class FileLogStoreCrashTest {
  @TempDir Path dir;

  /** The record a writer would have appended next to chain "x" after {@code head}. */
  private static byte[] nextRecord(Appended head) throws Exception {
    return maker("x", "t").make(head.sequence() + 1, Optional.of(head.hash()));
  }

  private static void assertContinues(FileLogStore s, List<Appended> acked) throws Exception {
    Appended last = acked.get(acked.size() - 1);
    Appended next = await(s.append("x", maker("x", "t")));
    assertThat(next.logIndex()).isEqualTo(acked.size());
    assertThat(next.sequence()).isEqualTo(last.sequence() + 1);
    assertThat(s.read(next.logIndex()).payload("t").prev()).contains(last.hash());
  }

  /**
   * What a writer does under the lock before writing a batch of one record to {@code seg}: it notes
   * in the lock file where the batch starts and ends and the record's hash ({@link TailNote}).
   */
  static void announceBatch(Path dir, Path seg, byte[] record) throws Exception {
    long start = Files.size(seg);
    try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(dir.resolve("lock"),
        StandardOpenOption.WRITE, StandardOpenOption.READ); java.nio.channels.FileLock held = lock.lock()) {
      new TailNote(dev.custody.core.internal.ledger.LedgerLayout.firstIndexOf(seg), start, start + record.length + 1,
          Optional.of(Digest.sha256(record))).write(lock);
    }
  }

  private List<Path> tornFiles() throws Exception {
    if (!Files.exists(dir.resolve("torn"))) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir.resolve("torn"))) {
      return s.toList();
    }
  }

  @Test
  void open_lastRecordWholeButNewlineMissing_completesRecordAndReportsRepair() throws Exception {
    List<Appended> acked = ledgerWith(dir, 3);
    Path seg = segments(dir).get(0);
    byte[] good = Files.readAllBytes(seg);
    Files.write(seg, Arrays.copyOf(good, good.length - 1));

    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.size()).isEqualTo(3);
      assertThat(s.read(2).hash()).isEqualTo(acked.get(2).hash());
      assertThat(Files.readAllBytes(seg)).isEqualTo(good);
      assertThat(s.repairs()).singleElement().asString().contains("completed").contains("log index 2");
      assertThat(tornFiles()).isEmpty();
      assertContinues(s, acked);
    }
  }

  @Test
  void open_halfRecordAtEnd_truncatesSavesBytesUnderTornAndChainContinues() throws Exception {
    List<Appended> acked = ledgerWith(dir, 3);
    Path seg = segments(dir).get(0);
    byte[] good = Files.readAllBytes(seg);
    byte[] next = nextRecord(acked.get(2));
    byte[] half = Arrays.copyOf(next, next.length / 2);
    Files.write(seg, half, StandardOpenOption.APPEND);

    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(Files.readAllBytes(seg)).isEqualTo(good);
      assertThat(s.size()).isEqualTo(3);
      for (int i = 0; i < 3; i++) {
        assertThat(s.read(i).hash()).isEqualTo(acked.get(i).hash());
      }
      List<Path> torn = tornFiles();
      assertThat(torn).hasSize(1);
      assertThat(Files.readAllBytes(torn.get(0))).isEqualTo(half);
      assertThat(s.repairs()).singleElement().asString().contains("removed").contains(torn.get(0).toString());
      assertContinues(s, acked);
    }
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.size()).isEqualTo(4);
      assertThat(s.repairs()).isEmpty();
    }
  }

  @Test
  void open_wholeRecordThatDoesNotContinueItsChain_isSavedAndRemovedNotCompleted() throws Exception {
    List<Appended> acked = ledgerWith(dir, 2);
    Path seg = segments(dir).get(0);
    byte[] good = Files.readAllBytes(seg);
    // A replay of sequence 1 (a fork), unterminated: never a valid continuation.
    byte[] fork = maker("x", "u").make(1, Optional.of(acked.get(0).hash()));
    Files.write(seg, fork, StandardOpenOption.APPEND);

    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(Files.readAllBytes(seg)).isEqualTo(good);
      assertThat(s.indexOf(Digest.sha256(fork))).isEmpty();
      assertThat(tornFiles()).singleElement().satisfies(p -> assertThat(Files.readAllBytes(p)).isEqualTo(fork));
      assertContinues(s, acked);
    }
  }

  @Test
  void openReadOnly_tornTail_readsCompleteRecordsAndChangesNothing() throws Exception {
    List<Appended> acked = ledgerWith(dir, 3);
    Path seg = segments(dir).get(0);
    Files.write(seg, Arrays.copyOf(nextRecord(acked.get(2)), 40), StandardOpenOption.APPEND);
    Map<String, String> before = snapshot(dir);

    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertThat(s.size()).isEqualTo(3);
      assertThat(s.read(2).hash()).isEqualTo(acked.get(2).hash());
      assertThat(s.repairs()).isEmpty();
    }
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void append_anotherWriterCrashedMidRecord_repairsUnderLockThenAppends() throws Exception {
    List<Appended> acked = ledgerWith(dir, 2);
    try (FileLogStore s = FileLogStore.open(dir)) {
      Path seg = segments(dir).get(0);
      byte[] good = Files.readAllBytes(seg);
      // Another process announced its batch in the lock file (as every writer does, TailGuard),
      // appended half a record and died while this store was open.
      byte[] record = nextRecord(acked.get(1));
      announceBatch(dir, seg, record);
      Files.write(seg, Arrays.copyOf(record, 100), StandardOpenOption.APPEND);

      Appended next = await(s.append("x", maker("x", "t")));

      assertThat(next.logIndex()).isEqualTo(2);
      assertThat(next.sequence()).isEqualTo(2);
      assertThat(Arrays.copyOf(Files.readAllBytes(seg), good.length)).isEqualTo(good);
      assertThat(s.repairs()).singleElement().asString().contains("removed");
    }
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.size()).isEqualTo(3);
    }
  }

  @Test
  void open_tornTailInNonLastSegment_refusesAndChangesNothing() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir, 2048)) {
      for (int i = 0; i < 12; i++) {
        await(s.append("x", maker("x", "t")));
      }
    }
    List<Path> segs = segments(dir);
    assertThat(segs).hasSizeGreaterThan(1);
    Path first = segs.get(0);
    byte[] b = Files.readAllBytes(first);
    Files.write(first, Arrays.copyOf(b, b.length - 30));
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining(first.getFileName().toString()).hasMessageContaining("not the last segment");
    assertThatThrownBy(() -> FileLogStore.openReadOnly(dir)).isInstanceOf(FormatException.class);
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void open_newlineMissingInNonLastSegment_refusesAndChangesNothing() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir, 2048)) {
      for (int i = 0; i < 12; i++) {
        await(s.append("x", maker("x", "t")));
      }
    }
    Path first = segments(dir).get(0);
    byte[] b = Files.readAllBytes(first);
    Files.write(first, Arrays.copyOf(b, b.length - 1));
    Map<String, String> before = snapshot(dir);

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining(first.getFileName().toString());
    assertThat(snapshot(dir)).isEqualTo(before);
  }
}
