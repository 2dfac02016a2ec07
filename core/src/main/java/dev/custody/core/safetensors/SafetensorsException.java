package dev.custody.core.safetensors;

import dev.custody.core.FormatException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A safetensors file that breaks the format. The message names the file, the tensor (when one is
 * concerned) and what is wrong; {@link #reason()} classifies the failure for programs and tests.
 */
public final class SafetensorsException extends FormatException {
  private static final long serialVersionUID = 1L;

  /** What kind of rule the file breaks. */
  public enum Reason {
    /** Fewer than the 8 bytes of the header length. */
    FILE_TOO_SHORT,
    /** The declared header length exceeds {@link SafetensorsHeader#MAX_HEADER_LENGTH}. */
    HEADER_TOO_LARGE,
    /** The declared header length runs past the end of the file. */
    HEADER_BEYOND_FILE,
    /** The header bytes are not valid UTF-8. */
    HEADER_NOT_UTF8,
    /** The header does not start with {@code '{'} (it is not a JSON object). */
    HEADER_NOT_OBJECT,
    /** The header is not well-formed JSON, or a JSON limit is exceeded. */
    HEADER_JSON,
    /** A JSON object has the same key twice. */
    DUPLICATE_KEY,
    /** A tensor entry does not have the expected members and types. */
    TENSOR_ENTRY,
    /** A tensor name is empty, too long or contains control characters or unpaired surrogates. */
    TENSOR_NAME,
    /** The dtype is not one of {@link Dtype}. */
    UNKNOWN_DTYPE,
    /** A shape is not an array of non-negative integers, or has too many dimensions. */
    SHAPE,
    /** {@code data_offsets} is not two non-negative integers with begin &le; end. */
    OFFSETS,
    /** Element count or byte size overflows 64-bit arithmetic. */
    OVERFLOW,
    /** A packed (sub-byte) tensor does not end on a byte boundary. */
    MISALIGNED,
    /** {@code end - begin} differs from the size implied by shape and dtype. */
    SIZE_MISMATCH,
    /** Two tensors share bytes. */
    OVERLAP,
    /** Bytes between two tensors (or before the first) belong to no tensor. */
    GAP,
    /** A tensor ends beyond the end of the file. */
    BEYOND_FILE,
    /** Bytes after the last tensor belong to no tensor. */
    TRAILING_BYTES,
    /** {@code __metadata__} is not an object of strings. */
    METADATA,
    /** More tensors than {@link SafetensorsHeader#MAX_TENSORS}. */
    TOO_MANY_TENSORS,
    /** A model directory names the same tensor in two files. */
    DUPLICATE_TENSOR_ACROSS_FILES,
    /** A model directory holds no {@code *.safetensors} file. */
    NO_TENSOR_FILES,
    /** The file could not be read, or changed while being read. */
    IO
  }

  private final Reason reason;
  private final String file;
  private final @Nullable String tensor;

  /** {@code tensor} is null when the failure concerns no one tensor. */
  public SafetensorsException(Reason reason, String file, @Nullable String tensor, String problem) {
    this(reason, file, tensor, problem, null);
  }

  public SafetensorsException(Reason reason, String file, @Nullable String tensor, String problem,
      @Nullable Throwable cause) {
    super(file + (tensor == null ? "" : ": tensor '" + printable(tensor) + "'") + ": " + problem, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.file = Objects.requireNonNull(file, "file");
    this.tensor = tensor;
  }

  public Reason reason() {
    return reason;
  }

  /** The file as named to the parser. */
  public String file() {
    return file;
  }

  /** The tensor concerned, if the failure is about one. */
  public Optional<String> tensor() {
    return Optional.ofNullable(tensor);
  }

  /** Escapes control characters and shortens very long names so a message stays one readable line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validPairAt(s, i)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.length() < 200 ? b.toString() : b + "...";
  }

  private static boolean validPairAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
