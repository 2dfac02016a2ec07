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
 * launcher passes it to {@code java}), the variants taking turns run by run, to choose launcher flags
 * by measurement. Each run of a command with a physical limit is set against {@code openssl speed}
 * probed just before it, not once at the start: this host's speed drifts within minutes.
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

  /**
   * One fresh-process run as /usr/bin/time saw it (or the medians of several), with the limit probed
   * just before it and the ratios to it (NaN without a probe).
   */
  record Run(double wall, double cpu, double rssMiB, double limitPerCore, double ratio, double cpuRatio) {}

  private CliBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("cli");
    int cores = Runtime.getRuntime().availableProcessors();
    Files.createDirectories(c.dataDir());
    Data data = prepare(c, table);
    launcher(c);

    // The limits at the start, for the warmed in-JVM figures; each fresh-process run is set against
    // its own probe, made just before it (this host's speed drifts by up to 2x within minutes).
    double edPerCore = Double.NaN;
    double shaPerCore = Double.NaN;
    if (wants(c, "verify")) {
      edPerCore = ed25519(c, OpensslSpeed.Rates::verifyPerSec);
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
    FsyncProbe.Result fsync = null;
    if (wants(c, "batch")) {
      Files.createDirectories(c.work());
      fsync = FsyncProbe.measure(c.work(), 2, 1_000_000);
      table.note("fsync probe (4 KiB write + force) in %s: median %.0f us -> %,.0f fsyncs/s (load %s)", c.work(),
          fsync.medianMicros(), fsync.fsyncsPerSec(), BenchMain.loadAverage());
    }
    s.put("cores", cores).put("runs", c.runs()).put("opensslEd25519VerifyPerSecPerCore", edPerCore)
        .put("opensslSha256MBpsPerCore", shaPerCore)
        .put("fsyncMedianMicros", fsync == null ? Double.NaN : fsync.medianMicros());

    Double warmVerify = c.warm() && wants(c, "verify") ? warmVerify(data, c.entries(), table) : Double.NaN;
    Double warmHash = c.warm() && wants(c, "hash") ? warmHash(data, table) : Double.NaN;

    List<Summary> variants = new ArrayList<>();
    for (String opts : c.javaOpts()) {
      variants.add(new Summary().put("javaOpts", opts));
    }
    table.rule("fresh process" + (c.javaOpts().size() > 1 ? " (variants interleaved run by run)" : ""));
    if (wants(c, "verify")) {
      List<Run> runs = measure(c, table, "verify", data.root().resolve("verify.out"), null,
          List.of("verify", "--ledger", data.ledger().toString(), "--trust", data.trust().toString(), "-q"),
          c.entries(), () -> ed25519(c, OpensslSpeed.Rates::verifyPerSec));
      for (int v = 0; v < runs.size(); v++) {
        Run r = runs.get(v);
        double rate = c.entries() / r.wall();
        table.row("verify " + c.entries() + " entries" + label(c, v), "%s  %,.0f entries/s = %.2f x openssl x %d cores"
            + " (target >= %.1f); per CPU-second %.2f x openssl; warmed in-JVM %,.0f/s = %.2f", fmt(r), rate, r.ratio(),
            cores, VERIFY_TARGET_RATIO, r.cpuRatio(), warmVerify, warmVerify / (edPerCore * cores));
        put(variants.get(v).child("verify"), r).put("entriesPerSec", rate).put("warmEntriesPerSec", warmVerify)
            .put("warmRatio", warmVerify / (edPerCore * cores));
      }
    }
    if (wants(c, "log")) {
      Path o = data.root().resolve("log.out");
      for (boolean json : new boolean[] {false, true}) {
        String name = json ? "log --json" : "log";
        List<String> args = json ? List.of("log", "--json", "--ledger", data.ledger().toString())
            : List.of("log", "--ledger", data.ledger().toString());
        List<Run> runs = measure(c, table, name, o, null, args, Double.NaN, null);
        requireLines(o, c.entries(), "custody " + name);
        for (int v = 0; v < runs.size(); v++) {
          table.row(name + " " + c.entries() + " entries" + label(c, v), json ? "%s" : "%s  (target < %.0f s)",
              fmt(runs.get(v)), LOG_TARGET_SECONDS);
          put(variants.get(v).child(json ? "logJson" : "log"), runs.get(v));
        }
      }
    }
    if (wants(c, "batch")) {
      for (int lines : c.batchLines()) {
        Path ledger = c.work().resolve("batch-ledger");
        Path o = data.root().resolve("batch.out");
        // Signing bounds a batch: every entry is signed once, on all cores (openssl's rate is the
        // machine's); per CPU-second against one openssl core is steadier on a shared machine.
        List<Run> runs = measure(c, table, "record --batch " + lines, o, ledger,
            List.of("record", "--batch", data.batch(lines).toString(), "--key", data.key().toString(),
                "--ledger", ledger.toString(), "-q"), lines, () -> ed25519(c, OpensslSpeed.Rates::signPerSec));
        requireLines(o, lines, "custody record --batch");
        for (int v = 0; v < runs.size(); v++) {
          Run r = runs.get(v);
          double rate = lines / r.wall();
          table.row("record --batch " + lines + " lines" + label(c, v), "%s  %,.0f entries/s (target >= %,.0f, RSS <"
              + " %.0f MiB) = %.2f x openssl ed25519 sign x %d cores; per CPU-second %.2f x openssl; %.1f us CPU/entry",
              fmt(r), rate, BATCH_TARGET_PER_SEC, BATCH_TARGET_RSS_MIB, r.ratio(), cores, r.cpuRatio(),
              r.cpu() / lines * 1e6);
          put(variants.get(v).child("batch" + lines), r).put("entriesPerSec", rate)
              .put("cpuMicrosPerEntry", r.cpu() / lines * 1e6);
        }
      }
    }
    if (wants(c, "hash")) {
      warmCache(data.model());
      double megabytes = data.modelBytes() / 1e6;
      List<Run> runs = measure(c, table, "hash", data.root().resolve("hash.out"), null,
          List.of("hash", data.model().toString(), "-q"), megabytes, () -> HashBench.opensslMBps(c.openssl(), 1));
      double bound = filesBound(data.model(), cores);
      for (int v = 0; v < runs.size(); v++) {
        Run r = runs.get(v);
        double mbps = megabytes / r.wall();
        table.row("hash " + String.format(Locale.ROOT, "%.1f", c.modelGiB()) + " GiB (warm cache)" + label(c, v),
            "%s  %,.0f MB/s = %.2f x openssl x %d cores (target >= %.1f); per CPU-second %.2f x openssl; warmed"
            + " in-JVM %,.0f MB/s = %.2f; whole-file bound %.2f", fmt(r), mbps, r.ratio(), cores, HASH_TARGET_RATIO,
            r.cpuRatio(), warmHash, warmHash / (shaPerCore * cores), bound);
        put(variants.get(v).child("hash"), r).put("MBps", mbps).put("warmMBps", warmHash)
            .put("warmRatio", warmHash / (shaPerCore * cores)).put("filesBound", bound);
      }
    }
    s.put("variants", variants);
  }

  /** openssl speed ed25519 on one core, sign or verify per second; NaN if openssl cannot tell. */
  private static double ed25519(Config c, java.util.function.ToDoubleFunction<OpensslSpeed.Rates> which) {
    return OpensslSpeed.ed25519(c.openssl(), 1, c.opensslSeconds()).map(which::applyAsDouble).orElse(Double.NaN);
  }

  private static String label(Config c, int variant) {
    String opts = c.javaOpts().get(variant);
    return c.javaOpts().size() == 1 ? "" : opts.isBlank() ? " [launcher]" : " [" + opts + "]";
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
    return s.put("wallSeconds", r.wall()).put("cpuSeconds", r.cpu()).put("peakRssMiB", r.rssMiB())
        .put("limitPerCore", r.limitPerCore()).put("ratio", r.ratio()).put("cpuRatio", r.cpuRatio());
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

  /** A command's physical limit per core, probed (openssl speed) just before each of its runs. */
  interface Probe {
    double perCore() throws IOException, InterruptedException;
  }

  /**
   * Runs {@code custody args} {@code c.runs()} times in fresh processes per variant of the launcher's
   * JVM options, the variants taking turns run by run (so that the host's drift falls on each alike);
   * per variant, the medians of wall and CPU time and of the ratios, and the largest peak RSS.
   * {@code freshLedger}, if not null, is deleted and re-created with {@code custody init} (not timed)
   * before each run. With a {@code probe}, each run's {@code work} per second is set against the limit
   * probed just before it: ratio = work / wall / (limit x cores), per CPU-second = work / CPU / limit.
   */
  private static List<Run> measure(Config c, Table table, String name, Path stdout, Path freshLedger,
      List<String> args, double work, Probe probe) throws IOException, InterruptedException {
    int cores = Runtime.getRuntime().availableProcessors();
    List<List<Run>> runs = new ArrayList<>();
    c.javaOpts().forEach(o -> runs.add(new ArrayList<>()));
    Path timeOut = c.work().resolve("time.out");
    Path err = c.work().resolve("stderr.out");
    for (int i = 0; i < c.runs(); i++) {
      for (int v = 0; v < c.javaOpts().size(); v++) {
        String javaOpts = c.javaOpts().get(v);
        if (freshLedger != null) {
          deleteTree(freshLedger);
          exec(c, javaOpts, List.of("init", "--ledger", freshLedger.toString()), c.work().resolve("init.out"), err);
        }
        double limit = probe == null ? Double.NaN : probe.perCore();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", timeOut.toString(),
            c.custody().toString()));
        cmd.addAll(args);
        int rc = run(cmd, javaOpts, stdout, err);
        if (rc != 0) {
          throw new IllegalStateException("custody " + String.join(" ", args) + " exited " + rc + ": "
              + tail(err));
        }
        String[] f = Files.readString(timeOut).trim().split("\\s+", -1);
        double wall = Double.parseDouble(f[0]);
        double cpu = Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
        Run r = new Run(wall, cpu, Long.parseLong(f[3]) / 1024.0, limit, work / wall / (limit * cores),
            work / cpu / limit);
        runs.get(v).add(r);
        table.note("%s%s run %d: %s%s load %s", name, label(c, v), i + 1, fmt(r), probe == null ? ""
            : String.format(Locale.ROOT, " limit %,.0f/s per core (probed before), ratio %.2f;", limit, r.ratio()),
            BenchMain.loadAverage());
      }
    }
    List<Run> medians = new ArrayList<>();
    for (List<Run> rs : runs) {
      medians.add(new Run(median(rs, Run::wall), median(rs, Run::cpu),
          rs.stream().mapToDouble(Run::rssMiB).max().orElse(Double.NaN), median(rs, Run::limitPerCore),
          median(rs, Run::ratio), median(rs, Run::cpuRatio)));
    }
    return medians;
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> of) {
    double[] xs = runs.stream().mapToDouble(of).sorted().toArray();
    return xs[xs.length / 2];
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
