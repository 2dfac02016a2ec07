package dev.custody.core.safetensors;

import java.util.Optional;

/**
 * The element types of the safetensors format, with their widths in bits, exactly as the reference
 * implementation lists them ({@code Dtype} and {@code Dtype::bitsize} in
 * huggingface/safetensors {@code safetensors/src/tensor.rs}). The header spells a dtype by its
 * enum constant name ({@code "F32"}, {@code "F8_E4M3"}); any other spelling is unknown and rejected.
 *
 * <p>All multi-byte types are little-endian. {@link #F4}, {@link #F6_E2M3} and {@link #F6_E3M2} are
 * sub-byte (packed) types: a tensor of them must hold a whole number of bytes.
 */
public enum Dtype {
  BOOL(8, Kind.BOOL),
  /** OCP MX FP4 (E2M1), packed two per byte. */
  F4(4, Kind.PACKED),
  /** OCP MX FP6 (E2M3), packed. */
  F6_E2M3(6, Kind.PACKED),
  /** OCP MX FP6 (E3M2), packed. */
  F6_E3M2(6, Kind.PACKED),
  U8(8, Kind.UNSIGNED),
  I8(8, Kind.SIGNED),
  /** FP8 E5M2 (arXiv:2209.05433): the upper byte of an IEEE binary16. */
  F8_E5M2(8, Kind.FLOAT),
  /** FP8 E4M3 "FN" variant (arXiv:2209.05433): bias 7, no infinities, S.1111.111 is NaN. */
  F8_E4M3(8, Kind.FLOAT),
  /** OCP MX E8M0 scale: 2^(e-127), 0xFF is NaN. */
  F8_E8M0(8, Kind.FLOAT),
  I16(16, Kind.SIGNED),
  U16(16, Kind.UNSIGNED),
  F16(16, Kind.FLOAT),
  BF16(16, Kind.FLOAT),
  I32(32, Kind.SIGNED),
  U32(32, Kind.UNSIGNED),
  F32(32, Kind.FLOAT),
  /** Complex with two F32 parts; compared bytewise only. */
  C64(64, Kind.COMPLEX),
  F64(64, Kind.FLOAT),
  I64(64, Kind.SIGNED),
  U64(64, Kind.UNSIGNED);

  /** How element values can be interpreted when comparing tensors. */
  public enum Kind { BOOL, SIGNED, UNSIGNED, FLOAT, COMPLEX, PACKED }

  private final int bits;
  private final Kind kind;

  Dtype(int bits, Kind kind) {
    this.bits = bits;
    this.kind = kind;
  }

  /** The width of one element in bits (4, 6, 8, 16, 32 or 64). */
  public int bits() {
    return bits;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether elements occupy whole bytes, so element {@code i} starts at byte {@code i * byteSize()}. */
  public boolean byteAddressable() {
    return bits % 8 == 0;
  }

  /** Bytes per element; only for {@link #byteAddressable()} types. */
  public int byteSize() {
    if (!byteAddressable()) {
      throw new IllegalStateException(name() + " is a packed " + bits + "-bit type");
    }
    return bits / 8;
  }

  /** Whether {@link #toDouble} gives the element's numeric value (all but packed and complex types). */
  public boolean numeric() {
    return kind != Kind.PACKED && kind != Kind.COMPLEX;
  }

  /** Whether the type is a floating-point type (cosine similarity is the natural statistic). */
  public boolean floatingPoint() {
    return kind == Kind.FLOAT;
  }

  /** The dtype spelled exactly {@code text} in a header, if it is one. */
  public static Optional<Dtype> parse(String text) {
    for (Dtype d : values()) {
      if (d.name().equals(text)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * The value of the element stored little-endian at {@code buf[off..off+byteSize())}, as a double.
   * 64-bit integers beyond 2^53 lose precision, which a similarity statistic tolerates.
   *
   * @throws IllegalStateException for non-{@link #numeric()} types
   */
  public double toDouble(byte[] buf, int off) {
    return switch (this) {
      case BOOL -> buf[off] == 0 ? 0.0 : 1.0;
      case U8 -> buf[off] & 0xff;
      case I8 -> buf[off];
      case I16 -> (short) le16(buf, off);
      case U16 -> le16(buf, off);
      case I32 -> (int) le32(buf, off);
      case U32 -> le32(buf, off) & 0xffffffffL;
      case I64 -> le64(buf, off);
      case U64 -> unsignedToDouble(le64(buf, off));
      case F16 -> halfToFloat(le16(buf, off));
      case BF16 -> Float.intBitsToFloat(le16(buf, off) << 16);
      case F32 -> Float.intBitsToFloat((int) le32(buf, off));
      case F64 -> Double.longBitsToDouble(le64(buf, off));
      case F8_E5M2 -> halfToFloat((buf[off] & 0xff) << 8);
      case F8_E4M3 -> e4m3(buf[off] & 0xff);
      case F8_E8M0 -> (buf[off] & 0xff) == 0xff ? Double.NaN : Math.scalb(1.0, (buf[off] & 0xff) - 127);
      case F4, F6_E2M3, F6_E3M2, C64 -> throw new IllegalStateException(name() + " has no scalar value");
    };
  }

  private static int le16(byte[] b, int o) {
    return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
  }

  private static long le32(byte[] b, int o) {
    return (b[o] & 0xffL) | (b[o + 1] & 0xffL) << 8 | (b[o + 2] & 0xffL) << 16 | (b[o + 3] & 0xffL) << 24;
  }

  private static long le64(byte[] b, int o) {
    return le32(b, o) & 0xffffffffL | le32(b, o + 4) << 32;
  }

  private static double unsignedToDouble(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }

  /** IEEE 754 binary16 to float (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >> 10) & 0x1f;
    int man = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | man << 13); // infinity or NaN
    }
    if (exp == 0) {
      float v = Math.scalb((float) man, -24); // subnormal or zero: exact in float
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | (exp + 112) << 23 | man << 13);
  }

  /** E4M3FN: sign, 4 exponent bits (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN. */
  private static double e4m3(int b) {
    int sign = (b & 0x80) != 0 ? -1 : 1;
    int exp = (b >> 3) & 0xf;
    int man = b & 0x7;
    if (exp == 0xf && man == 0x7) {
      return Double.NaN;
    }
    double v = exp == 0 ? Math.scalb(man / 8.0, -6) : Math.scalb(1.0 + man / 8.0, exp - 7);
    return sign * v;
  }
}
