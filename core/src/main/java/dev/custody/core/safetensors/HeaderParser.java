package dev.custody.core.safetensors;

import static dev.custody.core.safetensors.SafetensorsHeader.LENGTH_PREFIX_BYTES;
import static dev.custody.core.safetensors.SafetensorsHeader.MAX_HEADER_LENGTH;
import static dev.custody.core.safetensors.SafetensorsHeader.MAX_RANK;
import static dev.custody.core.safetensors.SafetensorsHeader.MAX_TENSORS;
import static dev.custody.core.safetensors.SafetensorsHeader.METADATA_KEY;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.safetensors.SafetensorsException.Reason;
import dev.custody.core.internal.text.CodePointOrder;
import dev.custody.core.internal.text.UnsignedDecimal;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** The parser behind {@link SafetensorsHeader#read}; one instance per file. Not thread-safe. */
final class HeaderParser {
  private final String file;
  private @Nullable String tensor; // the tensor being parsed, for error messages (null between tensors)

  private HeaderParser(String file) {
    this.file = file;
  }

  static SafetensorsHeader parse(SeekableByteChannel ch, String file) throws SafetensorsException {
    return new HeaderParser(file).parse(ch);
  }

  private SafetensorsException fail(Reason reason, String problem) {
    return new SafetensorsException(reason, file, tensor, problem);
  }

  private SafetensorsHeader parse(SeekableByteChannel ch) throws SafetensorsException {
    long size;
    byte[] header;
    try {
      size = ch.size();
      if (size < LENGTH_PREFIX_BYTES) {
        throw fail(Reason.FILE_TOO_SHORT, "file is " + size + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, prefix, 0);
      long n = prefix.getLong(0);
      // n is an unsigned u64: a negative long means n >= 2^63, over any limit.
      if (n < 0 || n > MAX_HEADER_LENGTH) {
        throw fail(Reason.HEADER_TOO_LARGE, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
            + MAX_HEADER_LENGTH + " bytes (the reference implementation's MAX_HEADER_SIZE); not a safetensors file?");
      }
      if (n > size - LENGTH_PREFIX_BYTES) {
        throw fail(Reason.HEADER_BEYOND_FILE, "header length " + n + " runs past the end of the file ("
            + size + " bytes, room for at most " + (size - LENGTH_PREFIX_BYTES) + " header bytes); truncated file?");
      }
      // Safe to allocate: n is at most MAX_HEADER_LENGTH and at most what the file holds.
      header = new byte[(int) n];
      readFully(ch, ByteBuffer.wrap(header), LENGTH_PREFIX_BYTES);
    } catch (IOException e) {
      throw new SafetensorsException(Reason.IO, file, null, "cannot read: " + e, e);
    }
    checkUtf8(header);
    if (header.length == 0 || header[0] != '{') {
      throw fail(Reason.HEADER_NOT_OBJECT, header.length == 0 ? "header is empty (expected a JSON object)"
          : "header must be a JSON object starting with '{', starts with byte 0x"
              + String.format("%02x", header[0] & 0xff));
    }
    List<TensorInfo> tensors = new ArrayList<>();
    SortedMap<String, String> metadata = readJson(header, tensors);
    checkLayout(tensors, size - LENGTH_PREFIX_BYTES - header.length);
    return new SafetensorsHeader(file, size, header.length, tensors, metadata);
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer buf, long position) throws IOException {
    ch.position(position);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new EOFException("file shrank while being read");
      }
    }
  }

  /** Validates UTF-8 with the JDK decoder (rejects overlong forms, encoded surrogates, truncation) in bounded chunks. */
  private void checkUtf8(byte[] header) throws SafetensorsException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(header);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult r = dec.decode(in, out, true);
      if (r.isError()) {
        throw fail(Reason.HEADER_NOT_UTF8, "header is not valid UTF-8 at header byte " + in.position()
            + " (file byte " + (LENGTH_PREFIX_BYTES + in.position()) + ")");
      }
      out.clear();
      if (r.isUnderflow()) {
        break;
      }
    }
    if (dec.flush(out).isError()) {
      throw fail(Reason.HEADER_NOT_UTF8, "header ends inside a UTF-8 sequence");
    }
  }

  private SortedMap<String, String> readJson(byte[] header, List<TensorInfo> tensors) throws SafetensorsException {
    SortedMap<String, String> metadata = new TreeMap<>();
    try (JsonParser p = StrictJson.factory().createParser(header)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, Reason.HEADER_NOT_OBJECT, "header must be a JSON object");
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (METADATA_KEY.equals(name)) {
          readMetadata(p, metadata);
        } else {
          tensor = name;
          checkName(name);
          if (tensors.size() == MAX_TENSORS) {
            throw fail(Reason.TOO_MANY_TENSORS, "more than " + MAX_TENSORS + " tensors in one file");
          }
          tensors.add(readTensor(p, name));
          tensor = null;
        }
      }
      expect(t == JsonToken.END_OBJECT, Reason.HEADER_JSON, "malformed header object");
      JsonToken after = p.nextToken();
      if (after != null) {
        throw fail(Reason.HEADER_JSON, "trailing content after the header object: " + after);
      }
    } catch (StreamConstraintsException e) {
      throw new SafetensorsException(Reason.HEADER_JSON, file, tensor,
          "header exceeds a JSON limit: " + e.getOriginalMessage(), e);
    } catch (JsonParseException e) {
      String msg = e.getOriginalMessage();
      Reason r = msg != null && msg.startsWith("Duplicate field") ? Reason.DUPLICATE_KEY : Reason.HEADER_JSON;
      throw new SafetensorsException(r, file, tensor, "header is not valid JSON at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": " + oneLine(msg), e);
    } catch (IOException e) {
      throw new SafetensorsException(Reason.HEADER_JSON, file, tensor, "header is not valid JSON: "
          + oneLine(e.getMessage()), e);
    }
    return metadata;
  }

  private void checkName(String name) throws SafetensorsException {
    java.util.Optional<String> problem = SafetensorsHeader.tensorNameProblem(name);
    if (problem.isPresent()) {
      throw fail(Reason.TENSOR_NAME, problem.get());
    }
  }

  private void readMetadata(JsonParser p, SortedMap<String, String> metadata) throws IOException, SafetensorsException {
    JsonToken t = p.nextToken();
    expect(t == JsonToken.START_OBJECT, Reason.METADATA, METADATA_KEY + " must be an object of strings, got " + t);
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      expect(v == JsonToken.VALUE_STRING, Reason.METADATA, METADATA_KEY + " value of '"
          + SafetensorsException.printable(key) + "' must be a string, got " + v);
      metadata.put(key, p.getText());
    }
  }

  private TensorInfo readTensor(JsonParser p, String name) throws IOException, SafetensorsException {
    JsonToken t = p.nextToken();
    expect(t == JsonToken.START_OBJECT, Reason.TENSOR_ENTRY,
        "entry must be an object {dtype, shape, data_offsets}, got " + t);
    Dtype dtype = null;
    List<Long> shape = null;
    long[] offsets = null;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String member = p.currentName();
      switch (member) {
        case "dtype" -> {
          JsonToken v = p.nextToken();
          expect(v == JsonToken.VALUE_STRING, Reason.TENSOR_ENTRY, "dtype must be a string, got " + v);
          String text = p.getText();
          dtype = Dtype.parse(text).orElseThrow(() -> fail(Reason.UNKNOWN_DTYPE, "unknown dtype '"
              + SafetensorsException.printable(text) + "' (known: " + Arrays.toString(Dtype.values()) + ")"));
        }
        case "shape" -> shape = readShape(p);
        case "data_offsets" -> offsets = readOffsets(p);
        default -> throw fail(Reason.TENSOR_ENTRY, "unknown member '" + SafetensorsException.printable(member)
            + "' (a tensor entry has exactly dtype, shape and data_offsets)");
      }
    }
    // expect(x != null, ...) spelled out, so that the checker sees each is set past its check.
    if (dtype == null) {
      throw fail(Reason.TENSOR_ENTRY, "missing member 'dtype'");
    }
    if (shape == null) {
      throw fail(Reason.TENSOR_ENTRY, "missing member 'shape'");
    }
    if (offsets == null) {
      throw fail(Reason.TENSOR_ENTRY, "missing member 'data_offsets'");
    }
    long begin = offsets[0];
    long end = offsets[1];
    expect(begin <= end, Reason.OFFSETS, "data_offsets [" + begin + ", " + end + "] has begin after end");
    checkSize(dtype, shape, end - begin);
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private List<Long> readShape(JsonParser p) throws IOException, SafetensorsException {
    JsonToken t = p.nextToken();
    expect(t == JsonToken.START_ARRAY, Reason.SHAPE, "shape must be an array of non-negative integers, got " + t);
    List<Long> shape = new ArrayList<>();
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      expect(shape.size() < MAX_RANK, Reason.SHAPE, "shape has more than " + MAX_RANK + " dimensions");
      shape.add(unsigned(p, t, Reason.SHAPE, "shape dimension " + shape.size()));
    }
    return shape;
  }

  private long[] readOffsets(JsonParser p) throws IOException, SafetensorsException {
    JsonToken t = p.nextToken();
    expect(t == JsonToken.START_ARRAY, Reason.OFFSETS, "data_offsets must be an array [begin, end], got " + t);
    long[] o = new long[2];
    int i = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      expect(i < 2, Reason.OFFSETS, "data_offsets has more than 2 elements");
      o[i] = unsigned(p, t, Reason.OFFSETS, i == 0 ? "data_offsets begin" : "data_offsets end");
      i++;
    }
    expect(i == 2, Reason.OFFSETS, "data_offsets has " + i + " elements, expected 2 [begin, end]");
    return o;
  }

  /** A JSON integer token that is a non-negative long, written without sign or exponent. */
  private long unsigned(JsonParser p, JsonToken t, Reason reason, String what) throws IOException, SafetensorsException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      String got = t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING ? t + " " + oneLine(p.getText())
          : String.valueOf(t);
      throw fail(reason, what + " must be a non-negative integer, got " + got);
    }
    String text = p.getText();
    if (text.startsWith("-")) {
      throw fail(reason, what + " is negative: " + text);
    }
    // A JSON integer token has no sign, no leading zeros and no exponent: only its size can be wrong.
    OptionalLong value = UnsignedDecimal.parse(text);
    if (value.isEmpty()) {
      throw fail(reason, what + " " + abbreviate(text) + " is too large (limit " + Long.MAX_VALUE + ")");
    }
    return value.getAsLong();
  }

  private void checkSize(Dtype dtype, List<Long> shape, long actual) throws SafetensorsException {
    long elements = 1;
    for (long d : shape) {
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        throw fail(Reason.OVERFLOW, "element count of shape " + TensorInfo.shapeText(shape) + " overflows 64 bits");
      }
    }
    long bits;
    try {
      bits = Math.multiplyExact(elements, (long) dtype.bits());
    } catch (ArithmeticException e) {
      throw fail(Reason.OVERFLOW, "size of " + elements + " " + dtype + " elements overflows 64 bits");
    }
    if (bits % 8 != 0) {
      throw fail(Reason.MISALIGNED, elements + " " + dtype + " elements (" + dtype.bits() + " bits each) do not fill"
          + " a whole number of bytes");
    }
    if (bits / 8 != actual) {
      throw fail(Reason.SIZE_MISMATCH, "data_offsets span " + actual + " bytes but shape " + TensorInfo.shapeText(shape)
          + " of " + dtype + " needs " + bits / 8 + " bytes");
    }
  }

  /**
   * The reference's layout rule: ordered by offsets, tensors start at 0, each begins where the previous
   * ends, and the last ends at the end of the data buffer.
   */
  private void checkLayout(List<TensorInfo> tensors, long dataLength) throws SafetensorsException {
    List<TensorInfo> byOffset = new ArrayList<>(tensors);
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
        .thenComparing(TensorInfo::name, CodePointOrder.COMPARATOR));
    long expected = 0;
    TensorInfo previous = null;
    for (TensorInfo t : byOffset) {
      tensor = t.name();
      if (t.begin() < expected) {
        // expected > begin >= 0 (TensorInfo's offsets are non-negative), so a previous tensor set it.
        TensorInfo before = Objects.requireNonNull(previous, "overlap with no tensor before");
        throw fail(Reason.OVERLAP, "bytes [" + t.begin() + ", " + t.end() + ") of the data buffer overlap tensor '"
            + SafetensorsException.printable(before.name()) + "' [" + before.begin() + ", " + before.end() + ")");
      }
      if (t.begin() > expected) {
        throw fail(Reason.GAP, "starts at data byte " + t.begin() + " but "
            + (previous == null ? "the data buffer starts at 0" : "tensor '"
                + SafetensorsException.printable(previous.name()) + "' ends at " + expected)
            + ": bytes [" + expected + ", " + t.begin() + ") belong to no tensor");
      }
      if (t.end() > dataLength) {
        throw fail(Reason.BEYOND_FILE, "ends at data byte " + t.end() + " but the data buffer has only " + dataLength
            + " bytes (file truncated?)");
      }
      expected = t.end();
      previous = t;
    }
    tensor = null;
    if (expected != dataLength) {
      throw fail(Reason.TRAILING_BYTES, "the data buffer has " + dataLength + " bytes but the tensors cover only "
          + expected + ": " + (dataLength - expected) + " trailing bytes belong to no tensor");
    }
  }

  private void expect(boolean ok, Reason reason, String problem) throws SafetensorsException {
    if (!ok) {
      throw fail(reason, problem);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static String oneLine(@Nullable String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }
}
