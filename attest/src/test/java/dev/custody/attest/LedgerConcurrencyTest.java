package dev.custody.attest;

import dev.custody.core.entry.EntryRef;
import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.attest.TestFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LedgerConcurrencyTest {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 150;

  @TempDir Path dir;

  @Test
  @Timeout(60)
  void append_eightThreadsOnSharedChains_everyAckPresentOnceAndChainsLink() throws Exception {
    Ledger.create(dir);
    List<EntryRef> acked = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try (Ledger ledger = Ledger.open(dir)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          List<CompletableFuture<EntryRef>> pending = new ArrayList<>();
          for (int i = 0; i < PER_THREAD; i++) {
            // Shared chains contend; the own chain checks per-thread order.
            String chain = i % 3 == 0 ? "own/t" + thread : i % 3 == 1 ? "shared/a" : "shared/b";
            if (thread % 2 == 0) {
              acked.add(ledger.append(chain, event("t" + thread, i), ED25519));
            } else {
              pending.add(ledger.appendAsync(chain, event("t" + thread, i), ED25519));
            }
          }
          for (CompletableFuture<EntryRef> f : pending) {
            acked.add(f.get(30, TimeUnit.SECONDS));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(50, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(acked).hasSize(THREADS * PER_THREAD);
    LedgerAudit.check(dir, acked, THREADS * PER_THREAD, ED25519.publicKey());
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      for (int t = 0; t < THREADS; t++) {
        List<LedgerEntry> own = ledger.chainEntries("own/t" + t);
        assertThat(own).hasSize(PER_THREAD / 3);
        for (int k = 0; k < own.size(); k++) {
          // One thread's appends to one chain keep their order.
          assertThat(own.get(k).payload().event()).isEqualTo(event("t" + t, 3L * k));
        }
      }
    }
  }
}
