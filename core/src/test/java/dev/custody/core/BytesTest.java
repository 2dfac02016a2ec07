package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void copyOf_callerMutatesSourceAfterwards_contentUnchanged() {
    byte[] src = {1, 2, 3};
    Bytes b = Bytes.copyOf(src);
    src[0] = 9;
    assertThat(b.get(0)).isEqualTo((byte) 1);
    assertThat(b.hex()).isEqualTo("010203");
  }

  @Test
  void toByteArray_callerMutatesResult_contentUnchanged() {
    Bytes b = Bytes.copyOf(new byte[] {1, 2, 3});
    byte[] out = b.toByteArray();
    out[1] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    assertThat(b.toByteArray()).isNotSameAs(b.toByteArray());
  }

  @Test
  void copyOfRange_offsetAndLength_copiesOnlyThatSlice() {
    byte[] src = {0, 1, 2, 3, 4};
    Bytes b = Bytes.copyOf(src, 1, 3);
    src[2] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    assertThat(b.length()).isEqualTo(3);
  }

  @Test
  void equals_sameContentDifferentArrays_equalWithSameHashCode() {
    Bytes a = Bytes.copyOf(new byte[] {1, 2, 3});
    Bytes b = Bytes.fromHex("010203");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  void equals_differentContentOrLengthOrType_notEqual() {
    Bytes a = Bytes.fromHex("010203");
    assertThat(a).isNotEqualTo(Bytes.fromHex("010204"));
    assertThat(a).isNotEqualTo(Bytes.fromHex("0102"));
    assertThat(a).isNotEqualTo(Bytes.fromHex("01020300"));
    assertThat(a).isNotEqualTo(new byte[] {1, 2, 3});
    assertThat(a).isNotEqualTo(null);
  }

  @Test
  void hex_anyBytes_lowercaseTwoDigitsPerByte() {
    Bytes b = Bytes.copyOf(new byte[] {0x00, 0x0f, (byte) 0xab, (byte) 0xff});
    assertThat(b.hex()).isEqualTo("000fabff");
    assertThat(b).hasToString("000fabff");
    assertThat(Bytes.copyOf(new byte[0]).hex()).isEmpty();
  }

  @Test
  void fromHex_uppercase_parsedSameAsLowercase() {
    assertThat(Bytes.fromHex("ABFF")).isEqualTo(Bytes.fromHex("abff"));
  }

  @Test
  void fromHex_oddLengthOrNonHex_rejected() {
    assertThatThrownBy(() -> Bytes.fromHex("abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Bytes.fromHex("zz")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Bytes.fromHex(" ab")).isInstanceOf(IllegalArgumentException.class);
  }
}
