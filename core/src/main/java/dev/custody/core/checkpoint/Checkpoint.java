package dev.custody.core.checkpoint;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.internal.text.UnsignedDecimal;
import dev.custody.core.merkle.MerkleHash;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Objects;

/**
 * The text of a C2SP transparency-log checkpoint (c2sp.org/tlog-checkpoint §Note text): the tree
 * head of an RFC 9162 SHA-256 Merkle log. The signatures around it are a
 * {@link dev.custody.core.note.SignedNote}; read signed checkpoints with
 * {@link CheckpointVerifier}, which verifies before it parses.
 *
 * <h2>Grammar (strict; {@link #parse} and {@link #format} are exact inverses)</h2>
 *
 * <pre>
 *   checkpoint = origin "\n" size "\n" root "\n" *(extension "\n")
 *   origin     = 1*char                    ; non-empty
 *   size       = "0" / %x31-39 *DIGIT      ; decimal, no sign, no leading zeros, at most 2^63 - 1
 *   root       = base64(32 bytes)          ; canonical padded standard base64 of the RFC 9162 root
 *   extension  = 1*char                    ; non-empty (C2SP: "Extension lines, if any, MUST be non-empty")
 *   char       = any Unicode scalar value except U+0000..U+001F
 * </pre>
 *
 * <p>Stricter than transparency-dev's {@code log.ParseCheckpoint}, which accepts empty extension
 * lines and root hashes of any length: a custody log's root is always a 32-byte SHA-256 hash. The
 * origin may contain spaces (Go's checksum database uses {@code go.sum database tree}); the spec
 * only recommends schema-less URLs. Tree sizes above 2^63 - 1 (Java's {@code long}) are rejected.
 *
 * @param origin the log's identity, e.g. {@code example.com/log}
 * @param size number of leaves
 * @param rootHash the 32-byte Merkle tree hash of the first {@code size} leaves
 * @param extensions opaque extension lines, without newlines (usually none)
 */
public record Checkpoint(String origin, long size, Bytes rootHash, List<String> extensions) {
  /** Length of the root hash (SHA-256, RFC 9162 §2.1.1). */
  public static final int ROOT_HASH_LENGTH = MerkleHash.HASH_LENGTH;

  /** Largest checkpoint text accepted, in bytes; a checkpoint is three short lines. */
  public static final int MAX_TEXT_BYTES = 64 * 1024;


  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    extensions = List.copyOf(extensions);
    try {
      checkLine(origin, "origin");
      for (String e : extensions) {
        checkLine(e, "extension line");
      }
    } catch (FormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (size < 0) {
      throw new IllegalArgumentException("tree size must be non-negative, got " + size);
    }
    if (rootHash.length() != ROOT_HASH_LENGTH) {
      throw new IllegalArgumentException("root hash must be " + ROOT_HASH_LENGTH + " bytes, got " + rootHash.length());
    }
  }

  /** A checkpoint without extension lines. */
  public static Checkpoint of(String origin, long size, Bytes rootHash) {
    return new Checkpoint(origin, size, rootHash, List.of());
  }

  /**
   * The checkpoint text for a tree head: {@code origin\nsize\nbase64(root)\n}. What a log signs.
   *
   * @throws IllegalArgumentException if the origin is empty or has a control character, the size is
   *     negative or the root is not 32 bytes
   */
  public static String format(String origin, long size, Bytes rootHash) {
    return of(origin, size, rootHash).format();
  }

  /** The checkpoint text, ending with a newline. */
  public String format() {
    StringBuilder sb = new StringBuilder()
        .append(origin).append('\n')
        .append(size).append('\n')
        .append(StrictBase64.encode(rootHash.toByteArray())).append('\n');
    for (String e : extensions) {
      sb.append(e).append('\n');
    }
    return sb.toString();
  }

  /** {@link #format()} as UTF-8 bytes. */
  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses checkpoint text (a verified note's text, final newline included).
   *
   * @throws FormatException naming the offending line
   */
  public static Checkpoint parse(byte[] text) throws FormatException {
    Objects.requireNonNull(text, "text");
    if (text.length > MAX_TEXT_BYTES) {
      throw new FormatException("checkpoint: " + text.length + " bytes, above the limit of " + MAX_TEXT_BYTES);
    }
    try {
      return parse(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(text)).toString());
    } catch (CharacterCodingException e) {
      throw new FormatException("checkpoint: not valid UTF-8", e);
    }
  }

  /** Parses checkpoint text; see {@link #parse(byte[])}. */
  public static Checkpoint parse(String text) throws FormatException {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty() || text.charAt(text.length() - 1) != '\n') {
      throw new FormatException("checkpoint: text must end with a newline");
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      lines.add(text.substring(start, end));
      start = end + 1;
    }
    if (lines.size() < 3) {
      throw new FormatException("checkpoint: " + lines.size() + " lines, expected at least 3 (origin, tree size, root hash)");
    }
    String origin = lines.get(0);
    checkLine(origin, "checkpoint line 1 (origin)");
    long size = parseSize(lines.get(1));
    byte[] root = StrictBase64.decode(lines.get(2), "checkpoint line 3 (root hash)");
    if (root.length != ROOT_HASH_LENGTH) {
      throw new FormatException("checkpoint line 3 (root hash): " + root.length + " bytes, expected "
          + ROOT_HASH_LENGTH + " (SHA-256)");
    }
    List<String> extensions = lines.subList(3, lines.size());
    for (int i = 0; i < extensions.size(); i++) {
      checkLine(extensions.get(i), "checkpoint line " + (i + 4) + " (extension)");
    }
    return new Checkpoint(origin, size, Bytes.copyOf(root), extensions);
  }

  private static long parseSize(String s) throws FormatException {
    OptionalLong size = UnsignedDecimal.parse(s);
    if (size.isEmpty()) {
      throw new FormatException("checkpoint line 2 (tree size): '" + abbreviate(s)
          + "' is not a decimal number from 0 to 2^63 - 1 without sign or leading zeros");
    }
    return size.getAsLong();
  }

  private static void checkLine(String line, String what) throws FormatException {
    if (line.isEmpty()) {
      throw new FormatException(what + " is empty");
    }
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20) {
        throw new FormatException(what + " contains control character " + String.format("U+%04X", (int) c));
      }
      if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < line.length()
          && Character.isLowSurrogate(line.charAt(i + 1)))) {
        if (!(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(line.charAt(i - 1)))) {
          throw new FormatException(what + " is not valid Unicode (unpaired surrogate)");
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
