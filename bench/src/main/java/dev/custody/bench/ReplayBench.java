package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replay verification throughput (DESIGN.md §8: ≥ 0.7 × {@code openssl speed ed25519} verify/s ×
 * cores). Generates a realistic ledger (not timed), verifies a small ledger to warm the JIT, then
 * verifies the full ledger twice and reports the second run beside the openssl limit measured
 * right after it. Optionally re-verifies the same ledger in a child JVM limited to 256 MiB of heap
 * to check that replay streams.
 */
final class ReplayBench {
  /** DESIGN.md §8. */
  static final double TARGET_RATIO = 0.7;
  static final long BOUNDED_HEAP_MIB = 256;

  record Config(Path workDir, int entries, int chains, int keys, int parallelism, boolean boundedHeapCheck,
      String openssl, int opensslSeconds, boolean profile) {}

  private ReplayBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("replay");
    int cores = Runtime.getRuntime().availableProcessors();
    List<SigningKey> keys = new ArrayList<>();
    for (int i = 0; i < c.keys(); i++) {
      keys.add(SigningKey.generate(KeyAlgorithm.ED25519));
    }
    Path keyDir = c.workDir().resolve("trust");
    Files.createDirectories(keyDir);
    for (int i = 0; i < keys.size(); i++) {
      Files.writeString(keyDir.resolve("pipeline-" + i + ".pub"), keys.get(i).publicKey().toPem());
    }
    TrustedKeys trust = TrustedKeys.of(keys.stream().map(SigningKey::publicKey).toList());

    int warmEntries = Math.max(1000, Math.min(20_000, c.entries() / 5));
    Path warmLedger = c.workDir().resolve("replay-warmup");
    Path ledger = c.workDir().resolve("replay-ledger");
    table.note("generating %,d + %,d entries on %d chains with %d Ed25519 keys (not timed as replay)...",
        warmEntries, c.entries(), c.chains(), c.keys());
    generate(warmLedger, warmEntries, c.chains(), keys, 1);
    long g0 = System.nanoTime();
    generate(ledger, c.entries(), c.chains(), keys, 2);
    double genSeconds = (System.nanoTime() - g0) / 1e9;
    long ledgerBytes = directorySize(ledger.resolve("segments"));
    s.put("entries", c.entries()).put("chains", c.chains()).put("keys", c.keys())
        .put("ledgerBytes", ledgerBytes).put("avgRecordBytes", ledgerBytes / c.entries())
        .put("generationSeconds", genSeconds).put("generationAppendsPerSec", c.entries() / genSeconds)
        .put("parallelism", c.parallelism());

    LedgerVerifier verifier = LedgerVerifier.builder(trust).parallelism(c.parallelism()).build();
    Timed warm = verifyTimed(verifier, warmLedger, warmEntries);
    table.note("warm-up replay: %,d entries in %.2f s", warmEntries, warm.seconds);
    Timed run1 = verifyTimed(verifier, ledger, c.entries());
    Sampler sampler = c.profile() ? new Sampler(t -> t.getName().startsWith("custody-verify-") ? "verify workers"
        : t.getName().equals("main") ? "reader + integrity (main thread)" : null, 5) : null;
    Timed run2;
    try {
      run2 = verifyTimed(verifier, ledger, c.entries());
    } finally {
      if (sampler != null) {
        sampler.close();
      }
    }

    Optional<OpensslSpeed.Rates> single = OpensslSpeed.ed25519(c.openssl(), 1, c.opensslSeconds());
    Optional<OpensslSpeed.Rates> multi = cores > 1
        ? OpensslSpeed.ed25519(c.openssl(), cores, c.opensslSeconds()) : single;
    double perCore = single.map(OpensslSpeed.Rates::verifyPerSec).orElse(Double.NaN);
    double limit = perCore * cores;
    double multiLimit = multi.map(OpensslSpeed.Rates::verifyPerSec).orElse(Double.NaN);
    double rate = c.entries() / run2.seconds;
    double ratio = rate / limit;

    s.put("run1Seconds", run1.seconds).put("run1EntriesPerSec", c.entries() / run1.seconds)
        .put("seconds", run2.seconds).put("entriesPerSec", rate)
        .put("verified", run2.verified).put("entriesChecked", run2.checked)
        .put("peakHeapUsedMiB", run2.peakHeapBytes / (1024.0 * 1024))
        .put("gcCount", run2.gcCount).put("gcMillis", run2.gcMillis)
        .put("opensslVerifyPerSecPerCore", perCore).put("cores", cores)
        .put("limitVerifyPerSec", limit).put("limitBasis", "openssl speed ed25519 verify/s (1 process) x cores")
        .put("opensslMultiVerifyPerSec", multiLimit)
        .put("opensslCommands", List.of(single.map(OpensslSpeed.Rates::command).orElse("openssl unavailable"),
            multi.map(OpensslSpeed.Rates::command).orElse("openssl unavailable")))
        .put("ratio", ratio).put("ratioToMulti", rate / multiLimit).put("targetRatio", TARGET_RATIO)
        .put("meetsTarget", ratio >= TARGET_RATIO);

    table.row("replay: entries verified", "%,d (%s)", run2.checked, run2.verified ? "ledger verified" : "NOT VERIFIED");
    table.row("replay: run 1 (cold ledger pages)", "%,.0f entries/s", c.entries() / run1.seconds);
    table.row("replay: run 2 (reported)", "%,.0f entries/s  (%.2f s)", rate, run2.seconds);
    table.row("openssl ed25519 verify/s, 1 core", "%,.0f", perCore);
    table.row("limit = verify/s x " + cores + " cores", "%,.0f verify/s", limit);
    table.row("openssl -multi " + cores + " verify/s", "%,.0f  (ratio to it: %.2f)", multiLimit, rate / multiLimit);
    table.row("RATIO replay / limit", "%.2f  (target >= %.1f: %s)", ratio, TARGET_RATIO,
        ratio >= TARGET_RATIO ? "MET" : "NOT MET");
    table.row("replay: peak heap used (sampled)", "%.0f MiB, %d GCs, %d ms GC", run2.peakHeapBytes / (1024.0 * 1024),
        run2.gcCount, run2.gcMillis);
    table.row("replay: generation (appendAsync)", "%,.0f appends/s (%,d bytes, %d B/entry)", c.entries() / genSeconds,
        ledgerBytes, ledgerBytes / c.entries());

    if (c.boundedHeapCheck()) {
      Summary b = s.child("boundedHeap");
      ChildResult r = verifyInChildJvm(ledger, keyDir, c.parallelism(), BOUNDED_HEAP_MIB);
      b.put("xmxMiB", BOUNDED_HEAP_MIB).put("ok", r.ok).put("verified", r.verified)
          .put("entriesPerSec", r.entriesPerSec).put("peakHeapUsedMiB", r.peakHeapMiB).put("detail", r.detail);
      table.row("replay in -Xmx" + BOUNDED_HEAP_MIB + "m child JVM", "%s, %,.0f entries/s, peak heap %.0f MiB%s",
          r.ok && r.verified ? "OK (verified)" : "FAILED", r.entriesPerSec, r.peakHeapMiB,
          r.ok ? "" : " — " + r.detail);
    }
    if (sampler != null) {
      StringBuilder prof = new StringBuilder();
      sampler.report(prof, s.child("profile"));
      table.section("where replay time goes (stack samples during run 2)", prof.toString());
    }
  }

  /** Appends {@code entries} realistic entries with appendAsync (bounded in flight); returns when all are durable. */
  static void generate(Path dir, int entries, int chains, List<SigningKey> keys, long seed) throws Exception {
    Ledger.create(dir);
    Workload w = new Workload(seed);
    java.util.SplittableRandom pick = new java.util.SplittableRandom(seed * 31 + 7);
    long[] steps = new long[chains];
    String[] names = new String[chains];
    for (int i = 0; i < chains; i++) {
      names[i] = "org-" + (i % 7) + "/model-" + i;
    }
    Semaphore inFlight = new Semaphore(8192);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (Ledger ledger = Ledger.open(dir)) {
      for (int n = 0; n < entries && failure.get() == null; n++) {
        int chain = pick.nextInt(chains);
        inFlight.acquire();
        CompletableFuture<EntryRef> f = ledger.appendAsync(names[chain], w.event(names[chain], steps[chain]++),
            keys.get(chain % keys.size()));
        f.whenComplete((r, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
          inFlight.release();
        });
      }
      inFlight.acquire(8192);
      inFlight.release(8192);
      if (ledger.size() != entries && failure.get() == null) {
        throw new IllegalStateException("generated ledger has " + ledger.size() + " entries, expected " + entries);
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("ledger generation failed: " + failure.get(), failure.get());
    }
  }

  record Timed(double seconds, boolean verified, long checked, long peakHeapBytes, long gcCount, long gcMillis) {}

  static Timed verifyTimed(LedgerVerifier verifier, Path ledger, long expected)
      throws IOException, FormatException {
    System.gc();
    HeapWatch heap = new HeapWatch();
    long gc0 = HeapWatch.gcCount();
    long gcMs0 = HeapWatch.gcMillis();
    long t0 = System.nanoTime();
    VerificationReport report;
    try {
      report = verifier.verify(ledger);
    } finally {
      heap.close();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (report.entriesChecked() != expected) {
      throw new IllegalStateException("replay checked " + report.entriesChecked() + " entries, expected " + expected
          + ": " + report);
    }
    return new Timed(seconds, report.verified(), report.entriesChecked(), heap.peak(), HeapWatch.gcCount() - gc0,
        HeapWatch.gcMillis() - gcMs0);
  }

  private record ChildResult(boolean ok, boolean verified, double entriesPerSec, double peakHeapMiB, String detail) {}

  private static final Pattern NUM = Pattern.compile("\"(entriesPerSec|peakHeapUsedMiB)\":([0-9.eE+-]+)");

  /** Runs {@code BenchMain verify-only} in a fresh JVM with {@code -Xmx<xmx>m}. */
  private static ChildResult verifyInChildJvm(Path ledger, Path trust, int parallelism, long xmxMiB)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = List.of(java, "-Xmx" + xmxMiB + "m", "-cp", System.getProperty("java.class.path"),
        BenchMain.class.getName(), "verify-only", "--ledger", ledger.toString(), "--trust", trust.toString(),
        "--parallelism", Integer.toString(parallelism));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return new ChildResult(false, false, Double.NaN, Double.NaN, "timed out");
    }
    String last = output.strip();
    last = last.substring(last.lastIndexOf('\n') + 1);
    if (p.exitValue() != 0 || !last.startsWith("{")) {
      String tail = output.length() > 400 ? output.substring(output.length() - 400) : output;
      return new ChildResult(false, false, Double.NaN, Double.NaN,
          "exit " + p.exitValue() + ": " + tail.replace('\n', ' '));
    }
    double eps = Double.NaN;
    double peak = Double.NaN;
    Matcher m = NUM.matcher(last);
    while (m.find()) {
      if (m.group(1).equals("entriesPerSec")) {
        eps = Double.parseDouble(m.group(2));
      } else {
        peak = Double.parseDouble(m.group(2));
      }
    }
    return new ChildResult(true, last.contains("\"verified\":true"), eps, peak, String.join(" ", cmd));
  }

  /** {@code verify-only}: what the bounded-heap child JVM runs. Prints one JSON line. */
  static int verifyOnly(Path ledger, Path trustDir, int parallelism) throws Exception {
    TrustedKeys trust = TrustedKeys.load(trustDir);
    LedgerVerifier verifier = LedgerVerifier.builder(trust).parallelism(parallelism).build();
    HeapWatch heap = new HeapWatch();
    long t0 = System.nanoTime();
    VerificationReport report;
    try {
      report = verifier.verify(ledger);
    } finally {
      heap.close();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Summary s = new Summary().put("verified", report.verified()).put("entries", report.entriesChecked())
        .put("seconds", seconds).put("entriesPerSec", report.entriesChecked() / seconds)
        .put("peakHeapUsedMiB", heap.peak() / (1024.0 * 1024))
        .put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024.0 * 1024));
    System.out.println(s.toJson());
    return report.verified() ? 0 : 1;
  }

  static long directorySize(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) files::iterator) {
        total += Files.size(p);
      }
      return total;
    }
  }
}
