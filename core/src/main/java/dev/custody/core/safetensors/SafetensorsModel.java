package dev.custody.core.safetensors;

import dev.custody.core.Digest;
import dev.custody.core.safetensors.SafetensorsException.Reason;
import dev.custody.core.internal.text.CodePointOrder;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A model stored as safetensors: one file, or every {@code *.safetensors} regular file directly in a
 * directory (a sharded checkpoint; symbolic links to files are followed, as in a Hugging Face cache
 * snapshot; subdirectories are not searched). The model's tensors are the union of the files'
 * tensors; a name in two files is an error. Immutable; thread-safe.
 */
public final class SafetensorsModel {
  /** The file-name suffix that marks a safetensors file in a directory. */
  public static final String SUFFIX = ".safetensors";

  /** A tensor of the model and the file that holds it. */
  public record ModelTensor(SafetensorsFile file, TensorInfo info) {
    public String name() {
      return info.name();
    }
  }

  private final Path root;
  private final List<SafetensorsFile> files;
  private final List<ModelTensor> tensors;
  private final Map<String, ModelTensor> byName;

  private SafetensorsModel(Path root, List<SafetensorsFile> files, List<ModelTensor> tensors) {
    this.root = root;
    this.files = List.copyOf(files);
    this.tensors = List.copyOf(tensors);
    Map<String, ModelTensor> m = new HashMap<>();
    tensors.forEach(t -> m.put(t.name(), t));
    this.byName = Collections.unmodifiableMap(m);
  }

  /**
   * Opens a model: {@code path} is a safetensors file (any name) or a directory of them. Reads and
   * validates every header; reads no tensor data.
   */
  public static SafetensorsModel open(Path path) throws SafetensorsException {
    List<SafetensorsFile> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      List<Path> found = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
        for (Path p : ds) {
          if (p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)) {
            found.add(p);
          }
        }
      } catch (IOException e) {
        throw new SafetensorsException(Reason.IO, path.toString(), null, "cannot list directory: " + e, e);
      }
      if (found.isEmpty()) {
        throw new SafetensorsException(Reason.NO_TENSOR_FILES, path.toString(), null,
            "no *" + SUFFIX + " files in this directory");
      }
      found.sort((a, b) -> CodePointOrder.COMPARATOR.compare(a.getFileName().toString(), b.getFileName().toString()));
      for (Path p : found) {
        files.add(SafetensorsFile.open(p, p.getFileName().toString()));
      }
    } else {
      files.add(SafetensorsFile.open(path));
    }
    SortedMap<String, ModelTensor> all = new TreeMap<>(CodePointOrder.COMPARATOR);
    for (SafetensorsFile f : files) {
      for (TensorInfo t : f.header().tensors()) {
        ModelTensor prior = all.put(t.name(), new ModelTensor(f, t));
        if (prior != null) {
          throw new SafetensorsException(Reason.DUPLICATE_TENSOR_ACROSS_FILES, f.path().toString(), t.name(),
              "also defined in " + prior.file().path() + "; a tensor name must appear in one file of a model");
        }
      }
    }
    return new SafetensorsModel(path, files, new ArrayList<>(all.values()));
  }

  /** The path the model was opened from. */
  public Path root() {
    return root;
  }

  /** The files, sorted by name. */
  public List<SafetensorsFile> files() {
    return files;
  }

  /** All tensors, sorted by {@link SafetensorsHeader#CodePointOrder.COMPARATOR}. */
  public List<ModelTensor> tensors() {
    return tensors;
  }

  public Optional<ModelTensor> tensor(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  private List<TensorInfo> infos() {
    return tensors.stream().map(ModelTensor::info).toList();
  }

  /** The {@link Fingerprints architecture fingerprint} (v1) over all files' tensors. */
  public Digest architecture() {
    return Fingerprints.architecture(infos());
  }

  /** The name-blind {@link Fingerprints structure fingerprint} (v1) over all files' tensors. */
  public Digest structure() {
    return Fingerprints.structure(infos());
  }

  /** Total elements over all tensors (saturates at {@code Long.MAX_VALUE}). */
  public long parameterCount() {
    long n = 0;
    for (ModelTensor t : tensors) {
      n = saturatedAdd(n, t.info().elementCount());
    }
    return n;
  }

  /** Total tensor bytes over all files. */
  public long tensorBytes() {
    long n = 0;
    for (SafetensorsFile f : files) {
      n += f.header().dataLength();
    }
    return n;
  }

  /** {@link SafetensorsFile#tensorDigests()} of every file, merged; reads all tensor data once. */
  public SortedMap<String, Digest> tensorDigests() throws SafetensorsException {
    SortedMap<String, Digest> out = new TreeMap<>(CodePointOrder.COMPARATOR);
    for (SafetensorsFile f : files) {
      out.putAll(f.tensorDigests());
    }
    return Collections.unmodifiableSortedMap(out);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
