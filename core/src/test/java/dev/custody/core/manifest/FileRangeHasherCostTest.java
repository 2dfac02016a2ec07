package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints what hashing a file costs read (positional reads into a heap buffer) and mapped (windows of
 * {@link FileRangeHasher#WINDOW}), on one thread, rounds interleaved, medians of this thread's CPU
 * time — the figure {@link FileRangeHasher}'s class comment gives. Not asserted beyond the digests
 * agreeing; run on request, with the file in the page cache:
 * {@code mvn -pl core test -Dtest=FileRangeHasherCostTest -Dcustody.hashcost.file=PATH}.
 */
@EnabledIfSystemProperty(named = "custody.hashcost.file", matches = ".+")
class FileRangeHasherCostTest {
  private static final int ROUNDS = 5;

  @Test
  void readAndMapped_sameDigest_printsCpuPerGigabyte() throws Exception {
    Path file = Path.of(System.getProperty("custody.hashcost.file"));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FileRangeHasher read = new FileRangeHasher(ModelHasher.DEFAULT_BUFFER_SIZE, Long.MAX_VALUE, FileRangeHasher.WINDOW);
    FileRangeHasher mapped = new FileRangeHasher(ModelHasher.DEFAULT_BUFFER_SIZE, 0, FileRangeHasher.WINDOW);
    assertThat(mapped.maps(1)).as("this JVM can unmap a window").isTrue();
    long[][] cpu = new long[2][ROUNDS];
    String[] digest = new String[2];
    long size = 0;
    for (int r = 0; r < ROUNDS; r++) {
      for (int way = 0; way < 2; way++) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          size = ch.size();
          Sha256Engine.Hasher h = Sha256Engine.JDK.newHasher();
          long t0 = threads.getCurrentThreadCpuTime();
          (way == 0 ? read : mapped).hash(ch, file, 0, size, h, n -> { }, new AtomicBoolean());
          cpu[way][r] = threads.getCurrentThreadCpuTime() - t0;
          digest[way] = HexFormat.of().formatHex(h.finish());
        }
      }
      assertThat(digest[1]).isEqualTo(digest[0]);
    }
    double gb = size / 1e9;
    double readCpu = median(cpu[0]) / 1e9 / gb;
    double mappedCpu = median(cpu[1]) / 1e9 / gb;
    System.out.printf("%s, %.2f GB, %d rounds: read %.3f s CPU/GB, mapped %.3f s CPU/GB, mapped/read %.2f%n",
        file, gb, ROUNDS, readCpu, mappedCpu, mappedCpu / readCpu);
  }

  private static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
