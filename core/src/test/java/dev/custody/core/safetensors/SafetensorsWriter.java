package dev.custody.core.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny safetensors writer for tests, following the reference's layout: u64 LE header length, the
 * JSON header padded with spaces to a multiple of 8 bytes, then the tensors back to back in the
 * order added. Also assembles deliberately malformed files from raw parts.
 */
public final class SafetensorsWriter {
  /** One tensor to write; {@code data} must match shape and dtype (not checked, so tests can lie). */
  public record Tensor(String name, Dtype dtype, long[] shape, byte[] data) {}

  private final List<Tensor> tensors = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public SafetensorsWriter add(String name, Dtype dtype, long[] shape, byte[] data) {
    tensors.add(new Tensor(name, dtype, shape.clone(), data.clone()));
    return this;
  }

  public SafetensorsWriter f32(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return add(name, Dtype.F32, shape, b.array());
  }

  public SafetensorsWriter f16(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort(toHalf(v));
    }
    return add(name, Dtype.F16, shape, b.array());
  }

  public SafetensorsWriter bf16(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      int bits = Float.floatToRawIntBits(v);
      bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
      b.putShort((short) (bits >>> 16));
    }
    return add(name, Dtype.BF16, shape, b.array());
  }

  public List<Tensor> tensors() {
    return List.copyOf(tensors);
  }

  /** The header JSON the reference would write (unpadded). */
  public String headerJson() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (Map.Entry<String, String> e : metadata.entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Tensor t : tensors) {
        g.writeObjectFieldStart(t.name());
        g.writeStringField("dtype", t.dtype().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        g.writeNumber(offset + t.data().length);
        g.writeEndArray();
        g.writeEndObject();
        offset += t.data().length;
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** The concatenated tensor data. */
  public byte[] data() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tensors.forEach(t -> out.writeBytes(t.data()));
    return out.toByteArray();
  }

  public byte[] toBytes() {
    return assemble(headerJson(), data());
  }

  public Path write(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(toBytes());
    }
    return file;
  }

  /** A file with {@code json} as header, space-padded to a multiple of 8 bytes as the reference does. */
  public static byte[] assemble(String json, byte[] data) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    int padded = (h.length + 7) / 8 * 8;
    byte[] header = new byte[padded];
    System.arraycopy(h, 0, header, 0, h.length);
    java.util.Arrays.fill(header, h.length, padded, (byte) ' ');
    return assemble(padded, header, data);
  }

  /** A file from raw parts: the declared header length (any u64, as a long), header bytes and data. */
  public static byte[] assemble(long declaredLength, byte[] header, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(header).put(data);
    return b.array();
  }

  /** IEEE binary16, round to nearest even; enough for tests (no subnormal outputs needed). */
  static short toHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
    int man = bits & 0x7fffff;
    if (exp >= 31) {
      return (short) (sign | 0x7c00);
    }
    if (exp <= 0) {
      if (exp < -10) {
        return (short) sign;
      }
      man |= 0x800000;
      int shift = 14 - exp;
      int half = man >> shift;
      int rem = man & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || rem == mid && (half & 1) == 1) {
        half++;
      }
      return (short) (sign | half);
    }
    int h = sign | exp << 10 | man >> 13;
    int rem = man & 0x1fff;
    if (rem > 0x1000 || rem == 0x1000 && (h & 1) == 1) {
      h++; // may carry into the exponent, which is correct rounding
    }
    return (short) h;
  }
}
