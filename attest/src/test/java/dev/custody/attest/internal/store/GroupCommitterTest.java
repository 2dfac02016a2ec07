package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit over the file backend: appends that queue while a commit is in flight join the
 * next batch and share its one fsync, and {@link FileLogStore#commitStats()} counts what happened.
 */
class GroupCommitterTest {
  @TempDir Path dir;

  /** Holds the committer at its first lock until the test lets it go, as a long fsync would. */
  private static final class GatedLock extends DelegatingBackend {
    final CountDownLatch waiting = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);

    GatedLock(LogBackend b) {
      super(b);
    }

    @Override
    public WriteLock lock() throws IOException {
      waiting.countDown();
      try {
        go.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      return b.lock();
    }
  }

  @Test
  void append_queuedWhileACommitIsInFlight_joinTheNextBatchAndShareItsFsync() throws Exception {
    FileLogStore.create(dir);
    GatedLock[] gate = new GatedLock[1];
    try (FileLogStore s = FileLogStore.open(dir, FileLogStore.Options.defaults(), b -> gate[0] = new GatedLock(b))) {
      List<CompletableFuture<LogStore.Appended>> fs = new ArrayList<>();
      fs.add(s.append("a", maker("a", "first")));
      assertThat(gate[0].waiting.await(30, TimeUnit.SECONDS)).isTrue(); // the first batch is in flight
      for (int i = 0; i < 40; i++) {
        String chain = i % 2 == 0 ? "a" : "b";
        fs.add(s.append(chain, maker(chain, "n" + i)));
      }
      gate[0].go.countDown();
      for (CompletableFuture<LogStore.Appended> f : fs) {
        await(f);
      }
      CommitStats c = s.commitStats();
      assertThat(c.appends()).isEqualTo(41);
      assertThat(c.batches()).as("the first append alone, then the 40 that queued behind it").isEqualTo(2);
      assertThat(c.syncs()).as("one fsync per batch, and one of the directory for the new segment").isEqualTo(3);
      assertThat(c.appendsPerSync()).isEqualTo(41.0 / 3);
      assertThat(c.syncNanos()).isPositive();
      assertThat(c.busyNanos()).isGreaterThanOrEqualTo(c.syncNanos() + c.writeNanos());
    }
  }

  @Test
  void commitStats_readOnlyStore_none() throws Exception {
    FileLogStore.create(dir);
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertThat(s.commitStats()).isEqualTo(CommitStats.NONE);
    }
  }
}
