package dev.custody.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The physical limit for durable appends: how long one {@code write(4 KiB) + fdatasync} takes on
 * the filesystem that holds the ledger. Like the ledger's segment files, the probe file grows by
 * each write, and it is forced with {@code FileChannel.force(false)} as the store does. A store
 * that fsyncs once per append cannot exceed {@code 1 / median} appends per second; group commit
 * is what lets it exceed that.
 */
final class FsyncProbe {
  static final int BLOCK = 4096;

  /** Latency figures in microseconds and the implied fsyncs per second. */
  record Result(int samples, double medianMicros, double p99Micros, double maxMicros, double fsyncsPerSec,
      double meanMicros) {}

  private FsyncProbe() {}

  /** Writes and forces 4 KiB blocks in a temporary file in {@code dir} for about {@code seconds}. */
  static Result measure(Path dir, double seconds, int maxSamples) throws IOException {
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "fsync-probe-", ".bin");
    long[] lat = new long[maxSamples];
    int n = 0;
    byte[] block = new byte[BLOCK];
    Arrays.fill(block, (byte) 'x');
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long pos = 0;
      while (n < maxSamples && (n < 20 || System.nanoTime() < deadline)) {
        ByteBuffer bb = ByteBuffer.wrap(block);
        long t0 = System.nanoTime();
        while (bb.hasRemaining()) {
          pos += ch.write(bb, pos);
        }
        ch.force(false);
        lat[n++] = System.nanoTime() - t0;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    long[] s = Arrays.copyOf(lat, n);
    Arrays.sort(s);
    double median = Stats.percentile(s, 50) / 1e3;
    double mean = java.util.Arrays.stream(s).average().orElse(0) / 1e3;
    return new Result(n, median, Stats.percentile(s, 99) / 1e3, s[n - 1] / 1e3, 1e6 / median, mean);
  }
}
