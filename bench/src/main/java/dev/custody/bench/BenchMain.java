package dev.custody.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Arrays;

/**
 * Entry point of the scale benchmarks (DESIGN.md §8). Each figure is printed beside the physical
 * limit measured in the same run, and as a ratio to it, because absolute numbers drift on shared
 * machines. Output: progress notes ({@code # ...}), a table, and as the last line one JSON object.
 *
 * <pre>
 * BenchMain [replay|append|all|hash] [--entries N] [--chains N] [--keys N] [--seconds S]
 *           [--threads 1,16] [--parallelism N] [--dir DIR] [--no-bounded-heap] [--profile]
 *           [--openssl PATH] [--openssl-seconds S] [--keep]
 * BenchMain verify-only --ledger DIR --trust DIR [--parallelism N]
 * BenchMain cli --custody PATH [--entries N] [--batch-lines 10000,50000] [--model-gib G] [--runs R]
 *               [--java-opts 'A|B'] [--only verify,log,batch,hash]
 * </pre>
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  private static final String USAGE = """
      usage: custody-bench [replay|append|all|hash] [options]
        --entries N          replay: ledger size (default 100000)
        --chains N           replay: number of chains (default 64)
        --keys N             Ed25519 signing keys (default 4)
        --seconds S          append: measured seconds per thread count (default 8)
        --threads LIST       append: thread counts, comma-separated (default 1,16)
        --parallelism N      replay: verifier threads (default: available processors)
        --dir DIR            working directory for ledgers and the fsync probe (default: a temp dir)
        --no-bounded-heap    replay: skip the -Xmx256m child-JVM replay
        --profile            sample thread stacks and print where the time goes
        --openssl PATH       openssl binary (default: openssl)
        --openssl-seconds S  duration of each openssl speed run (default 3)
        --keep               keep the generated ledgers (and model)
        --total-gib G        hash: size of the generated model directory (default 4)
        --shard-size N       hash: shard size in bytes (default 1000000000; the largest file is 45 %)
        --custody PATH       cli: the custody launcher (default ./custody)
        --batch-lines LIST   cli: record --batch lengths, comma-separated (default 10000,50000)
        --model-gib G        cli: size of the model custody hash reads (default 2.5: largest file 1.2 GB)
        --runs R             cli: fresh processes per command, median reported (default 3)
        --java-opts 'A|B'    cli: CUSTODY_JAVA_OPTS variants to compare ('' = the launcher as it is)
        --only LIST          cli: verify,log,batch,hash (default all)
        --no-warm            cli: skip the warmed in-JVM figures
      """;

  static int run(String[] args) throws Exception {
    String mode = "all";
    int entries = 100_000;
    int chains = 64;
    int keys = 4;
    double seconds = 8;
    int[] threads = {1, 16};
    int parallelism = Runtime.getRuntime().availableProcessors();
    Path dir = null;
    Path ledger = null;
    Path trust = null;
    boolean boundedHeap = true;
    boolean profile = false;
    boolean keep = false;
    String openssl = "openssl";
    int opensslSeconds = 3;
    double totalGiB = 4;
    long shardSize = dev.custody.core.manifest.Serialization.DEFAULT_SHARD_SIZE;
    Path custody = Path.of("custody");
    java.util.List<Integer> batchLines = java.util.List.of(10_000, 50_000);
    double modelGiB = 2.5; // several GiB, the largest file (45 %) over 1 GB, as the hash target asks
    String pgUrl = null;
    boolean threadsGiven = false;
    boolean pgStandby = false;
    int runs = 3;
    java.util.List<String> javaOpts = java.util.List.of("");
    java.util.List<String> only = java.util.List.of();
    boolean warm = true;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "replay", "append", "all", "verify-only", "hash", "lineage", "cli", "pg" -> mode = a;
          case "--pg-url" -> pgUrl = value(a, args, ++i);
          case "--pg-standby" -> pgStandby = true;
          case "--custody" -> custody = Path.of(value(a, args, ++i)).toAbsolutePath();
          case "--batch-lines" -> batchLines = Arrays.stream(value(a, args, ++i).split(",", -1)).map(Integer::valueOf).toList();
          case "--model-gib" -> modelGiB = Double.parseDouble(value(a, args, ++i));
          case "--runs" -> runs = positive(a, args, ++i);
          case "--java-opts" -> javaOpts = Arrays.asList(value(a, args, ++i).split("\\|", -1));
          case "--no-warm" -> warm = false;
          case "--only" -> only = Arrays.asList(value(a, args, ++i).split(",", -1));
          case "--total-gib" -> totalGiB = Double.parseDouble(value(a, args, ++i));
          case "--shard-size" -> shardSize = Long.parseLong(value(a, args, ++i));
          case "--entries" -> entries = positive(a, args, ++i);
          case "--chains" -> chains = positive(a, args, ++i);
          case "--keys" -> keys = positive(a, args, ++i);
          case "--seconds" -> seconds = Double.parseDouble(value(a, args, ++i));
          case "--threads" -> {
            threads = Arrays.stream(value(a, args, ++i).split(",", -1)).mapToInt(Integer::parseInt).toArray();
            threadsGiven = true;
          }
          case "--parallelism" -> parallelism = positive(a, args, ++i);
          case "--dir" -> dir = Path.of(value(a, args, ++i));
          case "--ledger" -> ledger = Path.of(value(a, args, ++i));
          case "--trust" -> trust = Path.of(value(a, args, ++i));
          case "--no-bounded-heap" -> boundedHeap = false;
          case "--profile" -> profile = true;
          case "--keep" -> keep = true;
          case "--openssl" -> openssl = value(a, args, ++i);
          case "--openssl-seconds" -> opensslSeconds = positive(a, args, ++i);
          case "-h", "--help" -> {
            System.out.print(USAGE);
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      if (seconds <= 0 || threads.length == 0 || Arrays.stream(threads).anyMatch(t -> t < 1)) {
        throw new IllegalArgumentException("--seconds and --threads must be positive");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("custody-bench: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    }
    if (mode.equals("verify-only")) {
      if (ledger == null || trust == null) {
        System.err.println("custody-bench: verify-only needs --ledger DIR and --trust DIR");
        return 2;
      }
      return ReplayBench.verifyOnly(ledger, trust, parallelism);
    }

    boolean tempDir = dir == null;
    Path work = tempDir ? Files.createTempDirectory("custody-bench-") : dir.resolve("work-" + System.currentTimeMillis());
    Files.createDirectories(work);
    Summary summary = new Summary().put("bench", "custody").put("mode", mode).put("time", Instant.now().toString());
    environment(summary.child("env"), work);
    Table table = new Table(System.out);
    table.note("custody bench %s: %d cores, %s, work dir %s, load average %s", mode,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), work, loadAverage());
    boolean ok = true;
    try {
      if (mode.equals("replay") || mode.equals("all")) {
        table.rule("replay verification (target: >= 0.7 x openssl ed25519 verify/s x cores)");
        ReplayBench.run(new ReplayBench.Config(work, entries, chains, keys, parallelism, boundedHeap, openssl,
            opensslSeconds, profile), table, summary);
      }
      if (mode.equals("lineage")) {
        table.rule("lineage and trust policy (target: add < 20 % to the replay; lineage of one model < 1 s)");
        LineageBench.run(new LineageBench.Config(work, entries, chains == 64 ? 1000 : chains, parallelism, openssl,
            opensslSeconds), table, summary);
      }
      if (mode.equals("cli")) {
        table.rule("the CLI in fresh processes (targets: verify >= 0.7 x openssl ed25519 x cores, log < 2 s, "
            + "record --batch >= 10,000/s in < 256 MiB, hash >= 0.9 x openssl sha256 x cores)");
        CliBench.run(new CliBench.Config(tempDir ? work : dir.resolve("cli-data"), work, custody, entries, chains, keys,
            batchLines, modelGiB, runs, javaOpts, only, warm, openssl, opensslSeconds), table, summary);
      }
      if (mode.equals("hash")) {
        table.rule("model hashing (target: >= 0.9 x openssl sha256 x cores, and no more than the disk delivers)");
        HashBench.run(new HashBench.Config(work, totalGiB, shardSize, parallelism, openssl, keep), table, summary);
      }
      if (mode.equals("pg")) {
        table.rule("durable appends on PostgreSQL (target: >= 5,000 appends/s with 64 appenders on 2 cores)");
        if (pgUrl == null) {
          throw new IllegalArgumentException("pg needs --pg-url postgresql://USER@HOST:PORT/postgres (bench/run.sh pg starts"
              + " a server and passes it)");
        }
        int[] pgThreads = threadsGiven ? threads : new int[] {1, 16, 64};
        PgAppendBench.run(new PgAppendBench.Config(work, pgUrl, pgStandby, pgThreads, seconds, keys), table, summary);
      }
      if (mode.equals("append") || mode.equals("all")) {
        table.rule("durable appends (target: >= 10,000 appends/s with 16 appenders on 2 cores)");
        AppendBench.run(new AppendBench.Config(work, threads, seconds, keys, profile), table, summary);
      }
    } catch (Exception | Error e) {
      ok = false;
      summary.put("error", String.valueOf(e));
      table.print();
      e.printStackTrace();
      System.out.println(summary.toJson());
      return 1;
    } finally {
      summary.child("env").put("loadAverageAfter", loadAverage());
      if (!keep) {
        deleteTree(work);
      }
    }
    table.rule("summary");
    table.print();
    System.out.println(summary.toJson());
    return ok ? 0 : 1;
  }

  private static void environment(Summary env, Path work) {
    Runtime rt = Runtime.getRuntime();
    env.put("cores", rt.availableProcessors()).put("maxHeapMiB", rt.maxMemory() >> 20)
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"))
        .put("workDir", work.toAbsolutePath().toString()).put("loadAverageBefore", loadAverage());
  }

  /** The 1-minute load average from /proc/loadavg, so a reader can judge how busy a shared machine was. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String value(String flag, String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int positive(String flag, String[] args, int i) {
    int v;
    try {
      v = Integer.parseInt(value(flag, args, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a positive integer, got '" + args[i] + "'");
    }
    if (v < 1) {
      throw new IllegalArgumentException(flag + " needs a positive integer, got " + v);
    }
    return v;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("custody-bench: could not delete " + root + ": " + e.getMessage());
    }
  }
}
