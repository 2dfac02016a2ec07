package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.CommitStats;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.event.Event;
import dev.custody.core.jws.KeyAlgorithm;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Durable append throughput (DESIGN.md §8: ≥ 10,000 signed, durable appends/s on 2 cores with
 * concurrent writers). For each thread count, a fresh ledger and that many threads, each calling
 * the blocking {@link Ledger#append} in a loop on its own chain for a fixed time. Beside it, the
 * fsync latency of the same filesystem, measured in the same run: appends per fsync above 1 is
 * what group commit buys. The store's {@link CommitStats} tell how many appends each fsync of the
 * segment actually carried and where the committer's time went (lock and catch-up, sequencing,
 * segment write, segment fsync, acknowledgement, derived files, checkpoints, waiting for appends);
 * the process CPU time per append tells whether the appenders' signing (on the cores) or the disk
 * is the limit.
 */
final class AppendBench {
  static final double TARGET_APPENDS_PER_SEC = 10_000;

  record Config(Path workDir, int[] threads, double seconds, int keys, boolean profile) {}

  private AppendBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("append");
    List<SigningKey> keys = new ArrayList<>();
    for (int i = 0; i < c.keys(); i++) {
      keys.add(SigningKey.generate(KeyAlgorithm.ED25519));
    }
    int maxThreads = Arrays.stream(c.threads()).max().orElse(1);
    // As long as a measured run: C2 keeps compiling the signing and JSON paths for several seconds
    // on 2 busy cores, and a shorter warm-up measured the compiler as much as the store.
    double warmUp = Math.max(3, c.seconds());
    table.note("append warm-up: %d threads for %.0f s (not reported)", maxThreads, warmUp);
    measure(c.workDir().resolve("append-warmup"), maxThreads, warmUp, keys);

    table.note("fsync probe: 4 KiB write + force in %s for %.0f s", c.workDir(), Math.min(3, c.seconds()));
    FsyncProbe.Result fs = FsyncProbe.measure(c.workDir(), Math.min(3, c.seconds()), 1_000_000);
    s.child("fsync").put("samples", fs.samples()).put("medianMicros", fs.medianMicros())
        .put("p99Micros", fs.p99Micros()).put("meanMicros", fs.meanMicros()).put("maxMicros", fs.maxMicros()).put("fsyncsPerSec", fs.fsyncsPerSec())
        .put("dir", c.workDir().toAbsolutePath().toString());
    table.row("fsync (4 KiB write + force), median", "%,.0f us  -> %,.0f fsyncs/s", fs.medianMicros(), fs.fsyncsPerSec());
    table.row("fsync p99 / max", "%,.0f us / %,.0f us  (%,d samples)", fs.p99Micros(), fs.maxMicros(), fs.samples());

    List<Object> runs = new ArrayList<>();
    for (int t : c.threads()) {
      table.note("appending with %d thread(s) for %.0f s", t, c.seconds());
      Sampler sampler = c.profile() && t == maxThreads ? new Sampler(th -> th.getName().startsWith("custody-committer")
          ? "committer thread" : th.getName().startsWith("bench-appender-") ? "appender threads" : null, 5) : null;
      Result r;
      try {
        r = measure(c.workDir().resolve("append-" + t), t, c.seconds(), keys);
      } finally {
        if (sampler != null) {
          sampler.close();
        }
      }
      double perFsync = r.perSec / fs.fsyncsPerSec();
      double ratio = r.perSec / TARGET_APPENDS_PER_SEC;
      // A blocking appender has one entry in flight, so a batch holds at most `t` entries: with this
      // disk, t threads cannot exceed t fsync-batches' worth of entries per second.
      double ceiling = t * fs.fsyncsPerSec();
      Summary rs = new Summary().put("threads", t).put("appends", r.appends).put("seconds", r.seconds)
          .put("appendsPerSec", r.perSec).put("latencyMedianMicros", r.medianMicros)
          .put("latencyP99Micros", r.p99Micros).put("appendsPerFsync", perFsync)
          .put("ratioToTarget", ratio).put("blockingCeilingPerSec", ceiling)
          .put("ratioToBlockingCeiling", r.perSec / ceiling).put("ledgerSizeMatches", r.sizeMatches);
      runs.add(rs);
      table.row(String.format("appends/s, %2d thread(s)", t), "%,.0f  (%,d in %.1f s; latency median %,.0f us, p99 %,.0f us)",
          r.perSec, r.appends, r.seconds, r.medianMicros, r.p99Micros);
      table.row(String.format("  appends per fsync / ratio to %,.0f/s", TARGET_APPENDS_PER_SEC), "%.2f / %.2f%s",
          perFsync, ratio, r.sizeMatches ? "" : "  (LEDGER SIZE MISMATCH)");
      table.row("  ceiling " + t + " x fsyncs/s (1 entry/thread/fsync)", "%,.0f/s  (ratio to it: %.2f)", ceiling,
          r.perSec / ceiling);
      breakdown(r, fs, table, rs);
      if (sampler != null) {
        StringBuilder prof = new StringBuilder();
        sampler.report(prof, rs.child("profile"));
        table.section("where append time goes with " + t + " threads (stack samples)", prof.toString());
      }
    }
    s.put("runs", runs).put("targetAppendsPerSec", TARGET_APPENDS_PER_SEC);
    Summary last = (Summary) runs.get(runs.size() - 1);
    double best = (double) last.get("appendsPerSec");
    s.put("meetsTarget", best >= TARGET_APPENDS_PER_SEC);
    table.row("RATIO appends (" + maxThreads + " threads) / 10,000", "%.2f  (%s)", best / TARGET_APPENDS_PER_SEC,
        best >= TARGET_APPENDS_PER_SEC ? "MET" : "NOT MET");
  }

  /** Appends per segment fsync and where a commit's time went, from the store's own counters. */
  private static void breakdown(Result r, FsyncProbe.Result fs, Table table, Summary rs) {
    CommitStats c = r.commits;
    double batches = Math.max(1, c.batches());
    double syncMicros = c.syncNanos() / 1e3 / Math.max(1, c.syncs());
    table.row("  appends per segment fsync (counted)", "%.2f  (%,d appends, %,d batches, %,d fsyncs = %,.0f/s)",
        c.appendsPerSync(), c.appends(), c.batches(), c.syncs(), c.syncs() / r.seconds);
    table.row("  segment fsync mean / probe mean, median", "%,.0f us / %,.0f us, %,.0f us", syncMicros, fs.meanMicros(),
        fs.medianMicros());
    table.row("  CPU per append (process, all threads)", "%,.0f us  (%.2f cores busy; JIT compiling %,d ms of it)",
        r.cpuNanos / 1e3 / r.appends, r.cpuNanos / 1e9 / r.seconds, r.compileMillis);
    long total = c.busyNanos() + c.waitingNanos();
    String[] names = {"lock + catch-up", "sequencing", "segment write", "segment fsync", "acknowledgement",
        "derived files (index rows, tiles)", "checkpoints", "waiting for appends (idle)"};
    long[] nanos = {c.lockNanos(), c.sequenceNanos(), c.writeNanos(), c.syncNanos(), c.ackNanos(), c.derivedNanos(),
        c.checkpointNanos(), c.waitingNanos()};
    Summary cs = rs.child("commit").put("batches", c.batches()).put("appends", c.appends()).put("fsyncs", c.syncs())
        .put("appendsPerFsync", c.appendsPerSync()).put("fsyncMeanMicros", syncMicros)
        .put("cpuMicrosPerAppend", r.cpuNanos / 1e3 / r.appends).put("jitCompileMillis", r.compileMillis);
    for (int i = 0; i < names.length; i++) {
      table.row("    " + names[i], "%,8.0f us per commit  %5.1f %%", nanos[i] / 1e3 / batches,
          total == 0 ? 0 : 100.0 * nanos[i] / total);
      cs.put(names[i].replaceAll("[^a-z]+", "_") + "MicrosPerCommit", nanos[i] / 1e3 / batches);
    }
  }

  record Result(long appends, double seconds, double perSec, double medianMicros, double p99Micros,
      boolean sizeMatches, CommitStats commits, long cpuNanos, long compileMillis) {}

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** {@code threads} threads append on their own chains for {@code seconds} to a fresh ledger at {@code dir}. */
  static Result measure(Path dir, int threads, double seconds, List<SigningKey> keys)
      throws Exception {
    Ledger.create(dir);
    FileLogStore store = FileLogStore.open(dir);
    return measure(store, store::commitStats, threads, seconds, keys);
  }

  /** {@code threads} threads append on their own chains of {@code store} for {@code seconds}; closes the store. */
  static Result measure(LogStore store, java.util.function.Supplier<CommitStats> stats, int threads, double seconds,
      List<SigningKey> keys) throws Exception {
    try (Ledger ledger = Ledger.over(store, Clock.systemUTC())) {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      long[][] latencies = new long[threads][];
      int[] counts = new int[threads];
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long[] window = new long[2];
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int id = i;
        Thread th = new Thread(() -> {
          String chain = "bench/appender-" + id;
          SigningKey key = keys.get(id % keys.size());
          Workload w = new Workload(1000 + id);
          long[] lat = new long[1 << 16];
          int n = 0;
          ready.countDown();
          try {
            go.await();
            long deadline = window[0] + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
              Event e = w.event(chain, n);
              long t0 = System.nanoTime();
              ledger.append(chain, e, key);
              long dt = System.nanoTime() - t0;
              if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
              }
              lat[n++] = dt;
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
          latencies[id] = Arrays.copyOf(lat, n);
          counts[id] = n;
        }, "bench-appender-" + i);
        workers.add(th);
        th.start();
      }
      ready.await();
      CommitStats before = stats.get();
      long cpuBefore = processCpuNanos();
      long compileBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      window[0] = System.nanoTime();
      go.countDown();
      for (Thread th : workers) {
        th.join();
      }
      double elapsed = (System.nanoTime() - window[0]) / 1e9;
      long cpu = processCpuNanos() - cpuBefore;
      long compiling = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compileBefore;
      CommitStats commits = stats.get().minus(before);
      if (failure.get() != null) {
        throw new IllegalStateException("append failed: " + failure.get(), failure.get());
      }
      long total = Arrays.stream(counts).asLongStream().sum();
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      return new Result(total, elapsed, total / elapsed, Stats.percentile(all, 50) / 1e3,
          Stats.percentile(all, 99) / 1e3, ledger.size() == total, commits, cpu, compiling);
    }
  }
}
