package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mapped path of {@link FileRangeHasher} against its read path and against {@link MessageDigest}
 * over the bytes in memory: same digest for every range (window and buffer boundaries crossed,
 * unaligned starts, empty ranges), and a file that ends early is reported, never hashed short.
 */
class FileRangeHasherTest {
  private static final int BUFFER = 4096;
  /** A small window so that small files cross many window boundaries; not a multiple of the buffer or a page. */
  private static final long WINDOW = 3 * 4096 + 1000;

  @TempDir Path tmp;

  private static String expected(byte[] data, int start, int length) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data, start, length);
    return HexFormat.of().formatHex(md.digest());
  }

  private static String hash(FileRangeHasher h, Path file, long start, long length, Sha256Engine engine,
      AtomicLong counted) throws Exception {
    Sha256Engine.Hasher hasher = engine.newHasher();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThat(h.hash(ch, file, start, length, hasher, counted::addAndGet, new AtomicBoolean())).isTrue();
    }
    return HexFormat.of().formatHex(hasher.finish());
  }

  @Test
  void mappingAvailable_onThisJdk_true() {
    // The build's JDK offers sun.misc.Unsafe.invokeCleaner: the mapped path is the one users get.
    assertThat(FileRangeHasher.mappingAvailable()).isTrue();
    assertThat(new FileRangeHasher(BUFFER).maps(FileRangeHasher.MAP_MIN)).isTrue();
    assertThat(new FileRangeHasher(BUFFER).maps(FileRangeHasher.MAP_MIN - 1)).isFalse();
    assertThat(new FileRangeHasher(BUFFER).maps(0)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Sha256Engine.class)
  void hash_randomRanges_mappedEqualsReadEqualsInMemory(Sha256Engine engine) throws Exception {
    SplittableRandom random = new SplittableRandom(2026);
    byte[] data = new byte[5 * (int) WINDOW + 777];
    random.nextBytes(data);
    Path file = tmp.resolve("w.bin");
    Files.write(file, data);
    FileRangeHasher mapped = new FileRangeHasher(BUFFER, 0, WINDOW);
    FileRangeHasher read = new FileRangeHasher(BUFFER, Long.MAX_VALUE, WINDOW);
    int[][] fixed = {{0, data.length}, {0, 0}, {0, 1}, {1, data.length - 1}, {0, (int) WINDOW},
        {0, (int) WINDOW + 1}, {(int) WINDOW - 1, 2}, {4095, 4097}, {data.length - 1, 1}, {data.length, 0}};
    for (int trial = 0; trial < fixed.length + 200; trial++) {
      int start;
      int length;
      if (trial < fixed.length) {
        start = fixed[trial][0];
        length = fixed[trial][1];
      } else {
        start = random.nextInt(data.length + 1);
        length = random.nextInt(data.length - start + 1);
      }
      AtomicLong mappedCount = new AtomicLong();
      AtomicLong readCount = new AtomicLong();
      String want = expected(data, start, length);

      assertThat(hash(mapped, file, start, length, engine, mappedCount)).as("mapped [%d, +%d)", start, length)
          .isEqualTo(want);
      assertThat(hash(read, file, start, length, engine, readCount)).as("read [%d, +%d)", start, length)
          .isEqualTo(want);
      assertThat(mappedCount).hasValue(length);
      assertThat(readCount).hasValue(length);
    }
  }

  @Test
  void hash_rangePastEndOfFile_shrankNotShortDigest() throws Exception {
    Path file = tmp.resolve("short.bin");
    Files.write(file, new byte[10_000]);
    for (FileRangeHasher h : new FileRangeHasher[] {new FileRangeHasher(BUFFER, 0, WINDOW),
        new FileRangeHasher(BUFFER, Long.MAX_VALUE, WINDOW)}) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        assertThatThrownBy(() -> h.hash(ch, file, 5_000, 20_000, Sha256Engine.JDK.newHasher(), n -> { },
            new AtomicBoolean()))
            .isInstanceOf(FileRangeHasher.ShrankException.class).hasMessageContaining("shrank to 10000 bytes");
      }
    }
  }

  @Test
  void hash_cancelled_stopsAndSaysSo() throws Exception {
    Path file = tmp.resolve("c.bin");
    Files.write(file, new byte[(int) WINDOW * 2]);
    AtomicBoolean cancelled = new AtomicBoolean();
    AtomicLong counted = new AtomicLong();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      boolean done = new FileRangeHasher(BUFFER, 0, WINDOW).hash(ch, file, 0, WINDOW * 2, Sha256Engine.JDK.newHasher(),
          n -> {
            counted.addAndGet(n);
            cancelled.set(true);
          }, cancelled);

      assertThat(done).isFalse();
      assertThat(counted).hasValue(BUFFER);
    }
  }

  @Test
  void updateByteBuffer_defaultAndJdk_equalArrayUpdate() throws Exception {
    byte[] data = new byte[100_000];
    new SplittableRandom(5).nextBytes(data);
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
    for (Sha256Engine engine : Sha256Engine.values()) {
      Sha256Engine.Hasher h = engine.newHasher();
      direct.position(10).limit(90_000);
      h.update(direct);

      assertThat(direct.position()).isEqualTo(90_000);
      assertThat(HexFormat.of().formatHex(h.finish())).as(engine.name()).isEqualTo(expected(data, 10, 89_990));
    }
  }
}
