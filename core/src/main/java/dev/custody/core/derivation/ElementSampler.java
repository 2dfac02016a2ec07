package dev.custody.core.derivation;

import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.safetensors.SafetensorsException.Reason;
import dev.custody.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a bounded, deterministic sample of a tensor's elements: indices
 * {@code floor(k * n / m)}, {@code k = 0 .. m-1}, {@code m = min(n, MAX_SAMPLE)}. Memory is at most
 * {@code MAX_SAMPLE * 8} bytes for the sample plus a {@value #WINDOW_BYTES}-byte read window.
 * Densely sampled tensors are read sequentially through the window; sparsely sampled ones (samples
 * at least a page apart) with one small read per element.
 */
final class ElementSampler {
  /** Most elements compared per tensor: 65,536, i.e. at most 512 KiB per sample of 8-byte elements. */
  static final int MAX_SAMPLE = 1 << 16;
  /** Read window for dense samples. */
  static final int WINDOW_BYTES = 1 << 20;
  /** Samples at least this far apart are read one by one: reading the bytes between costs more. */
  private static final long SPARSE_STRIDE_BYTES = 4096;

  private ElementSampler() {}

  /** The number of elements a sample of {@code n} elements holds. */
  static int sampleSize(long n) {
    return (int) Math.min(n, MAX_SAMPLE);
  }

  /** {@code floor(k * n / m)} without overflow: {@code k * (n / m) + (k * (n % m)) / m}, with {@code k < m <= 2^16}. */
  static long index(int k, long n, int m) {
    return k * (n / m) + (k * (n % m)) / m;
  }

  /**
   * The raw bytes of the sampled elements of {@code t} (element size {@code size} bytes), concatenated.
   *
   * @param dataStart the file offset of the data buffer
   */
  static byte[] sample(FileChannel ch, String file, long dataStart, TensorInfo t, int size) throws SafetensorsException {
    return sample(ch, file, dataStart, t, size, SPARSE_STRIDE_BYTES);
  }

  /** {@link #sample} with the dense/sparse threshold as a parameter, so tests can cross-check both paths. */
  static byte[] sample(FileChannel ch, String file, long dataStart, TensorInfo t, int size, long sparseStrideBytes)
      throws SafetensorsException {
    long n = t.elementCount();
    int m = sampleSize(n);
    byte[] out = new byte[m * size];
    if (m == 0) {
      return out;
    }
    long stride = (n / m) * size;
    long tensorStart = dataStart + t.begin();
    long tensorEnd = dataStart + t.end();
    ByteBuffer window = ByteBuffer.allocate(stride >= sparseStrideBytes ? size
        : (int) Math.min(WINDOW_BYTES, Math.max(size, t.byteLength())));
    long windowStart = -1;
    int windowLength = 0;
    try {
      for (int k = 0; k < m; k++) {
        long pos = tensorStart + index(k, n, m) * size;
        if (windowStart < 0 || pos < windowStart || pos + size > windowStart + windowLength) {
          window.clear().limit((int) Math.min(window.capacity(), tensorEnd - pos));
          windowStart = pos;
          while (window.hasRemaining()) {
            if (ch.read(window, windowStart + window.position()) < 0) {
              throw new SafetensorsException(Reason.IO, file, t.name(), "file ended while sampling this tensor");
            }
          }
          windowLength = window.position();
        }
        System.arraycopy(window.array(), (int) (pos - windowStart), out, k * size, size);
      }
    } catch (IOException e) {
      throw new SafetensorsException(Reason.IO, file, t.name(), "cannot read: " + e, e);
    }
    return out;
  }
}
