package dev.custody.core.safetensors;

import dev.custody.core.internal.text.CodePointOrder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The validated header of one safetensors file: its tensors (sorted by name) and its
 * {@code __metadata__}. Immutable and thread-safe.
 *
 * <h2>Format</h2>
 * (huggingface/safetensors {@code README.md} "Format", validation rules from
 * {@code safetensors/src/tensor.rs} {@code SafeTensors::read_metadata} and {@code Metadata::validate})
 * <pre>
 * file   = N:u64-little-endian  header:N bytes  data:(file size - 8 - N) bytes
 * header = UTF-8 JSON object { (tensor-name: tensor-entry | "__metadata__": {string: string})* }
 *          optionally padded with trailing JSON whitespace (writers pad with spaces to 8-byte alignment)
 * tensor-entry = {"dtype": DTYPE, "shape": [uint*], "data_offsets": [begin:uint, end:uint]}
 * </pre>
 * Offsets are relative to the first byte of {@code data}. The rules enforced, each with a
 * {@link SafetensorsException.Reason}:
 * <ul>
 *   <li>the file has at least 8 bytes; {@code N <= }{@value #MAX_HEADER_LENGTH} (the reference's
 *       {@code MAX_HEADER_SIZE}); the header lies within the file;</li>
 *   <li>the header is valid UTF-8 and starts with {@code '{'} (the reference plans this check for
 *       0.4; every writer already complies);</li>
 *   <li>strict JSON: no duplicate keys at any level, no trailing content, no unknown members in a
 *       tensor entry, integers without sign, fraction or exponent;</li>
 *   <li>tensor names are non-empty, at most {@value #MAX_NAME_LENGTH} chars, without control
 *       characters or unpaired surrogates (so a name is always one printable line);</li>
 *   <li>dtype is one of {@link Dtype}; rank at most {@value #MAX_RANK}; at most {@value #MAX_TENSORS}
 *       tensors;</li>
 *   <li>begin &le; end; product(shape) &times; bits(dtype) does not overflow (folded left to right,
 *       like the reference), is a whole number of bytes, and equals {@code end - begin};</li>
 *   <li>sorted by offsets, the tensors are contiguous from offset 0 (no overlap, no gap) and the
 *       last one ends exactly at the end of the file (the reference's "the byte buffer must be entirely
 *       indexed", which also rules out polyglot files hiding bytes after the tensors).</li>
 * </ul>
 * Reading allocates at most the header length (after checking it against the limit and the file
 * size) plus the parsed tensor list; the data buffer is never read.
 */
public final class SafetensorsHeader {
  /** Bytes of the little-endian u64 header length that starts every file. */
  public static final int LENGTH_PREFIX_BYTES = 8;
  /**
   * Largest header accepted: 100,000,000 bytes, the reference implementation's
   * {@code MAX_HEADER_SIZE} ({@code safetensors/src/tensor.rs}), "to prevent parsing extremely large JSON".
   */
  public static final long MAX_HEADER_LENGTH = 100_000_000L;
  /**
   * Most tensors in one file: about 1 M. The largest public checkpoints hold some 10^5 tensors in
   * total across all shards; the limit bounds the parsed list's memory (~200 bytes per tensor).
   */
  public static final int MAX_TENSORS = 1 << 20;
  /** Most dimensions of one tensor: 64, NumPy 2's {@code NPY_MAXDIMS} (PyTorch allows fewer). */
  public static final int MAX_RANK = 64;
  /** Longest tensor name, in chars; real names are well under 300. */
  public static final int MAX_NAME_LENGTH = 4096;
  /**
   * What makes {@code name} no valid tensor name, or empty if it is one: names are 1 to
   * {@value #MAX_NAME_LENGTH} chars without control characters (C0, DEL, C1) or unpaired surrogates,
   * so that a name is always one line of valid Unicode. The one rule for names read from a header and
   * names repeated elsewhere (e.g. in signed comparison figures).
   */
  public static java.util.Optional<String> tensorNameProblem(String name) {
    if (name.isEmpty()) {
      return java.util.Optional.of("tensor name is empty");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return java.util.Optional.of("tensor name is " + name.length() + " chars, over the limit of " + MAX_NAME_LENGTH);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
        return java.util.Optional.of(String.format("tensor name contains control character U+%04X at index %d",
            (int) c, i));
      }
      if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return java.util.Optional.of(String.format("tensor name contains unpaired surrogate U+%04X at index %d"
            + " (from a \\u escape; not valid Unicode)", (int) c, i));
      }
    }
    return java.util.Optional.empty();
  }

  /** The reserved header key for free-form string metadata. */
  public static final String METADATA_KEY = "__metadata__";

  private final String file;
  private final long fileSize;
  private final long headerLength;
  private final List<TensorInfo> tensors;
  private final Map<String, TensorInfo> byName;
  private final SortedMap<String, String> metadata;

  SafetensorsHeader(String file, long fileSize, long headerLength, List<TensorInfo> tensors,
      SortedMap<String, String> metadata) {
    this.file = Objects.requireNonNull(file, "file");
    this.fileSize = fileSize;
    this.headerLength = headerLength;
    List<TensorInfo> sorted = new java.util.ArrayList<>(tensors);
    sorted.sort(Comparator.comparing(TensorInfo::name, CodePointOrder.COMPARATOR));
    this.tensors = List.copyOf(sorted);
    Map<String, TensorInfo> m = new java.util.HashMap<>();
    for (TensorInfo t : sorted) {
      if (m.put(t.name(), t) != null) {
        throw new IllegalArgumentException("duplicate tensor name " + t.name());
      }
    }
    this.byName = Collections.unmodifiableMap(m);
    this.metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
  }

  /** Reads and validates the header of the file at {@code path}. */
  public static SafetensorsHeader read(Path path) throws SafetensorsException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return read(ch, path.toString());
    } catch (IOException e) {
      throw new SafetensorsException(SafetensorsException.Reason.IO, path.toString(), null,
          "cannot read: " + e, e);
    }
  }

  /**
   * Reads and validates the header of the safetensors file in {@code channel} (its whole content,
   * from position 0 to {@code size()}; the channel's position is changed).
   *
   * @param file names the file in error messages
   */
  public static SafetensorsHeader read(SeekableByteChannel channel, String file) throws SafetensorsException {
    return HeaderParser.parse(channel, file);
  }

  /** The file as named when it was read. */
  public String file() {
    return file;
  }

  public long fileSize() {
    return fileSize;
  }

  /** N, the declared header length in bytes (padding included). */
  public long headerLength() {
    return headerLength;
  }

  /** File offset of the data buffer: {@code 8 + N}. */
  public long dataStart() {
    return LENGTH_PREFIX_BYTES + headerLength;
  }

  /** Bytes in the data buffer; every byte belongs to exactly one tensor. */
  public long dataLength() {
    return fileSize - dataStart();
  }

  /** The tensors, sorted by {@link CodePointOrder} (the order of the names' UTF-8 bytes). */
  public List<TensorInfo> tensors() {
    return tensors;
  }

  public Optional<TensorInfo> tensor(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** {@code __metadata__}, empty when absent; sorted by key. */
  public SortedMap<String, String> metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    return "SafetensorsHeader[" + file + ", " + tensors.size() + " tensors, header " + headerLength + " bytes]";
  }
}
