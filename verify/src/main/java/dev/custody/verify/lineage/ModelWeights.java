package dev.custody.verify.lineage;

import dev.custody.core.CustodyException;
import dev.custody.core.Digest;
import dev.custody.core.manifest.HashProgress;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.safetensors.SafetensorsModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * A model's weights at hand, for {@link DerivationCheck}: a directory of safetensors files or one
 * safetensors file, with the digests by which the evidence may name it.
 *
 * <p><b>Digests.</b> A directory is named by its manifest root digest with the default serialization
 * of {@code custody record} ({@code files}, git paths ignored, and the ledger directory ignored when
 * it lies inside). A file is named two ways, as {@code custody record} may have named it: the SHA-256
 * of its content (the default for a plain file) and its one-file manifest root digest
 * ({@code --manifest}). Weights recorded with another serialization (shards, extra ignore paths) are
 * not recognised: the check reports them as {@link dev.custody.verify.FindingCode#WEIGHTS_UNMATCHED}.
 *
 * <p>Opening reads every safetensors header (validated strictly) and hashes every file once; the
 * tensor digests a comparison needs are read once, on first use, and kept. Symbolic links are
 * refused by the hasher, as {@code record} refuses them. Thread-safe: one instance may serve several
 * verifications at once (the tensor digests are read under a lock, once).
 */
public final class ModelWeights {
  private final Path path;
  private final Set<Digest> digests;
  private final SafetensorsModel model;
  /** Read on first use ({@link #tensorDigests()}); null until then. */
  private @Nullable SortedMap<String, Digest> tensorDigests;

  private ModelWeights(Path path, Set<Digest> digests, SafetensorsModel model) {
    this.path = path;
    this.digests = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(digests)); // root digest first
    this.model = model;
  }

  /**
   * Opens the weights at {@code path}.
   *
   * @param ledgerDirs the ledgers being verified: each one that lies inside a model directory is
   *     ignored when hashing it, as {@code record} ignores its ledger
   * @throws SafetensorsException if a safetensors file is malformed, or a directory holds none
   * @throws dev.custody.core.manifest.ManifestException if hashing refuses the model (a symbolic link,
   *     a special file, a file that changed while being hashed)
   * @throws IOException if a file cannot be read
   */
  public static ModelWeights open(Path path, Collection<Path> ledgerDirs, HashProgress progress)
      throws IOException, CustodyException {
    Objects.requireNonNull(path, "path");
    SafetensorsModel model = SafetensorsModel.open(path);
    ModelHasher.Builder options = ModelHasher.builder().progress(progress == null ? HashProgress.NONE : progress);
    boolean dir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    if (dir) {
      for (Path ledger : ledgerDirs) {
        ResourceNames.relativeInside(path.toAbsolutePath().normalize(), ledger).ifPresent(options::ignorePath);
      }
    }
    ModelManifest m = options.build().hash(path);
    Set<Digest> digests = new LinkedHashSet<>();
    digests.add(m.rootDigest());
    if (!dir) {
      // A one-file manifest's only resource digest is the SHA-256 of the file's content.
      digests.add(m.resources().get(0).digest());
    }
    return new ModelWeights(path, digests, model);
  }

  /** Where the weights were read from, as given. */
  public Path path() {
    return path;
  }

  /**
   * The digests the evidence may name these weights by (see the class comment): the manifest root
   * digest first, then, for a file, the SHA-256 of its content.
   */
  public Set<Digest> digests() {
    return digests;
  }

  /** Whether the evidence naming {@code d} names these weights. */
  public boolean is(Digest d) {
    return digests.contains(d);
  }

  /** The primary digest: the manifest root digest. */
  public Digest digest() {
    return digests.iterator().next();
  }

  /** The safetensors model. */
  public SafetensorsModel model() {
    return model;
  }

  /** Every tensor's SHA-256, read on first use and kept (synchronized: a verifier may be shared by threads). */
  synchronized SortedMap<String, Digest> tensorDigests() throws SafetensorsException {
    if (tensorDigests == null) {
      tensorDigests = java.util.Collections.unmodifiableSortedMap(model.tensorDigests());
    }
    return tensorDigests;
  }

  @Override
  public String toString() {
    return path + " " + digests;
  }
}
