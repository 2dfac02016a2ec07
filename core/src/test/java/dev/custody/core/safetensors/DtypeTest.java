package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DtypeTest {
  private static byte[] le(int bytes, long v) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    return java.util.Arrays.copyOf(b.array(), bytes);
  }

  @Test
  void parse_everyReferenceSpelling_roundTrips() {
    for (Dtype d : Dtype.values()) {
      assertThat(Dtype.parse(d.name())).contains(d);
    }
    assertThat(Dtype.parse("f32")).isEmpty();
    assertThat(Dtype.parse("FLOAT")).isEmpty();
  }

  @Test
  void bits_matchReferenceBitsize() {
    assertThat(Dtype.F4.bits()).isEqualTo(4);
    assertThat(Dtype.F6_E2M3.bits()).isEqualTo(6);
    assertThat(Dtype.BOOL.bits()).isEqualTo(8);
    assertThat(Dtype.BF16.byteSize()).isEqualTo(2);
    assertThat(Dtype.C64.byteSize()).isEqualTo(8);
    assertThat(Dtype.U64.byteSize()).isEqualTo(8);
  }

  @Test
  void toDouble_f16KnownValues_decoded() {
    assertThat(Dtype.F16.toDouble(le(2, 0x3c00), 0)).isEqualTo(1.0);
    assertThat(Dtype.F16.toDouble(le(2, 0xc000), 0)).isEqualTo(-2.0);
    assertThat(Dtype.F16.toDouble(le(2, 0x7bff), 0)).isEqualTo(65504.0);
    assertThat(Dtype.F16.toDouble(le(2, 0x0001), 0)).isEqualTo(Math.scalb(1.0, -24));
    assertThat(Dtype.F16.toDouble(le(2, 0x7c00), 0)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Dtype.F16.toDouble(le(2, 0x7e00), 0)).isNaN();
    assertThat(Dtype.F16.toDouble(le(2, 0x3555), 0)).isEqualTo(0.333251953125);
  }

  @Test
  void toDouble_f16AllFiniteValues_matchWriterInverse() {
    for (int h = 0; h < 0x10000; h++) {
      double v = Dtype.F16.toDouble(le(2, h), 0);
      if (Double.isFinite(v) && (h & 0x7c00) != 0) { // normal numbers round-trip through the test writer
        assertThat(SafetensorsWriter.toHalf((float) v) & 0xffff).as("0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void toDouble_otherTypes_decodeLittleEndian() {
    assertThat(Dtype.BF16.toDouble(le(2, 0x3f80), 0)).isEqualTo(1.0);
    assertThat(Dtype.F32.toDouble(le(4, Float.floatToIntBits(1.5f)), 0)).isEqualTo(1.5);
    assertThat(Dtype.F64.toDouble(le(8, Double.doubleToLongBits(-0.25)), 0)).isEqualTo(-0.25);
    assertThat(Dtype.I8.toDouble(le(1, 0xff), 0)).isEqualTo(-1.0);
    assertThat(Dtype.U8.toDouble(le(1, 0xff), 0)).isEqualTo(255.0);
    assertThat(Dtype.I16.toDouble(le(2, 0x8000), 0)).isEqualTo(-32768.0);
    assertThat(Dtype.U32.toDouble(le(4, 0xffffffffL), 0)).isEqualTo(4294967295.0);
    assertThat(Dtype.U64.toDouble(le(8, -1L), 0)).isEqualTo(18446744073709551615.0);
    assertThat(Dtype.BOOL.toDouble(le(1, 2), 0)).isEqualTo(1.0);
    assertThat(Dtype.F8_E4M3.toDouble(le(1, 0x38), 0)).isEqualTo(1.0); // 0.0111.000
    assertThat(Dtype.F8_E4M3.toDouble(le(1, 0x7e), 0)).isEqualTo(448.0); // max normal
    assertThat(Dtype.F8_E4M3.toDouble(le(1, 0x7f), 0)).isNaN();
    assertThat(Dtype.F8_E4M3.toDouble(le(1, 0x01), 0)).isEqualTo(Math.scalb(1.0, -9)); // min subnormal
    assertThat(Dtype.F8_E5M2.toDouble(le(1, 0x3c), 0)).isEqualTo(1.0);
    assertThat(Dtype.F8_E8M0.toDouble(le(1, 127), 0)).isEqualTo(1.0);
    assertThat(Dtype.F8_E8M0.toDouble(le(1, 0xff), 0)).isNaN();
  }
}
