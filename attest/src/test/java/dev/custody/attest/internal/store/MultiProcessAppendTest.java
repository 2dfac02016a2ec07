package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.attest.TestFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerAudit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several OS processes append to one ledger directory at once (DESIGN.md §7: an exclusive lock). */
class MultiProcessAppendTest {
  private static final int WORKERS = 3;
  private static final int PER_WORKER = 120;

  @TempDir Path dir;
  /** One reader thread per worker: the common pool may have a single thread on 2 cores. */
  private final java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newCachedThreadPool();

  @org.junit.jupiter.api.AfterEach
  void stopReaders() {
    readers.shutdownNow();
  }

  /** A running worker JVM and what it printed. */
  private record Worker(Process process, CompletableFuture<List<String>> lines, CountDownLatch ready) {
    void go() throws Exception {
      assertThat(ready.await(30, TimeUnit.SECONDS)).as("worker ready").isTrue();
      process.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
      process.getOutputStream().flush();
    }
  }

  private static void startAll(List<Worker> workers) throws Exception {
    for (Worker w : workers) {
      assertThat(w.ready().await(30, TimeUnit.SECONDS)).as("worker ready").isTrue();
    }
    for (Worker w : workers) {
      w.go();
    }
  }

  /** The workers' appends interleave in the log rather than running one after another. */
  private static void assertInterleaved(List<List<EntryRef>> perWorker) {
    int n = perWorker.size();
    java.util.TreeMap<Long, Integer> owner = new java.util.TreeMap<>();
    for (int w = 0; w < n; w++) {
      for (EntryRef r : perWorker.get(w)) {
        owner.put(r.logIndex(), w);
      }
    }
    int switches = 0;
    Integer last = null;
    for (int w : owner.values()) {
      if (last != null && last != w) {
        switches++;
      }
      last = w;
    }
    assertThat(switches).as("switches between processes in log order").isGreaterThan(2 * n);
  }

  private Worker launch(Path keyFile, String name) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", AppendWorker.class.getName(), dir.resolve("ledger").toString(),
        keyFile.toString(), name, Integer.toString(PER_WORKER), "shared/a", "shared/b", "own/" + name);
    pb.redirectError(dir.resolve(name + ".err").toFile());
    Process p = pb.start();
    CountDownLatch ready = new CountDownLatch(1);
    CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
      List<String> out = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          out.add(l);
          if (l.equals("ready")) {
            ready.countDown();
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out;
    }, readers);
    return new Worker(p, lines, ready);
  }

  private List<EntryRef> finish(Worker w, String name) throws Exception {
    try {
      assertThat(w.process().waitFor(50, TimeUnit.SECONDS)).as("worker %s finished", name).isTrue();
      List<String> lines = w.lines().get(10, TimeUnit.SECONDS);
      assertThat(w.process().exitValue()).as("worker %s exit; stderr: %s", name,
          Files.readString(dir.resolve(name + ".err"))).isZero();
      assertThat(lines).first().isEqualTo("ready");
      assertThat(lines).last().isEqualTo("done");
      List<EntryRef> refs = new ArrayList<>();
      for (String l : lines) {
        if (l.startsWith("ack ")) {
          refs.add(AppendWorker.parse(l));
        }
      }
      assertThat(refs).hasSize(PER_WORKER);
      return refs;
    } finally {
      w.process().destroyForcibly();
    }
  }

  private Path setUp() throws Exception {
    Ledger.create(dir.resolve("ledger"));
    return ED25519.writeTo(dir.resolve("keys"), "worker");
  }

  @Test
  @Timeout(90)
  void append_threeProcessesAtOnce_everyAckPresentOnceAndChainsLink() throws Exception {
    Path key = setUp();
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      workers.add(launch(key, "w" + i));
    }
    startAll(workers);
    List<EntryRef> acked = new ArrayList<>();
    List<List<EntryRef>> perWorker = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      perWorker.add(finish(workers.get(i), "w" + i));
      acked.addAll(perWorker.get(i));
    }

    assertInterleaved(perWorker);
    LedgerAudit.check(dir.resolve("ledger"), acked, WORKERS * PER_WORKER, ED25519.publicKey());
    FileLogStoreIndexTest.assertIndexMatchesSegments(dir.resolve("ledger"));
  }

  @Test
  @Timeout(90)
  void append_threeProcessesAndThisOneAtOnce_everyAckPresentOnceAndChainsLink() throws Exception {
    Path key = setUp();
    List<EntryRef> acked = new ArrayList<>();
    int mine = 0;
    try (Ledger ledger = Ledger.open(dir.resolve("ledger"))) {
      List<Worker> workers = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        workers.add(launch(key, "w" + i));
      }
      startAll(workers);
      // Keep appending until every worker has exited, so the appends overlap theirs.
      List<EntryRef> parent = new ArrayList<>();
      while (workers.stream().anyMatch(w -> w.process().isAlive()) || mine < 30) {
        parent.add(ledger.append(mine % 2 == 0 ? "shared/a" : "own/parent", event("parent", mine), ED25519));
        mine++;
      }
      List<List<EntryRef>> perProcess = new ArrayList<>();
      perProcess.add(parent);
      for (int i = 0; i < WORKERS; i++) {
        perProcess.add(finish(workers.get(i), "w" + i));
      }
      perProcess.forEach(acked::addAll);
      assertInterleaved(perProcess);
    }

    LedgerAudit.check(dir.resolve("ledger"), acked, WORKERS * PER_WORKER + mine, ED25519.publicKey());
    FileLogStoreIndexTest.assertIndexMatchesSegments(dir.resolve("ledger"));
  }
}
