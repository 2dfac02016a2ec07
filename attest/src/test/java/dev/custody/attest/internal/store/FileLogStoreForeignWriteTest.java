package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that did not take the lock (issue 7, item 15: two mounts whose locks are not shared):
 * bytes appended, overwritten or cut between two batches of a writer are detected before its next
 * batch, which stops without changing anything — no truncation, no repair of someone else's bytes.
 * Other writers that hold the lock are not mistaken for one.
 */
class FileLogStoreForeignWriteTest {
  @TempDir Path dir;

  private Path segment(long first) {
    return dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(first));
  }

  private static byte[] next(Appended head) throws Exception {
    return maker("x", "t").make(head.sequence() + 1, Optional.of(head.hash()));
  }

  /** Appends on {@code s} fail with the foreign-write error, now and after. */
  private static void assertStopped(FileLogStore s) {
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> s.append("x", maker("x", "t")).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .satisfiesAnyOf(
              e -> assertThat(e).isInstanceOf(ForeignWriteException.class)
                  .hasMessageContaining("without holding the ledger lock")
                  .hasMessageContaining("Stopped without changing anything"),
              e -> assertThat(e).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed"));
    }
  }

  @Test
  void append_halfRecordAppendedWithoutTheLockBetweenBatches_stopsAndLeavesTheBytes() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir)) {
      Appended last = null;
      for (int i = 0; i < 3; i++) {
        last = await(s.append("x", maker("x", "t")));
      }
      byte[] foreign = Arrays.copyOf(next(last), 120); // another machine's write, in progress
      Files.write(segment(0), foreign, StandardOpenOption.APPEND);
      byte[] before = Files.readAllBytes(segment(0));

      assertThatThrownBy(() -> s.append("x", maker("x", "t")).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ForeignWriteException.class)
          .hasMessageContaining("another writer wrote to " + segment(0) + " without holding the ledger lock")
          .hasMessageContaining("it is " + before.length + " bytes long, but the last batch of this writer left")
          .hasMessageContaining("delete " + dir.resolve("lock"));
      assertStopped(s);
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(before);
      assertThat(dir.resolve(FileLogStore.TORN)).doesNotExist();
    }
  }

  @Test
  void append_wholeRecordAppendedWithoutTheLock_stops() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir)) {
      Appended last = await(s.append("x", maker("x", "t")));
      byte[] foreign = next(last);
      Files.write(segment(0), (new String(foreign, "US-ASCII") + "\n").getBytes("US-ASCII"), StandardOpenOption.APPEND);
      byte[] before = Files.readAllBytes(segment(0));

      assertStopped(s);
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(before);
    }
  }

  @Test
  void append_lastRecordOverwrittenWithTheSameLengthWithoutTheLock_stopsOnItsHash() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir)) {
      Appended first = await(s.append("x", maker("x", "t")));
      await(s.append("x", maker("x", "t")));
      // Another writer, whose view ended after the first record, wrote its own second record over ours.
      byte[] theirs = maker("x", "u").make(1, Optional.of(first.hash()));
      byte[] seg = Files.readAllBytes(segment(0));
      int firstEnd = new String(seg, "US-ASCII").indexOf('\n') + 1;
      assertThat(theirs.length + 1).as("same length as ours").isEqualTo(seg.length - firstEnd);
      System.arraycopy(theirs, 0, seg, firstEnd, theirs.length);
      Files.write(segment(0), seg);

      assertThatThrownBy(() -> s.append("x", maker("x", "t")).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ForeignWriteException.class)
          .hasMessageContaining("the record ending at offset " + seg.length + " is now sha256:");
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(seg);
    }
  }

  @Test
  void append_segmentCutWithoutTheLock_stopsWithoutWritingPastItsEnd() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < 3; i++) {
        await(s.append("x", maker("x", "t")));
      }
      byte[] all = Files.readAllBytes(segment(0));
      byte[] cut = Arrays.copyOf(all, all.length - 50);
      Files.write(segment(0), cut);

      assertStopped(s);
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(cut);
    }
  }

  @Test
  void append_segmentStartedWithoutTheLock_stops() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.open(dir)) {
      Appended last = await(s.append("x", maker("x", "t")));
      byte[] foreign = next(last);
      Files.write(segment(1), (new String(foreign, "US-ASCII") + "\n").getBytes("US-ASCII"));

      assertThatThrownBy(() -> s.append("x", maker("x", "t")).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ForeignWriteException.class)
          .hasMessageContaining("00000000000000000001.jsonl").hasMessageContaining("it was started after");
    }
  }

  @Test
  void append_anotherWriterHoldingTheLockBetweenBatches_notMistakenForAForeignOne() throws Exception {
    FileLogStore.create(dir);
    List<Appended> acked = new ArrayList<>();
    try (FileLogStore a = FileLogStore.open(dir, 4096); FileLogStore b = FileLogStore.open(dir, 4096)) {
      for (int i = 0; i < 20; i++) {
        acked.add(await((i % 3 == 0 ? b : a).append("x", maker("x", "t"))));
      }
    }
    assertThat(acked).extracting(Appended::logIndex).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, 20).boxed().toList());
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.size()).isEqualTo(20);
      assertThat(s.repairs()).isEmpty();
    }
  }

  @Test
  void open_afterAForeignWriteWasDetected_treatsTheTornTailAsACrashRemnant() throws Exception {
    FileLogStore.create(dir);
    Appended last;
    try (FileLogStore s = FileLogStore.open(dir)) {
      last = await(s.append("x", maker("x", "t")));
    }
    byte[] good = Files.readAllBytes(segment(0));
    Files.write(segment(0), Arrays.copyOf(next(last), 80), StandardOpenOption.APPEND);
    // On open a torn tail cannot be told from a crashed writer's: it is saved under torn/ and cut off.
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(Files.readAllBytes(segment(0))).isEqualTo(good);
      assertThat(s.repairs()).singleElement().asString().contains("removed an incomplete record");
      await(s.append("x", maker("x", "t")));
    }
  }
}
