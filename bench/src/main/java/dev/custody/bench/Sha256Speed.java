package dev.custody.bench;

import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.Sha256Engine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SHA-256 speed on this machine, all figures from one run so that their ratios mean something on a
 * shared machine: {@code openssl speed -evp sha256} (the limit, per core), the JDK's and Bouncy
 * Castle LTS's SHA-256 on memory (one thread, rounds interleaved, median), and {@link ModelHasher}
 * end to end on a generated file in the page cache (files: one thread; shards: all processors).
 *
 * <p>Usage: {@code java -cp … dev.custody.bench.Sha256Speed [MiB per round, default 512] [rounds, default 5]}
 */
public final class Sha256Speed {
  private static final int BUFFER = ModelHasher.DEFAULT_BUFFER_SIZE;

  private Sha256Speed() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 512;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("cores=%d, BC native SHA-256=%s, AUTO resolves to %s, buffer=%d KiB%n", cores,
        Sha256Engine.bouncyCastleNativeAvailable(), Sha256Engine.AUTO.resolve(), BUFFER / 1024);

    double openssl = opensslMBps();
    System.out.printf("openssl speed -evp sha256 (-bytes %d, 1 core): %.0f MB/s; limit x %d cores = %.0f MB/s%n",
        BUFFER, openssl, cores, openssl * cores);

    byte[] buf = new byte[BUFFER];
    new Random(1).nextBytes(buf);
    long bytes = mib << 20;
    List<Double> jdk = new ArrayList<>();
    List<Double> bc = new ArrayList<>();
    for (int r = 0; r < rounds + 1; r++) {
      double j = memory(Sha256Engine.JDK, buf, bytes);
      double b = memory(Sha256Engine.BOUNCY_CASTLE, buf, bytes);
      if (r > 0) { // round 0 warms up the JIT
        jdk.add(j);
        bc.add(b);
      }
    }
    System.out.printf("memory, 1 thread: JDK %.0f MB/s (%.2f x openssl), BC LTS %.0f MB/s (%.2f x openssl)"
        + "  [rounds JDK %s, BC %s]%n", median(jdk), median(jdk) / openssl, median(bc), median(bc) / openssl,
        fmt(jdk), fmt(bc));

    Path dir = Files.createTempDirectory("custody-hash-bench");
    try {
      Path file = dir.resolve("weights.bin");
      try (OutputStream out = Files.newOutputStream(file)) {
        for (long n = 0; n < bytes; n += buf.length) {
          out.write(buf);
        }
      }
      for (Sha256Engine e : List.of(Sha256Engine.JDK, Sha256Engine.BOUNCY_CASTLE)) {
        ModelHasher one = ModelHasher.builder().engine(e).threads(1).build();
        ModelHasher all = ModelHasher.builder().engine(e).shards(Math.max(1, bytes / (4L * cores))).build();
        hashFile(one, dir); // warm-up, and pulls the file into the page cache
        List<Double> f1 = new ArrayList<>();
        List<Double> sAll = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          f1.add(hashFile(one, dir) / 1e6);
          sAll.add(hashFile(all, dir) / 1e6);
        }
        System.out.printf("ModelHasher %s: files/1 thread %.0f MB/s (%.2f x 1-core limit); shards/%d threads"
            + " %.0f MB/s (%.2f x %d-core limit)%n", e, median(f1), median(f1) / openssl, cores, median(sAll),
            median(sAll) / (openssl * cores), cores);
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double memory(Sha256Engine engine, byte[] buf, long bytes) {
    Sha256Engine.Hasher h = engine.newHasher();
    long t0 = System.nanoTime();
    for (long n = 0; n < bytes; n += buf.length) {
      h.update(buf, 0, buf.length);
    }
    h.finish();
    return bytes / ((System.nanoTime() - t0) / 1e9) / 1e6;
  }

  /** Bytes per second. */
  private static double hashFile(ModelHasher h, Path dir) throws Exception {
    long size = Files.size(dir.resolve("weights.bin"));
    long t0 = System.nanoTime();
    ModelManifest m = h.hash(dir);
    double s = (System.nanoTime() - t0) / 1e9;
    if (m.resources().isEmpty()) {
      throw new AssertionError();
    }
    return size / s;
  }

  private static double opensslMBps() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("openssl", "speed", "-seconds", "3", "-bytes", Integer.toString(BUFFER),
        "-evp", "sha256").redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = Pattern.compile("(?m)^sha256\\s+([0-9.]+)k").matcher(out);
    if (!m.find()) {
      throw new IOException("cannot read openssl speed output:\n" + out);
    }
    return Double.parseDouble(m.group(1)) * 1000 / 1e6;
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static String fmt(List<Double> xs) {
    return Arrays.toString(xs.stream().mapToLong(Math::round).toArray());
  }
}
