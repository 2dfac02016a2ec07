package dev.custody.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.SigningKey;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The CLI as users run it (issue 9 item 6): each command in a fresh process through the {@code custody}
 * launcher, several times, with wall time, CPU time (user + system) and peak RSS from GNU
 * {@code /usr/bin/time}, beside the physical limit measured in the same run ({@code openssl speed})
 * and, where one exists, the same work in this warmed-up JVM.
 *
 * <p>The inputs are generated once and kept in {@code <dir>/cli-data} (a {@code complete} marker
 * is written last, so an interrupted generation is redone): a ledger of {@code --entries} realistic
 * entries and its trusted keys, batch files of {@code --batch-lines} lines with the signing key, and
 * a {@code --model-gib} model directory. {@code record --batch} runs on a fresh ledger each time
 * ({@code custody init} is not timed).
 *
 * <p>{@code --java-opts 'A|B'} runs every command once per variant of {@code CUSTODY_JAVA_OPTS} (the
 * launcher passes it to {@code java}), to choose launcher flags by measurement.
 */
final class CliBench {
  static final double VERIFY_TARGET_RATIO = 0.7;
  static final double LOG_TARGET_SECONDS = 2;
  static final double BATCH_TARGET_PER_SEC = 10_000;
  static final double BATCH_TARGET_RSS_MIB = 256;
  static final double HASH_TARGET_RATIO = 0.9;

  record Config(Path dataDir, Path work, Path custody, int entries, int chains, int keys, List<Integer> batchLines,
      double modelGiB, int runs, List<String> javaOpts, List<String> only, boolean warm, String openssl,
      int opensslSeconds) {}

  /** One fresh-process run, as /usr/bin/time saw it. */
  record Run(double wall, double cpu, double rssMiB) {}

  private CliBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("cli");
    int cores = Runtime.getRuntime().availableProcessors();
    Files.createDirectories(c.dataDir());
    Data data = prepare(c, table);
    launcher(c);

    double edPerCore = Double.NaN;
    double shaPerCore = Double.NaN;
    if (wants(c, "verify")) {
      edPerCore = OpensslSpeed.ed25519(c.openssl(), 1, c.opensslSeconds()).map(OpensslSpeed.Rates::verifyPerSec)
          .orElse(Double.NaN);
      table.note("openssl speed -seconds %d ed25519: %,.0f verify/s per core (load %s)", c.opensslSeconds(), edPerCore,
          BenchMain.loadAverage());
    }
    if (wants(c, "hash")) {
      shaPerCore = HashBench.opensslMBps(c.openssl(), 1);
      table.note("openssl speed -evp sha256 -bytes 1048576: %,.0f MB/s per core (load %s)", shaPerCore,
          BenchMain.loadAverage());
    }
    // record --batch: its physical limits, measured in the same run (signing on every core; the disk's
    // fsync, which a group commit pays once per batch of appends rather than per entry).
    double signPerCore = Double.NaN;
    FsyncProbe.Result fsync = null;
    if (wants(c, "batch")) {
      signPerCore = OpensslSpeed.ed25519(c.openssl(), 1, c.opensslSeconds()).map(OpensslSpeed.Rates::signPerSec)
          .orElse(Double.NaN);
      table.note("openssl speed -seconds %d ed25519: %,.0f sign/s per core (load %s)", c.opensslSeconds(), signPerCore,
          BenchMain.loadAverage());
      Files.createDirectories(c.work());
      fsync = FsyncProbe.measure(c.work(), 2, 1_000_000);
      table.note("fsync probe (4 KiB write + force) in %s: median %.0f us -> %,.0f fsyncs/s (load %s)", c.work(),
          fsync.medianMicros(), fsync.fsyncsPerSec(), BenchMain.loadAverage());
    }
    s.put("cores", cores).put("runs", c.runs()).put("opensslEd25519VerifyPerSecPerCore", edPerCore)
        .put("opensslSha256MBpsPerCore", shaPerCore).put("opensslEd25519SignPerSecPerCore", signPerCore)
        .put("fsyncMedianMicros", fsync == null ? Double.NaN : fsync.medianMicros());

    Double warmVerify = c.warm() && wants(c, "verify") ? warmVerify(data, c.entries(), table) : Double.NaN;
    Double warmHash = c.warm() && wants(c, "hash") ? warmHash(data, table) : Double.NaN;

    List<Summary> variants = new ArrayList<>();
    for (String opts : c.javaOpts()) {
      Summary v = new Summary().put("javaOpts", opts);
      variants.add(v);
      String label = opts.isBlank() ? "" : " [" + opts + "]";
      table.rule("fresh process" + label);
      if (wants(c, "verify")) {
        Run r = measure(c, table, "verify", opts, data.root().resolve("verify.out"), null,
            List.of("verify", "--ledger", data.ledger().toString(), "--trust", data.trust().toString(), "-q"));
        double rate = c.entries() / r.wall();
        double limit = edPerCore * cores;
        // Per CPU-second against one openssl core: steadier than wall time on a shared machine.
        double cpuRatio = c.entries() / r.cpu() / edPerCore;
        table.row("verify " + c.entries() + " entries", "%s  %,.0f entries/s = %.2f x openssl x %d cores (target >= %.1f)"
            + "; per CPU-second %.2f x openssl; warmed in-JVM %,.0f/s = %.2f", fmt(r), rate, rate / limit, cores,
            VERIFY_TARGET_RATIO, cpuRatio, warmVerify, warmVerify / limit);
        put(v.child("verify"), r).put("entriesPerSec", rate).put("ratio", rate / limit).put("cpuRatio", cpuRatio)
            .put("warmEntriesPerSec", warmVerify).put("warmRatio", warmVerify / limit);
      }
      if (wants(c, "log")) {
        Path o = data.root().resolve("log.out");
        Run r = measure(c, table, "log", opts, o, null, List.of("log", "--ledger", data.ledger().toString()));
        requireLines(o, c.entries(), "custody log");
        table.row("log " + c.entries() + " entries", "%s  (target < %.0f s)", fmt(r), LOG_TARGET_SECONDS);
        put(v.child("log"), r);
        Run j = measure(c, table, "log --json", opts, o, null, List.of("log", "--json", "--ledger",
            data.ledger().toString()));
        requireLines(o, c.entries(), "custody log --json");
        table.row("log --json " + c.entries() + " entries", "%s", fmt(j));
        put(v.child("logJson"), j);
      }
      if (wants(c, "batch")) {
        for (int lines : c.batchLines()) {
          Path ledger = c.work().resolve("batch-ledger");
          Path o = data.root().resolve("batch.out");
          Run r = measure(c, table, "record --batch " + lines, opts, o, ledger,
              List.of("record", "--batch", data.batch(lines).toString(), "--key", data.key().toString(),
                  "--ledger", ledger.toString(), "-q"));
          requireLines(o, lines, "custody record --batch");
          double rate = lines / r.wall();
          // Signing bounds a batch: every entry is signed once, on all cores (openssl's rate is the
          // machine's); per CPU-second against one openssl core is steadier on a shared machine.
          double signLimit = signPerCore * cores;
          double cpuRatio = lines / r.cpu() / signPerCore;
          table.row("record --batch " + lines + " lines", "%s  %,.0f entries/s (target >= %,.0f, RSS < %.0f MiB)"
              + " = %.2f x openssl ed25519 sign x %d cores; per CPU-second %.2f x openssl; %.1f us CPU/entry",
              fmt(r), rate, BATCH_TARGET_PER_SEC, BATCH_TARGET_RSS_MIB, rate / signLimit, cores, cpuRatio,
              r.cpu() / lines * 1e6);
          put(v.child("batch" + lines), r).put("entriesPerSec", rate).put("signRatio", rate / signLimit)
              .put("cpuSignRatio", cpuRatio).put("cpuMicrosPerEntry", r.cpu() / lines * 1e6);
        }
      }
      if (wants(c, "hash")) {
        warmCache(data.model());
        Run r = measure(c, table, "hash", opts, data.root().resolve("hash.out"), null,
            List.of("hash", data.model().toString(), "-q"));
        double mbps = data.modelBytes() / r.wall() / 1e6;
        double limit = shaPerCore * cores;
        double cpuRatio = data.modelBytes() / r.cpu() / 1e6 / shaPerCore;
        double bound = filesBound(data.model(), cores);
        table.row("hash " + String.format(Locale.ROOT, "%.1f", c.modelGiB()) + " GiB (warm cache)",
            "%s  %,.0f MB/s = %.2f x openssl x %d cores (target >= %.1f); per CPU-second %.2f x openssl; warmed"
            + " in-JVM %,.0f MB/s = %.2f; whole-file bound %.2f", fmt(r), mbps, mbps / limit, cores, HASH_TARGET_RATIO,
            cpuRatio, warmHash, warmHash / limit, bound);
        put(v.child("hash"), r).put("MBps", mbps).put("ratio", mbps / limit).put("cpuRatio", cpuRatio).put("warmMBps", warmHash)
            .put("warmRatio", warmHash / limit).put("filesBound", bound);
      }
    }
    s.put("variants", variants);
  }

  /**
   * The best ratio to openssl x cores that hashing whole files (the {@code files} method, the default)
   * can reach on this model with perfect per-core speed: each file's SHA-256 is sequential, so the
   * cores are busy for (bytes / cores) while the run lasts as long as the busiest core, whose share is
   * given by taking files largest first onto the least-loaded core, as ModelHasher's pool does.
   */
  static double filesBound(Path model, int cores) throws IOException {
    List<Long> sizes;
    try (var files = Files.list(model)) {
      sizes = new ArrayList<>(files.map(p -> p.toFile().length()).toList());
    }
    sizes.sort(Collections.reverseOrder());
    long[] load = new long[cores];
    long total = 0;
    for (long size : sizes) {
      int least = 0;
      for (int k = 1; k < cores; k++) {
        least = load[k] < load[least] ? k : least;
      }
      load[least] += size;
      total += size;
    }
    long busiest = 0;
    for (long l : load) {
      busiest = Math.max(busiest, l);
    }
    return busiest == 0 ? Double.NaN : (double) total / cores / busiest;
  }

  private static boolean wants(Config c, String what) {
    return c.only().isEmpty() || c.only().contains(what);
  }

  private static Summary put(Summary s, Run r) {
    return s.put("wallSeconds", r.wall()).put("cpuSeconds", r.cpu()).put("peakRssMiB", r.rssMiB());
  }

  private static String fmt(Run r) {
    return String.format(Locale.ROOT, "wall %.2f s, CPU %.2f s, peak RSS %.0f MiB;", r.wall(), r.cpu(), r.rssMiB());
  }

  // ------------------------------------------------------------------ fresh processes

  /** Builds the launcher's jar if it is stale (not timed). */
  private static void launcher(Config c) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(c.custody().toString(), "--version").inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(c.custody() + " --version failed: cannot run the CLI");
    }
  }

  /**
   * Runs {@code custody args} {@code c.runs()} times in fresh processes; the median wall and CPU time
   * and the largest peak RSS. {@code freshLedger}, if not null, is deleted and re-created with
   * {@code custody init} (not timed) before each run.
   */
  private static Run measure(Config c, Table table, String name, String javaOpts, Path stdout, Path freshLedger,
      List<String> args) throws IOException, InterruptedException {
    List<Run> runs = new ArrayList<>();
    Path timeOut = c.work().resolve("time.out");
    Path err = c.work().resolve("stderr.out");
    for (int i = 0; i < c.runs(); i++) {
      if (freshLedger != null) {
        deleteTree(freshLedger);
        exec(c, javaOpts, List.of("init", "--ledger", freshLedger.toString()), c.work().resolve("init.out"), err);
      }
      List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", timeOut.toString(),
          c.custody().toString()));
      cmd.addAll(args);
      int rc = run(cmd, javaOpts, stdout, err);
      if (rc != 0) {
        throw new IllegalStateException("custody " + String.join(" ", args) + " exited " + rc + ": "
            + tail(err));
      }
      String[] f = Files.readString(timeOut).trim().split("\\s+", -1);
      Run r = new Run(Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
          Long.parseLong(f[3]) / 1024.0);
      runs.add(r);
      table.note("%s run %d: %s load %s", name, i + 1, fmt(r), BenchMain.loadAverage());
    }
    List<Double> walls = new ArrayList<>(runs.stream().map(Run::wall).toList());
    List<Double> cpus = new ArrayList<>(runs.stream().map(Run::cpu).toList());
    Collections.sort(walls);
    Collections.sort(cpus);
    return new Run(walls.get(walls.size() / 2), cpus.get(cpus.size() / 2),
        runs.stream().mapToDouble(Run::rssMiB).max().orElse(Double.NaN));
  }

  private static void exec(Config c, String javaOpts, List<String> args, Path stdout, Path err)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(c.custody().toString()));
    cmd.addAll(args);
    int rc = run(cmd, javaOpts, stdout, err);
    if (rc != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + rc + ": " + tail(err));
    }
  }

  private static int run(List<String> cmd, String javaOpts, Path stdout, Path err)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    if (!javaOpts.isBlank()) {
      pb.environment().put("CUSTODY_JAVA_OPTS", javaOpts);
    } else {
      pb.environment().remove("CUSTODY_JAVA_OPTS");
    }
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " timed out");
    }
    return p.exitValue();
  }

  private static String tail(Path file) throws IOException {
    String s = Files.readString(file);
    return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
  }

  private static void requireLines(Path file, long expected, String what) throws IOException {
    long n;
    try (var lines = Files.lines(file)) {
      n = lines.count();
    }
    if (n != expected) {
      throw new IllegalStateException(what + " printed " + n + " lines, expected " + expected);
    }
  }

  private static void warmCache(Path model) throws IOException {
    byte[] buf = new byte[1 << 20];
    try (var files = Files.list(model)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        try (InputStream in = Files.newInputStream(f)) {
          while (in.read(buf) >= 0) {
            // reading is the point: the files end up in the page cache
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ warmed-up JVM

  /** Entries/s of the second of two replays in this JVM (LedgerVerifier, all cores). */
  private static double warmVerify(Data d, int entries, Table table) throws Exception {
    LedgerVerifier verifier = LedgerVerifier.builder(TrustedKeys.load(d.trust())).build();
    ReplayBench.verifyTimed(verifier, d.ledger(), entries);
    double seconds = ReplayBench.verifyTimed(verifier, d.ledger(), entries).seconds();
    table.note("warmed in-JVM replay (2nd run): %.2f s, %,.0f entries/s (load %s)", seconds, entries / seconds,
        BenchMain.loadAverage());
    return entries / seconds;
  }

  /** MB/s of the second of two hashes of the model in this JVM (ModelHasher defaults, as {@code custody hash}). */
  private static double warmHash(Data d, Table table) throws Exception {
    ModelHasher h = ModelHasher.builder().build();
    h.hash(d.model());
    long t0 = System.nanoTime();
    h.hash(d.model());
    double seconds = (System.nanoTime() - t0) / 1e9;
    table.note("warmed in-JVM hash (2nd run): %.2f s, %,.0f MB/s (load %s)", seconds, d.modelBytes() / seconds / 1e6,
        BenchMain.loadAverage());
    return d.modelBytes() / seconds / 1e6;
  }

  // ------------------------------------------------------------------ inputs, generated once

  record Data(Path root, Path ledger, Path trust, Path key, Path model, long modelBytes) {
    Path batch(int lines) {
      return root.resolve("batch-" + lines + ".jsonl");
    }
  }

  private static Data prepare(Config c, Table table) throws Exception {
    Path root = c.dataDir();
    Path keysDir = root.resolve("keys");
    Path trust = root.resolve("trust");
    Path keyFile = keysDir.resolve("batch.key");
    if (!Files.exists(keysDir.resolve("complete"))) {
      deleteTree(keysDir);
      deleteTree(trust);
      Files.createDirectories(keysDir);
      Files.createDirectories(trust);
      for (int i = 0; i < c.keys(); i++) {
        SigningKey k = SigningKey.generate(KeyAlgorithm.ED25519);
        k.writeTo(keysDir, "pipeline-" + i);
        Files.copy(keysDir.resolve("pipeline-" + i + ".pub"), trust.resolve("pipeline-" + i + ".pub"));
      }
      Files.copy(keysDir.resolve("pipeline-0.key"), keyFile, StandardCopyOption.REPLACE_EXISTING);
      Files.createFile(keysDir.resolve("complete"));
    }
    List<SigningKey> keys = new ArrayList<>();
    for (int i = 0; i < c.keys(); i++) {
      keys.add(SigningKey.load(keysDir.resolve("pipeline-" + i + ".key")));
    }
    Path ledger = root.resolve("ledger-" + c.entries() + "-" + c.chains());
    if (wants(c, "verify") || wants(c, "log")) {
      if (!Files.exists(ledger.resolve("complete"))) {
        deleteTree(ledger);
        table.note("generating a %,d-entry ledger on %d chains in %s (once)...", c.entries(), c.chains(), ledger);
        ReplayBench.generate(ledger.resolve("ledger"), c.entries(), c.chains(), keys, 2);
        Files.createFile(ledger.resolve("complete"));
      }
    }
    Data d = new Data(root, ledger.resolve("ledger"), trust, keyFile,
        root.resolve("model-" + String.format(Locale.ROOT, "%.2f", c.modelGiB())), 0);
    if (wants(c, "batch")) {
      for (int lines : c.batchLines()) {
        Path b = d.batch(lines);
        Path done = root.resolve(b.getFileName() + ".complete");
        if (!Files.exists(done)) {
          table.note("generating %s (once)...", b);
          writeBatch(b, lines, c.chains());
          Files.createFile(done);
        }
      }
    }
    long modelBytes = 0;
    if (wants(c, "hash")) {
      Path done = root.resolve(d.model().getFileName() + ".complete");
      long total = (long) (c.modelGiB() * (1L << 30));
      if (!Files.exists(done)) {
        deleteTree(d.model());
        Files.createDirectories(d.model());
        table.note("generating a %,d-byte model in %s (once)...", total, d.model());
        HashBench.generate(d.model(), total);
        Files.createFile(done);
      }
      modelBytes = total;
    }
    return new Data(d.root(), d.ledger(), d.trust(), d.key(), d.model(), modelBytes);
  }

  /** Batch lines: the events of {@link Workload}, each with its chain, as {@code record --batch} reads them. */
  private static void writeBatch(Path file, int lines, int chains) throws IOException {
    Workload w = new Workload(3);
    SplittableRandom pick = new SplittableRandom(11);
    long[] steps = new long[chains];
    ObjectMapper mapper = new ObjectMapper();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (int n = 0; n < lines; n++) {
        int chain = pick.nextInt(chains);
        String name = "org-" + (chain % 7) + "/batch-" + chain;
        byte[] payload = EntryCodec.encode(new EntryPayload(name, 1, Optional.of(Digest.sha256(new byte[0])),
            "0".repeat(64), Instant.EPOCH, w.event(name, steps[chain]++)));
        ObjectNode event = (ObjectNode) mapper.readTree(payload).get("event");
        ObjectNode line = mapper.createObjectNode().put("chain", name);
        line.setAll(event);
        out.write(mapper.writeValueAsString(line));
        out.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      List<Path> all = new ArrayList<>(walk.toList());
      Collections.reverse(all);
      for (Path p : all) {
        Files.delete(p);
      }
    }
  }
}
