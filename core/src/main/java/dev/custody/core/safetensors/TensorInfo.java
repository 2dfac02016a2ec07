package dev.custody.core.safetensors;

import java.util.List;
import java.util.Objects;

/**
 * One tensor as a safetensors header declares it. {@code begin} and {@code end} are byte offsets
 * relative to the start of the data buffer (the byte after the header), {@code end} exclusive.
 *
 * <p>The constructor checks the invariants the parser established (non-negative dims, begin &le; end,
 * size consistent with shape and dtype), so a {@code TensorInfo} is always self-consistent.
 */
public record TensorInfo(String name, Dtype dtype, List<Long> shape, long begin, long end) {
  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = List.copyOf(shape);
    for (Long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension " + d + " in shape of " + name);
      }
    }
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("bad offsets [" + begin + ", " + end + "] of " + name);
    }
    long bytes = byteSize(dtype, shape).orElseThrow(
        () -> new IllegalArgumentException("size of " + name + " overflows or is not whole bytes"));
    if (bytes != end - begin) {
      throw new IllegalArgumentException("size of " + name + " is " + (end - begin) + " bytes, shape and dtype say "
          + bytes);
    }
  }

  /** The number of elements: the product of the dimensions (1 for a scalar, shape {@code []}). */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d; // cannot overflow: checked in the constructor
    }
    return n;
  }

  /** {@code end - begin}. */
  public long byteLength() {
    return end - begin;
  }

  /** The shape as {@code [d0,d1,...]}: decimal, no spaces (the form used in fingerprints). */
  public String shapeText() {
    return shapeText(shape);
  }

  static String shapeText(List<Long> shape) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < shape.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(shape.get(i).longValue());
    }
    return b.append(']').toString();
  }

  /**
   * The byte size implied by {@code shape} and {@code dtype}, as the reference computes it: the
   * product of the dimensions folded left to right with overflow checks, times the bit width, which
   * must be a whole number of bytes. Empty when any step overflows 63 bits or the bits are not a
   * multiple of 8.
   */
  static java.util.OptionalLong byteSize(Dtype dtype, List<Long> shape) {
    try {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      long bits = Math.multiplyExact(n, (long) dtype.bits());
      return bits % 8 == 0 ? java.util.OptionalLong.of(bits / 8) : java.util.OptionalLong.empty();
    } catch (ArithmeticException e) {
      return java.util.OptionalLong.empty();
    }
  }
}
