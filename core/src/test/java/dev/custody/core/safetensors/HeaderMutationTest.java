package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.custody.core.safetensors.SafetensorsException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named mutations of a valid file. Each must be rejected with a {@link SafetensorsException} of the
 * expected {@link Reason}, whose message names the file (and the tensor, when one is concerned); none
 * may throw anything else or allocate by an untrusted size.
 */
class HeaderMutationTest {
  @TempDir Path dir;

  static final String BASE = "{\"__metadata__\":{\"format\":\"pt\"},"
      + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
      + "\"b\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[16,20]}}";
  static final byte[] DATA = new byte[20];

  /** Tensor-level reasons: the exception must name the tensor. */
  private static final Set<Reason> ABOUT_A_TENSOR = Set.of(Reason.TENSOR_ENTRY, Reason.UNKNOWN_DTYPE, Reason.SHAPE,
      Reason.OFFSETS, Reason.OVERFLOW, Reason.MISALIGNED, Reason.SIZE_MISMATCH, Reason.OVERLAP, Reason.GAP,
      Reason.BEYOND_FILE, Reason.TENSOR_NAME);

  record Case(String name, Reason reason, Supplier<byte[]> file) {}

  private static Case json(String name, Reason reason, String from, String to) {
    return new Case(name, reason, () -> {
      if (!BASE.contains(from)) {
        throw new AssertionError("mutation '" + name + "' does not apply: " + from);
      }
      return SafetensorsWriter.assemble(BASE.replace(from, to), DATA);
    });
  }

  private static Case header(String name, Reason reason, String json, byte[] data) {
    return new Case(name, reason, () -> SafetensorsWriter.assemble(json, data));
  }

  private static Case raw(String name, Reason reason, Supplier<byte[]> file) {
    return new Case(name, reason, file);
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  /** BASE with {@code insert} (raw bytes) spliced in place of the name "a". */
  private static byte[] withNameBytes(byte[] insert) {
    byte[] h = BASE.getBytes(StandardCharsets.UTF_8);
    int at = BASE.indexOf("\"a\"") + 1;
    byte[] out = new byte[h.length - 1 + insert.length];
    System.arraycopy(h, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(h, at + 1, out, at + insert.length, h.length - at - 1);
    int padded = (out.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(out, padded);
    Arrays.fill(header, out.length, padded, (byte) ' ');
    return SafetensorsWriter.assemble(padded, header, DATA);
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    byte[] valid = SafetensorsWriter.assemble(BASE, DATA);
    // --- the length prefix and the header's place in the file
    c.add(raw("empty file", Reason.FILE_TOO_SHORT, () -> new byte[0]));
    c.add(raw("7-byte file", Reason.FILE_TOO_SHORT, () -> Arrays.copyOf(valid, 7)));
    c.add(raw("header length 2^64-1", Reason.HEADER_TOO_LARGE, () -> SafetensorsWriter.assemble(-1L, new byte[0], DATA)));
    c.add(raw("header length 2^63", Reason.HEADER_TOO_LARGE,
        () -> SafetensorsWriter.assemble(Long.MIN_VALUE, new byte[0], DATA)));
    c.add(raw("header length 2^31 (int overflow)", Reason.HEADER_TOO_LARGE,
        () -> SafetensorsWriter.assemble(1L << 31, new byte[0], DATA)));
    c.add(raw("header length one over the 100 MB limit", Reason.HEADER_TOO_LARGE,
        () -> SafetensorsWriter.assemble(SafetensorsHeader.MAX_HEADER_LENGTH + 1, new byte[0], DATA)));
    c.add(raw("header length within limit but beyond file", Reason.HEADER_BEYOND_FILE,
        () -> SafetensorsWriter.assemble(SafetensorsHeader.MAX_HEADER_LENGTH, new byte[16], new byte[0])));
    c.add(raw("header length one past end of file", Reason.HEADER_BEYOND_FILE,
        () -> SafetensorsWriter.assemble(valid.length - 8 + 1, Arrays.copyOfRange(valid, 8, valid.length), new byte[0])));
    c.add(raw("header length 0", Reason.HEADER_NOT_OBJECT, () -> SafetensorsWriter.assemble(0, new byte[0], DATA)));
    c.add(raw("header cut short (truncated JSON)", Reason.HEADER_JSON, () -> {
      byte[] h = BASE.getBytes(StandardCharsets.UTF_8);
      return SafetensorsWriter.assemble(h.length - 10, Arrays.copyOf(h, h.length - 10), DATA);
    }));
    c.add(raw("file truncated inside the header", Reason.HEADER_BEYOND_FILE, () -> Arrays.copyOf(valid, 40)));
    // --- encoding and JSON syntax
    c.add(raw("invalid UTF-8 byte 0xff in a name", Reason.HEADER_NOT_UTF8, () -> withNameBytes(bytes(0xff))));
    c.add(raw("overlong UTF-8 encoding of '/'", Reason.HEADER_NOT_UTF8, () -> withNameBytes(bytes(0xc0, 0xaf))));
    c.add(raw("UTF-8-encoded surrogate U+D800", Reason.HEADER_NOT_UTF8, () -> withNameBytes(bytes(0xed, 0xa0, 0x80))));
    c.add(raw("truncated UTF-8 sequence", Reason.HEADER_NOT_UTF8, () -> withNameBytes(bytes(0xe2, 0x82))));
    c.add(raw("NUL padding instead of spaces", Reason.HEADER_JSON, () -> {
      byte[] h = Arrays.copyOf(BASE.getBytes(StandardCharsets.UTF_8), BASE.length() + 3);
      return SafetensorsWriter.assemble(h.length, h, DATA);
    }));
    c.add(header("header is a JSON array", Reason.HEADER_NOT_OBJECT, "[" + BASE + "]", DATA));
    c.add(header("header is a JSON string", Reason.HEADER_NOT_OBJECT, "\"a\"", DATA));
    c.add(header("leading whitespace before '{'", Reason.HEADER_NOT_OBJECT, " " + BASE, DATA));
    c.add(header("trailing garbage after the object", Reason.HEADER_JSON, BASE + "x", DATA));
    c.add(header("two JSON objects", Reason.HEADER_JSON, BASE + "{}", DATA));
    c.add(json("comment in JSON", Reason.HEADER_JSON, "{\"__metadata__\"", "{/*c*/\"__metadata__\""));
    c.add(json("single-quoted key", Reason.HEADER_JSON, "\"b\":", "'b':"));
    c.add(json("trailing comma", Reason.HEADER_JSON, "[16,20]}}", "[16,20],}}"));
    c.add(json("NaN literal as a dimension", Reason.HEADER_JSON, "[2,2]", "[2,NaN]"));
    c.add(json("leading zero in an offset", Reason.HEADER_JSON, "[16,20]", "[016,20]"));
    // --- duplicate keys at every level
    c.add(json("duplicate tensor name", Reason.DUPLICATE_KEY, ",\"b\":{", ",\"a\":{"));
    c.add(json("duplicate member in a tensor entry", Reason.DUPLICATE_KEY, "\"dtype\":\"I8\",",
        "\"dtype\":\"I8\",\"dtype\":\"I8\","));
    c.add(json("duplicate __metadata__", Reason.DUPLICATE_KEY, "\"__metadata__\":{\"format\":\"pt\"},",
        "\"__metadata__\":{\"format\":\"pt\"},\"__metadata__\":{},"));
    c.add(json("duplicate metadata key", Reason.DUPLICATE_KEY, "{\"format\":\"pt\"}", "{\"format\":\"pt\",\"format\":\"x\"}"));
    // --- metadata
    c.add(json("metadata value is a number", Reason.METADATA, "\"format\":\"pt\"", "\"format\":1"));
    c.add(json("metadata value is an object", Reason.METADATA, "\"format\":\"pt\"", "\"format\":{\"x\":\"y\"}"));
    c.add(json("metadata value is null", Reason.METADATA, "\"format\":\"pt\"", "\"format\":null"));
    c.add(json("metadata is null", Reason.METADATA, "{\"format\":\"pt\"}", "null"));
    c.add(json("metadata is an array", Reason.METADATA, "{\"format\":\"pt\"}", "[\"pt\"]"));
    // --- names
    c.add(json("empty tensor name", Reason.TENSOR_NAME, "\"a\":", "\"\":"));
    c.add(json("newline in tensor name", Reason.TENSOR_NAME, "\"a\":", "\"a\\nb\":"));
    c.add(json("tab in tensor name", Reason.TENSOR_NAME, "\"a\":", "\"a\\tb\":"));
    c.add(json("unpaired high surrogate escape in name", Reason.HEADER_JSON, "\"a\":", "\"a\\ud800\":"));
    c.add(json("unpaired low surrogate escape in name", Reason.HEADER_JSON, "\"a\":", "\"a\\udc00\":"));
    c.add(json("name over the length limit", Reason.TENSOR_NAME, "\"a\":",
        "\"" + "n".repeat(SafetensorsHeader.MAX_NAME_LENGTH + 1) + "\":"));
    // --- tensor entries
    c.add(json("tensor entry is a string", Reason.TENSOR_ENTRY,
        "{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[16,20]}", "\"I8\""));
    c.add(json("tensor entry is null", Reason.TENSOR_ENTRY,
        "{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[16,20]}", "null"));
    c.add(json("unknown member in a tensor entry", Reason.TENSOR_ENTRY, "\"dtype\":\"I8\",",
        "\"dtype\":\"I8\",\"offsets\":[16,20],"));
    c.add(json("missing dtype", Reason.TENSOR_ENTRY, "\"dtype\":\"I8\",", ""));
    c.add(json("missing shape", Reason.TENSOR_ENTRY, "\"shape\":[4],", ""));
    c.add(json("missing data_offsets", Reason.TENSOR_ENTRY, ",\"data_offsets\":[16,20]", ""));
    c.add(json("dtype is a number", Reason.TENSOR_ENTRY, "\"dtype\":\"I8\"", "\"dtype\":8"));
    c.add(json("unknown dtype", Reason.UNKNOWN_DTYPE, "\"dtype\":\"I8\"", "\"dtype\":\"I9\""));
    c.add(json("lowercase dtype", Reason.UNKNOWN_DTYPE, "\"dtype\":\"I8\"", "\"dtype\":\"i8\""));
    c.add(json("numpy-style dtype name", Reason.UNKNOWN_DTYPE, "\"dtype\":\"F32\"", "\"dtype\":\"float32\""));
    // --- shapes
    c.add(json("negative dimension", Reason.SHAPE, "[2,2]", "[-2,-2]"));
    c.add(json("negative zero dimension", Reason.SHAPE, "[4]", "[-0,4]"));
    c.add(json("float dimension", Reason.SHAPE, "[2,2]", "[2.0,2]"));
    c.add(json("exponent dimension", Reason.SHAPE, "[2,2]", "[2e0,2]"));
    c.add(json("string dimension", Reason.SHAPE, "[2,2]", "[\"2\",2]"));
    c.add(json("null dimension", Reason.SHAPE, "[2,2]", "[null,2]"));
    c.add(json("nested array dimension", Reason.SHAPE, "[2,2]", "[[2],2]"));
    c.add(json("dimension 2^64 (beyond u64)", Reason.SHAPE, "[4]", "[18446744073709551616]"));
    c.add(json("dimension 2^63 (beyond i64)", Reason.SHAPE, "[4]", "[9223372036854775808]"));
    c.add(json("shape is an object", Reason.SHAPE, "[4]", "{\"0\":4}"));
    c.add(json("shape is a number", Reason.SHAPE, "[4]", "4"));
    c.add(json("rank over the limit", Reason.SHAPE, "[4]", "[4" + ",1".repeat(SafetensorsHeader.MAX_RANK) + "]"));
    c.add(json("element count overflows 64 bits", Reason.OVERFLOW, "[4]", "[4294967296,4294967296,0]"));
    c.add(header("element count fits, bits overflow", Reason.OVERFLOW,
        "{\"x\":{\"dtype\":\"U8\",\"shape\":[9223372036854775807],\"data_offsets\":[0,9223372036854775807]}}",
        new byte[8]));
    c.add(json("byte size overflows 64 bits", Reason.OVERFLOW, "[2,2]", "[1152921504606846976,2]"));
    c.add(json("shape product wraps to the right size mod 2^64", Reason.OVERFLOW, "[4]", "[4611686018427387905,4]"));
    c.add(header("packed F4 tensor of an odd element count", Reason.MISALIGNED,
        "{\"x\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", new byte[2]));
    c.add(json("size smaller than shape x dtype", Reason.SIZE_MISMATCH, "\"shape\":[2,2]", "\"shape\":[2,3]"));
    c.add(json("size larger than shape x dtype", Reason.SIZE_MISMATCH, "\"shape\":[2,2]", "\"shape\":[3]"));
    c.add(json("dtype width does not match the span", Reason.SIZE_MISMATCH, "\"dtype\":\"F32\"", "\"dtype\":\"F64\""));
    // --- offsets and layout
    c.add(json("offsets reversed (begin > end)", Reason.OFFSETS, "[16,20]", "[20,16]"));
    c.add(json("one offset", Reason.OFFSETS, "[16,20]", "[16]"));
    c.add(json("three offsets", Reason.OFFSETS, "[16,20]", "[16,20,24]"));
    c.add(json("negative offset", Reason.OFFSETS, "[16,20]", "[-4,0]"));
    c.add(json("offsets are an object", Reason.OFFSETS, "[16,20]", "{\"begin\":16}"));
    c.add(json("offset 2^64", Reason.OFFSETS, "[16,20]", "[16,18446744073709551616]"));
    c.add(json("overlapping tensors", Reason.OVERLAP, "\"data_offsets\":[16,20]", "\"data_offsets\":[12,16]"));
    c.add(json("tensors at the same offsets", Reason.OVERLAP, "\"shape\":[4],\"data_offsets\":[16,20]",
        "\"shape\":[16],\"data_offsets\":[0,16]"));
    c.add(json("empty tensor inside another", Reason.OVERLAP, "\"shape\":[4],\"data_offsets\":[16,20]",
        "\"shape\":[0],\"data_offsets\":[8,8]"));
    c.add(header("gap between tensors", Reason.GAP, BASE.replace("[16,20]", "[17,21]"), new byte[21]));
    c.add(header("first tensor not at offset 0", Reason.GAP,
        BASE.replace("[0,16]", "[1,17]").replace("[16,20]", "[17,21]"), new byte[21]));
    c.add(header("tensor ends beyond the end of the file", Reason.BEYOND_FILE, BASE, new byte[19]));
    c.add(header("offsets far beyond the file", Reason.BEYOND_FILE,
        "{\"x\":{\"dtype\":\"U8\",\"shape\":[1000000000000],\"data_offsets\":[0,1000000000000]}}",
        new byte[8]));
    c.add(header("trailing bytes after the last tensor (polyglot)", Reason.TRAILING_BYTES, BASE, new byte[21]));
    c.add(header("bytes but no tensors", Reason.TRAILING_BYTES, "{}", new byte[4]));
    return c;
  }

  @TestFactory
  Stream<DynamicTest> read_malformedMutation_rejectedWithReason() {
    return cases().stream().map(k -> dynamicTest(k.name(), () -> {
      byte[] bytes = k.file().get();
      assertThat(bytes).as("mutation changed nothing").isNotEqualTo(SafetensorsWriter.assemble(BASE, DATA));
      Path p = Files.write(dir.resolve("mutant.safetensors"), bytes);
      SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> SafetensorsHeader.read(p));
      assertThat(e).as("accepted: " + k.name()).isNotNull();
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(k.reason());
      assertThat(e.getMessage()).startsWith(p.toString() + ": ").doesNotContain("\n");
      if (ABOUT_A_TENSOR.contains(k.reason())) {
        assertThat(e.tensor()).as("names the tensor: " + e.getMessage()).isPresent();
        assertThat(e.getMessage()).contains("tensor '");
      }
    }));
  }

  @Test
  void read_unmutatedBase_accepted() throws Exception {
    Path p = Files.write(dir.resolve("base.safetensors"), SafetensorsWriter.assemble(BASE, DATA));
    assertThat(SafetensorsHeader.read(p).tensors()).hasSize(2);
  }

  @Test
  void cases_coverEveryParseReason() {
    Set<Reason> covered = cases().stream().map(Case::reason).collect(java.util.stream.Collectors.toSet());
    Set<Reason> notFromOneFile = Set.of(Reason.TOO_MANY_TENSORS, Reason.DUPLICATE_TENSOR_ACROSS_FILES,
        Reason.NO_TENSOR_FILES, Reason.IO);
    for (Reason r : Reason.values()) {
      if (!notFromOneFile.contains(r)) {
        assertThat(covered).as("a mutation for " + r).contains(r);
      }
    }
  }

  @Test
  void read_hugeFileWithHeaderLengthOverLimit_rejectedBeforeAllocating() {
    // A channel that claims 2^62 bytes: the limit, not the file size, must stop the allocation.
    java.nio.channels.SeekableByteChannel huge = new FakeChannel(1L << 62, 1L << 40);
    SafetensorsException e = catchThrowableOfType(SafetensorsException.class,
        () -> SafetensorsHeader.read(huge, "huge.safetensors"));
    assertThat(e.reason()).isEqualTo(Reason.HEADER_TOO_LARGE);
    assertThat(e.getMessage()).startsWith("huge.safetensors: header length 1099511627776 exceeds the limit");
  }

  /** A read-only channel of {@code size} bytes that are all zero except the u64 LE {@code headerLength} prefix. */
  static final class FakeChannel implements java.nio.channels.SeekableByteChannel {
    private final long size;
    private final byte[] prefix = new byte[8];
    private long position;

    FakeChannel(long size, long headerLength) {
      this.size = size;
      java.nio.ByteBuffer.wrap(prefix).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(headerLength);
    }

    @Override
    public int read(java.nio.ByteBuffer dst) {
      int n = 0;
      while (dst.hasRemaining() && position < size) {
        dst.put(position < 8 ? prefix[(int) position] : 0);
        position++;
        n++;
      }
      return n == 0 && position >= size ? -1 : n;
    }

    @Override
    public int write(java.nio.ByteBuffer src) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public java.nio.channels.SeekableByteChannel position(long p) {
      position = p;
      return this;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public java.nio.channels.SeekableByteChannel truncate(long s) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
