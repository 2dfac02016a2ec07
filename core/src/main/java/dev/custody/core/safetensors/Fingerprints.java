package dev.custody.core.safetensors;

import dev.custody.core.Digest;
import dev.custody.core.internal.text.CodePointOrder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The two fingerprints of a model's tensor layout. Both look at names, dtypes and shapes only —
 * never at values, file names, sharding, offsets or {@code __metadata__} — so re-sharding or
 * re-saving a model keeps them, and changing any weight value does not change them.
 *
 * <h2>Architecture fingerprint, version 1</h2>
 * SHA-256 over the UTF-8 bytes of
 * <pre>
 * "custody/arch/v1\n"
 * ( name "\t" dtype "\t" shape "\n" )*      one line per tensor, in code-point order (CodePointOrder)
 * </pre>
 * <h2>Structure fingerprint (name-blind), version 1</h2>
 * SHA-256 over the UTF-8 bytes of
 * <pre>
 * "custody/structure/v1\n"
 * ( dtype "\t" shape "\n" )*                one line per tensor, duplicates kept (a multiset),
 *                                           lines sorted by their bytes
 * </pre>
 * where {@code dtype} is the header's spelling ({@code F32}, {@code BF16}, ...) and {@code shape}
 * is {@code "[" (dim ("," dim)*)? "]"} with dims in ASCII decimal without sign or leading zeros
 * ({@code []} for a scalar). Tensor names cannot contain tab, newline or other control characters
 * (the parser rejects them), so every line splits unambiguously. A new encoding gets a new version
 * prefix; the versions above never change.
 *
 * <p>Known answers: a model with the single tensor {@code attn.0}, F32, shape [1,2,3] encodes as
 * {@code "custody/arch/v1\nattn.0\tF32\t[1,2,3]\n"} and {@code "custody/structure/v1\nF32\t[1,2,3]\n"}.
 */
public final class Fingerprints {
  /** First line of the architecture encoding, version 1. */
  public static final String ARCHITECTURE_V1 = "custody/arch/v1\n";
  /** First line of the structure encoding, version 1. */
  public static final String STRUCTURE_V1 = "custody/structure/v1\n";

  private Fingerprints() {}

  /** The architecture encoding (v1) of {@code tensors}, in any order; names must be unique. */
  public static byte[] architectureEncoding(Collection<TensorInfo> tensors) {
    List<TensorInfo> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparing(TensorInfo::name, CodePointOrder.COMPARATOR));
    StringBuilder b = new StringBuilder(ARCHITECTURE_V1);
    String last = null;
    for (TensorInfo t : sorted) {
      if (t.name().equals(last)) {
        throw new IllegalArgumentException("tensor name '" + t.name() + "' appears twice");
      }
      last = t.name();
      b.append(t.name()).append('\t').append(t.dtype().name()).append('\t').append(t.shapeText()).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The structure encoding (v1) of {@code tensors}, in any order. */
  public static byte[] structureEncoding(Collection<TensorInfo> tensors) {
    List<String> lines = new ArrayList<>(tensors.size());
    for (TensorInfo t : tensors) {
      lines.add(structureLine(t));
    }
    lines.sort(null); // the lines are ASCII: String order is byte order
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(STRUCTURE_V1.getBytes(StandardCharsets.US_ASCII));
    for (String line : lines) {
      out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** {@code dtype "\t" shape "\n"}: the structure line of one tensor, also the key under which it matches name-blind. */
  public static String structureLine(TensorInfo t) {
    return t.dtype().name() + '\t' + t.shapeText() + '\n';
  }

  public static Digest architecture(Collection<TensorInfo> tensors) {
    return Digest.sha256(architectureEncoding(tensors));
  }

  public static Digest structure(Collection<TensorInfo> tensors) {
    return Digest.sha256(structureEncoding(tensors));
  }
}
