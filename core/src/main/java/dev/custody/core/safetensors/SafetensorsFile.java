package dev.custody.core.safetensors;

import dev.custody.core.Digest;
import dev.custody.core.safetensors.SafetensorsException.Reason;
import dev.custody.core.internal.text.CodePointOrder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A safetensors file on disk with its validated header. Reading tensor data re-checks the file size,
 * so a file that changes after {@link #open} fails loudly instead of yielding mixed results.
 * Immutable; thread-safe (each read opens its own channel).
 */
public final class SafetensorsFile {
  /** Read buffer for streaming digests: 1 MiB, independent of file and tensor sizes. */
  static final int BUFFER_BYTES = 1 << 20;

  private final Path path;
  private final String label;
  private final SafetensorsHeader header;

  private SafetensorsFile(Path path, String label, SafetensorsHeader header) {
    this.path = path;
    this.label = label;
    this.header = header;
  }

  /** Opens {@code path} and validates its header; errors name the file as {@code path}. */
  public static SafetensorsFile open(Path path) throws SafetensorsException {
    return open(path, path.getFileName() == null ? path.toString() : path.getFileName().toString());
  }

  /** Opens {@code path}; {@code label} is how results name the file (e.g. its path within a model directory). */
  public static SafetensorsFile open(Path path, String label) throws SafetensorsException {
    Objects.requireNonNull(label, "label");
    return new SafetensorsFile(path, label, SafetensorsHeader.read(path));
  }

  public Path path() {
    return path;
  }

  /** The file's name in results: its path relative to the model directory, or its file name. */
  public String label() {
    return label;
  }

  public SafetensorsHeader header() {
    return header;
  }

  /**
   * SHA-256 of each tensor's bytes ({@code data[begin, end)}, exactly as stored: little-endian,
   * row-major), keyed by tensor name in {@link SafetensorsHeader#CodePointOrder.COMPARATOR}. An empty tensor's
   * digest is SHA-256 of the empty string. Reads the data buffer once, sequentially, with a
   * {@value #BUFFER_BYTES}-byte buffer.
   */
  public SortedMap<String, Digest> tensorDigests() throws SafetensorsException {
    List<TensorInfo> byOffset = new ArrayList<>(header.tensors());
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    SortedMap<String, Digest> out = new TreeMap<>(CodePointOrder.COMPARATOR);
    try (FileChannel ch = openChecked()) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BUFFER_BYTES, Math.max(1, header.dataLength())));
      long position = header.dataStart();
      for (TensorInfo t : byOffset) {
        // Tensors are contiguous (checked by the parser), so this walks the file front to back.
        MessageDigest md = Digest.newSha256();
        long remaining = t.byteLength();
        while (remaining > 0) {
          buf.clear().limit((int) Math.min(buf.capacity(), remaining));
          int n = ch.read(buf, position);
          if (n < 0) {
            throw changed("ended at byte " + position + " while reading tensor '" + t.name() + "'");
          }
          md.update(buf.array(), 0, n);
          position += n;
          remaining -= n;
        }
        out.put(t.name(), Digest.ofSha256(md.digest()));
      }
    } catch (IOException e) {
      throw new SafetensorsException(Reason.IO, path.toString(), null, "cannot read: " + e, e);
    }
    return Collections.unmodifiableSortedMap(out);
  }

  /** Opens the file for reading and checks it still has the size its header was validated against. */
  public FileChannel openChecked() throws SafetensorsException {
    try {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      if (ch.size() != header.fileSize()) {
        long size = ch.size();
        ch.close();
        throw changed("is now " + size + " bytes, was " + header.fileSize() + " when its header was read");
      }
      return ch;
    } catch (IOException e) {
      throw new SafetensorsException(Reason.IO, path.toString(), null, "cannot read: " + e, e);
    }
  }

  private SafetensorsException changed(String what) {
    return new SafetensorsException(Reason.IO, path.toString(), null, "file changed while being read: it " + what);
  }

  @Override
  public String toString() {
    return label + " (" + header + ")";
  }
}
