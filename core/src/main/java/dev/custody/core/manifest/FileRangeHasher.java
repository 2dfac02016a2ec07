package dev.custody.core.manifest;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Feeds a byte range of an open file to a {@link Sha256Engine.Hasher}, for one worker thread of a
 * {@link ModelHasher}: the bytes that reach the digest are exactly those of the range, in order,
 * whichever way they are read.
 *
 * <h2>How the bytes reach the digest</h2>
 * A range of at least {@link #MAP_MIN} bytes is memory-mapped a {@link #WINDOW} at a time and handed to
 * {@link java.security.MessageDigest#update(ByteBuffer)} in slices of the read buffer's size; each
 * window is unmapped as soon as it is hashed, so the mapped (resident) part of a file is at most one
 * window per thread whatever the file's size, and the process never holds more than one mapping per
 * thread. Positional reads into a heap buffer copy every byte twice (kernel to the JDK's direct
 * buffer, then to the heap array); a mapping copies none from the kernel. What that saves depends on
 * the host: about 12 % of the CPU on a warm page cache on the host this was written on, nothing
 * measurable on the 2026-12-06 host (0.60 s of CPU per GB either way; {@code FileRangeHasherCostTest},
 * run on request with {@code -Dcustody.hashcost.file=PATH}, prints both). Short ranges (and any window the file system will
 * not map) are read, as are all ranges when this JVM offers no way to unmap a window before the
 * garbage collector would (then mappings would pile up).
 *
 * <h2>A file that changes</h2>
 * A file that shrinks under a mapping makes the next access fault; the JVM reports that as an
 * {@link InternalError}, which {@link ModelHasher} turns into "changed while it was hashed" after
 * checking that the file's size did change. Growth and shrinking between windows are caught the same
 * way as with reads: by the size check after the range.
 */
final class FileRangeHasher {
  /** Ranges shorter than this are read: a mapping costs two system calls and a page-table set-up. */
  static final long MAP_MIN = 1L << 20;
  /** Bytes mapped at a time per thread. */
  static final long WINDOW = 64L << 20;

  private final byte[] buffer;
  private final ByteBuffer heap;
  private final long mapMin;
  private final long window;

  /** A hasher for one thread with a read buffer of {@code bufferSize} bytes and the default mapping sizes. */
  FileRangeHasher(int bufferSize) {
    this(bufferSize, UNMAPPER == null ? Long.MAX_VALUE : MAP_MIN, WINDOW);
  }

  /**
   * For tests: {@code mapMin} {@link Long#MAX_VALUE} reads everything, 0 maps every non-empty range;
   * {@code window} small to cross window boundaries with small files.
   */
  FileRangeHasher(int bufferSize, long mapMin, long window) {
    if (window < 1 || bufferSize < 1) {
      throw new IllegalArgumentException("window and buffer must be positive");
    }
    this.buffer = new byte[bufferSize];
    this.heap = ByteBuffer.wrap(buffer);
    this.mapMin = UNMAPPER == null ? Long.MAX_VALUE : mapMin;
    this.window = window;
  }

  /** Whether ranges of {@code length} bytes are mapped rather than read. */
  boolean maps(long length) {
    return length > 0 && length >= mapMin;
  }

  /** Told after each slice hashed: how many bytes. */
  interface Counter {
    void add(long bytes);
  }

  /**
   * Hashes {@code length} bytes of {@code ch} from {@code start} into {@code hasher} (not finished).
   *
   * @return false if {@code cancelled} was set before the range was done (the hasher then holds a
   *     partial digest and must be discarded)
   * @throws ShrankException if the file ends before the range does
   * @throws IOException if reading fails
   */
  boolean hash(FileChannel ch, Path file, long start, long length, Sha256Engine.Hasher hasher, Counter counter,
      AtomicBoolean cancelled) throws IOException, ShrankException {
    long end = start + length;
    long pos = start;
    boolean map = maps(length);
    while (pos < end) {
      long len = Math.min(map ? window : buffer.length, end - pos);
      boolean done = map ? mapped(ch, file, pos, len, hasher, counter, cancelled)
          : read(ch, pos, len, hasher, counter, cancelled);
      if (!done) {
        return false;
      }
      pos += len;
    }
    return true;
  }

  /** The file ended at {@link #at()} bytes, inside a range being hashed. */
  static final class ShrankException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long at;

    ShrankException(long at) {
      super(how(at), null, false, false);
      this.at = at;
    }

    /** What happened to the file, as the message says it ({@code getMessage()} is nullable, this is not). */
    String how() {
      return how(at);
    }

    private static String how(long at) {
      return "shrank to " + at + " bytes";
    }

    long at() {
      return at;
    }
  }

  private boolean read(FileChannel ch, long start, long len, Sha256Engine.Hasher hasher, Counter counter,
      AtomicBoolean cancelled) throws IOException, ShrankException {
    long pos = start;
    long end = start + len;
    while (pos < end) {
      if (cancelled.get()) {
        return false;
      }
      heap.clear();
      heap.limit((int) Math.min(buffer.length, end - pos));
      int n = ch.read(heap, pos);
      if (n < 0) {
        throw new ShrankException(pos);
      }
      hasher.update(buffer, 0, n);
      pos += n;
      counter.add(n);
    }
    return true;
  }

  private boolean mapped(FileChannel ch, Path file, long start, long len, Sha256Engine.Hasher hasher,
      Counter counter, AtomicBoolean cancelled) throws IOException, ShrankException {
    MappedByteBuffer w;
    try {
      w = ch.map(FileChannel.MapMode.READ_ONLY, start, len);
    } catch (IOException e) {
      long size = ch.size();
      if (size < start + len) {
        throw new ShrankException(size); // mapping past the end of a read-only file fails
      }
      return read(ch, start, len, hasher, counter, cancelled); // a file system that does not map
    }
    try {
      int slice = buffer.length;
      for (int off = 0; off < len; off += slice) {
        if (cancelled.get()) {
          return false;
        }
        int n = (int) Math.min(slice, len - off);
        w.limit(off + n).position(off);
        hasher.update(w);
        counter.add(n);
      }
      return true;
    } finally {
      unmap(w, file);
    }
  }

  /**
   * {@code sun.misc.Unsafe.invokeCleaner}: unmaps a mapped buffer now rather than when the garbage
   * collector finds it unreachable (the JDK offers nothing else before the foreign memory API).
   * {@code null} when this JVM does not offer it; then nothing is mapped.
   */
  private static final @Nullable MethodHandle UNMAPPER = unmapper();

  private static @Nullable MethodHandle unmapper() {
    try {
      Class<?> unsafe = Class.forName("sun.misc.Unsafe");
      Field f = unsafe.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return MethodHandles.lookup()
          .findVirtual(unsafe, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(f.get(null));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null; // no jdk.unsupported, or a JVM without it: read instead of mapping
    }
  }

  /** Unmaps {@code w}; it must never be touched again (the caller's only reference is dropped). */
  private static void unmap(MappedByteBuffer w, Path file) {
    // Windows are mapped only below a mapMin other than Long.MAX_VALUE, which the constructors allow only
    // where UNMAPPER was found.
    MethodHandle unmapper = Objects.requireNonNull(UNMAPPER, "a window was mapped on a JVM that cannot unmap it");
    try {
      unmapper.invokeExact((ByteBuffer) w);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot unmap a window of " + file, t);
    }
  }

  /** Whether this JVM lets mapped windows be unmapped at once (so that {@link #MAP_MIN} applies). */
  static boolean mappingAvailable() {
    return UNMAPPER != null;
  }
}
