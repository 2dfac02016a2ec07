package dev.custody.bench;

import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.Resource;
import dev.custody.core.manifest.Sha256Engine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model hashing end to end (issue 3, DESIGN.md §8): a generated multi-GB model directory hashed by
 * {@link ModelHasher} (shards serialization, all cores) in a child JVM, beside the limit measured
 * in the same run.
 *
 * <ul>
 *   <li>Model: {@code --total-gib} GiB (default 4) in 5 files: one of 45 % (larger than the shard
 *       size), the rest split over four files; pseudo-random content. Deleted afterwards unless
 *       {@code --keep}. The free space of the work directory is checked first.
 *   <li>CPU limit: {@code openssl speed -evp sha256 -bytes 1048576 -seconds 3} (one core) × the
 *       hashing threads; and {@code openssl speed -multi <threads>}, what those cores deliver under
 *       the machine's current load.
 *   <li>Disk limit: a direct-I/O sequential read of the largest file ({@code dd iflag=direct}), which
 *       bypasses the page cache without dropping anyone else's cache.
 *   <li>Cold hash: every file evicted from the page cache first ({@code dd iflag=nocache count=0},
 *       i.e. posix_fadvise DONTNEED on our files only), compared with min(CPU limit, disk).
 *       Warm hash: files in the page cache, compared with the CPU limit.
 *   <li>{@code sha256sum} and {@code openssl dgst -sha256} over the same files (warm, one process
 *       each, as a user would run them); custody's per-file digests (files serialization) are
 *       cross-checked against sha256sum's.
 *   <li>Peak RSS of the hashing JVM: its own {@code VmHWM} from {@code /proc/self/status}.
 * </ul>
 */
final class HashBench {
  private static final Pattern OPENSSL = Pattern.compile("(?m)^sha256\\s+.*?([0-9.]+)k\\s*$");
  private static final Pattern DD_BYTES = Pattern.compile("(\\d+) bytes");

  record Config(Path work, double totalGiB, long shardSize, int threads, String openssl, boolean keep) {}

  /** Warm rounds. */
  private static final int ROUNDS = 3;

  private HashBench() {}

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static String fmt(List<Double> xs) {
    StringBuilder sb = new StringBuilder("[");
    for (double x : xs) {
      sb.append(sb.length() > 1 ? " " : "").append(String.format(Locale.ROOT, "%.2f", x));
    }
    return sb.append(']').toString();
  }

  static void run(Config c, Table table, Summary summary) throws Exception {
    Path model = c.work().resolve("model");
    Files.createDirectories(model);
    long total = (long) (c.totalGiB() * (1L << 30));
    long free = Files.getFileStore(c.work()).getUsableSpace();
    if (free < total + (1L << 30)) {
      throw new IOException("not enough space in " + c.work() + ": " + (free >> 20) + " MiB free, "
          + ((total >> 20) + 1024) + " MiB needed; use --total-gib or --dir");
    }
    Summary s = summary.child("hash");
    try {
      long t0 = System.nanoTime();
      List<Path> files = generate(model, total);
      long largest = Files.size(files.get(0));
      table.note("generated %d files, %,d bytes (largest %,d) in %.1f s", files.size(), total, largest,
          (System.nanoTime() - t0) / 1e9);
      if (largest <= c.shardSize()) {
        table.note("warning: the largest file is not larger than the shard size %,d", c.shardSize());
      }

      double perCore = opensslMBps(c.openssl(), 1);
      double cpuLimit = perCore * c.threads();
      // What the same number of cores deliver right now, under the load other processes put on a
      // shared machine: the fairer yardstick when the load average exceeds the core count.

      double disk = directReadMBps(files.get(0));
      table.note("openssl sha256 %.0f MB/s per core; disk direct read %.0f MB/s", perCore, disk);

      evict(files);
      Child cold = child(model, c, "shards");
      // Warm: ROUNDS rounds, each an openssl -multi run right before a hash, so that each ratio
      // compares two figures taken under the same momentary load; medians reported.
      List<Double> warmRates = new ArrayList<>();
      List<Double> multis = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      Child warm = null;
      for (int r = 0; r < ROUNDS; r++) {
        double m = c.threads() > 1 ? opensslMBps(c.openssl(), c.threads()) : opensslMBps(c.openssl(), 1);
        warm = child(model, c, "shards");
        double rate = total / warm.seconds / 1e6;
        warmRates.add(rate);
        multis.add(m);
        ratios.add(rate / m);
        table.note("warm round %d: custody %.0f MB/s, openssl -multi %d %.0f MB/s, ratio %.2f (load %s)", r + 1,
            rate, c.threads(), m, rate / m, BenchMain.loadAverage());
      }
      double multi = median(multis);
      Child warmFiles = child(model, c, "files");
      double coldRate = total / cold.seconds / 1e6;
      double warmRate = median(warmRates);
      double coldLimit = disk > 0 ? Math.min(cpuLimit, disk) : cpuLimit;

      Timed sha256sum = time(files, "sha256sum");
      Timed dgst = time(files, c.openssl(), "dgst", "-sha256");
      boolean agree = crossCheck(sha256sum.output, warmFiles.fileDigests, model);

      table.row("model", "%d files, %.2f GiB, largest %.2f GiB, shards of %,d bytes", files.size(),
          total / (double) (1L << 30), largest / (double) (1L << 30), c.shardSize());
      table.row("openssl speed -evp sha256, 1 core", "%.0f MB/s", perCore);
      table.row("CPU limit = x " + c.threads() + " threads", "%.0f MB/s", cpuLimit);
      table.row("openssl speed -multi " + c.threads() + " (same load, median)", "%.0f MB/s", multi);
      table.row("disk, direct sequential read (dd)", disk > 0 ? "%.0f MB/s" : "n/a", disk);
      table.row("custody cold (page cache evicted)", "%.0f MB/s = %.2f GB/s, %.2f x min(CPU, disk)", coldRate,
          coldRate / 1e3, coldRate / coldLimit);
      table.row("custody warm (page cache, median of " + ROUNDS + ")", "%.0f MB/s = %.2f GB/s, %.2f x CPU limit",
          warmRate, warmRate / 1e3, warmRate / cpuLimit);
      table.row("custody warm / openssl -multi, per round", "median %.2f %s", median(ratios), fmt(ratios));
      table.row("sha256sum (warm, 1 process)", "%.0f MB/s; custody warm = %.2f x", total / sha256sum.seconds / 1e6,
          sha256sum.seconds / warm.seconds);
      table.row("openssl dgst -sha256 (warm, 1 process)", "%.0f MB/s; custody warm = %.2f x",
          total / dgst.seconds / 1e6, dgst.seconds / warm.seconds);
      table.row("peak RSS of the hashing JVM (VmHWM)", "cold %d MiB, warm %d MiB (JVM flags %s)",
          cold.vmHwmKiB >> 10, warm.vmHwmKiB >> 10, String.join(" ", childJvmFlags()));
      table.row("per-file digests = sha256sum's", "%s", agree ? "yes" : "NO");

      s.put("bytes", total).put("files", files.size()).put("largestBytes", largest).put("shardSize", c.shardSize())
          .put("threads", c.threads()).put("opensslMBpsPerCore", perCore).put("cpuLimitMBps", cpuLimit).put("opensslMultiMBps", multi)
          .put("diskDirectMBps", disk).put("coldMBps", coldRate).put("coldRatioToLimit", coldRate / coldLimit)
          .put("warmMBps", warmRate).put("warmRatioToCpuLimit", warmRate / cpuLimit)
          .put("warmRatioToMulti", median(ratios)).put("loadAverage", BenchMain.loadAverage())
          .put("sha256sumMBps", total / sha256sum.seconds / 1e6).put("opensslDgstMBps", total / dgst.seconds / 1e6)
          .put("peakRssMiBCold", cold.vmHwmKiB >> 10).put("peakRssMiBWarm", warm.vmHwmKiB >> 10)
          .put("rootDigest", warm.root).put("digestsAgreeWithSha256sum", agree)
          .put("engine", Sha256Engine.AUTO.resolve().toString());
      if (!agree) {
        throw new IllegalStateException("custody's per-file digests differ from sha256sum's");
      }
    } finally {
      if (!c.keep()) {
        try (var st = Files.list(model)) {
          for (Path p : (Iterable<Path>) st::iterator) {
            Files.delete(p);
          }
        }
        Files.delete(model);
      }
    }
  }

  /** Files of 45 %, then four of the remainder; pseudo-random content (a random MiB, varied per block). */
  static List<Path> generate(Path dir, long total) throws IOException {
    long big = total * 45 / 100;
    long rest = total - big;
    long[] sizes = {big, rest / 4, rest / 4, rest / 4, rest - 3 * (rest / 4)};
    byte[] block = new byte[1 << 20];
    new Random(42).nextBytes(block);
    List<Path> files = new ArrayList<>();
    long counter = 0;
    for (int i = 0; i < sizes.length; i++) {
      Path p = dir.resolve(String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, sizes.length));
      try (OutputStream out = Files.newOutputStream(p)) {
        for (long n = 0; n < sizes[i]; n += block.length) {
          ByteBuffer.wrap(block).putLong(0, counter++); // no two blocks alike
          out.write(block, 0, (int) Math.min(block.length, sizes[i] - n));
        }
      }
      files.add(p);
    }
    return files;
  }

  /** {@code openssl speed [-multi n] -evp sha256 -bytes 1048576 -seconds 3}: MB/s (all processes together). */
  static double opensslMBps(String openssl, int processes) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(openssl, "speed"));
    if (processes > 1) {
      cmd.addAll(List.of("-multi", Integer.toString(processes)));
    }
    cmd.addAll(List.of("-evp", "sha256", "-bytes", "1048576", "-seconds", "3"));
    String out = exec(cmd, 60);
    Matcher m = OPENSSL.matcher(out);
    if (!m.find()) {
      throw new IOException("cannot read the openssl speed output:\n" + out);
    }
    return Double.parseDouble(m.group(1)) * 1000 / 1e6;
  }

  /** MB/s of an O_DIRECT sequential read, or 0 if dd cannot do it here. */
  private static double directReadMBps(Path file) throws InterruptedException {
    try {
      long t0 = System.nanoTime();
      String out = exec(List.of("dd", "if=" + file, "of=/dev/null", "bs=16M", "iflag=direct"), 600);
      double s = (System.nanoTime() - t0) / 1e9;
      Matcher m = DD_BYTES.matcher(out);
      return m.find() ? Long.parseLong(m.group(1)) / s / 1e6 : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Drops our files (only) from the page cache: posix_fadvise(DONTNEED) through GNU dd. */
  private static void evict(List<Path> files) throws IOException, InterruptedException {
    for (Path f : files) {
      exec(List.of("dd", "if=" + f, "iflag=nocache", "count=0", "status=none"), 60);
    }
  }

  record Timed(double seconds, String output) {}

  private static Timed time(List<Path> files, String... cmd) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of(cmd));
    files.forEach(f -> c.add(f.toString()));
    long t0 = System.nanoTime();
    String out = exec(c, 1200);
    return new Timed((System.nanoTime() - t0) / 1e9, out);
  }

  private static boolean crossCheck(String sha256sumOut, Map<String, String> custody, Path model) {
    int n = 0;
    for (String line : (Iterable<String>) sha256sumOut.lines()::iterator) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\\s+\\*?", 2);
      String name = model.relativize(Path.of(f[1].strip())).toString();
      if (!f[0].equals(custody.get(name))) {
        return false;
      }
      n++;
    }
    return n == custody.size() && n > 0;
  }

  private static String exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
    }
    return out;
  }

  // ---------------------------------------------------------------- the hashing child JVM

  record Child(double seconds, long vmHwmKiB, String root, Map<String, String> fileDigests) {}

  /** Flags of the child JVM: a small heap, to show that memory does not grow with the model. */
  static List<String> childJvmFlags() {
    return List.of("-Xmx256m");
  }

  private static Child child(Path model, Config c, String method) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(childJvmFlags());
    cmd.addAll(List.of("-cp", cp, HashBench.class.getName(), model.toString(), method,
        Long.toString(c.shardSize()), Integer.toString(c.threads())));
    String out = exec(cmd, 1800);
    double seconds = 0;
    long hwm = 0;
    String root = "";
    Map<String, String> digests = new HashMap<>();
    for (String line : (Iterable<String>) out.lines()::iterator) {
      String[] f = line.split(" ", 2);
      switch (f[0]) {
        case "seconds" -> seconds = Double.parseDouble(f[1]);
        case "vmhwm" -> hwm = Long.parseLong(f[1]);
        case "root" -> root = f[1];
        case "file" -> {
          String[] g = f[1].split(" ", 2);
          digests.put(g[1], g[0]);
        }
        default -> { }
      }
    }
    if (seconds <= 0) {
      throw new IOException("hashing child printed no time:\n" + out);
    }
    return new Child(seconds, hwm, root, digests);
  }

  /** Child entry point: {@code MODEL files|shards SHARD_SIZE THREADS}; prints seconds, vmhwm (KiB), root, files. */
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    ModelHasher.Builder b = ModelHasher.builder().threads(Integer.parseInt(args[3]));
    if (args[1].equals("shards")) {
      b.shards(Long.parseLong(args[2]));
    }
    ModelHasher h = b.build();
    long t0 = System.nanoTime();
    ModelManifest m = h.hash(model);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.println("seconds " + s);
    System.out.println("root " + m.rootDigest());
    if (args[1].equals("files")) {
      for (Resource r : m.resources()) {
        System.out.println("file " + r.digest().value().hex() + " " + r.name());
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        System.out.println("vmhwm " + line.replaceAll("[^0-9]", ""));
      }
    }
  }
}
