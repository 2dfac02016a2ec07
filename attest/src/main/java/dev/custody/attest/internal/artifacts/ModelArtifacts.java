package dev.custody.attest.internal.artifacts;

import dev.custody.core.Digest;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Artifacts from files and directories, for JVM pipelines and the CLI alike: a directory (or any
 * path recorded as a model manifest) is hashed into an OMS v1.0 manifest, kept in the ledger's
 * {@link ManifestStore}, and named by its root digest; a plain file is named by the SHA-256 of its
 * content. Most callers use {@code Ledger.artifact(...)} and {@code Ledger.model(...)}, which do
 * both steps through the ledger the artifact is recorded in:
 *
 * <pre>{@code
 * ArtifactRef model = ledger.model("model", Path.of("out/"));   // manifest kept in the ledger
 * ArtifactRef data = ledger.artifact("train-data", Path.of("data/shard-000.jsonl"));
 * }</pre>
 *
 * <p>{@link #hash} and {@link Hashed#keep} are the two steps apart, for a caller that hashes every path
 * an event names before it keeps any manifest (so that a path refused while hashing leaves nothing in
 * the ledger).
 */
public final class ModelArtifacts {
  private ModelArtifacts() {}

  /**
   * A path hashed for an event, its manifest (if any) not yet kept.
   *
   * @param manifest the model manifest, for a directory or a path hashed as a manifest
   * @param digest the artifact's digest: the manifest's root digest, else the file's content SHA-256
   */
  public record Hashed(String name, ArtifactKind kind, Optional<ModelManifest> manifest, Digest digest) {
    public Hashed {
      Objects.requireNonNull(manifest, "manifest");
      ArtifactRef.of(name, kind, digest); // the name, kind and digest an artifact accepts
      if (manifest.isPresent() && !manifest.get().rootDigest().equals(digest)) {
        throw new IllegalArgumentException("artifact " + dev.custody.core.internal.text.Untrusted.quote(name) + ": digest "
            + digest + " is not its manifest's root digest " + manifest.get().rootDigest());
      }
    }

    /** The artifact, with its manifest (if any) written durably to {@code store} first. */
    public ArtifactRef keep(ManifestStore store) throws IOException {
      return manifest.isPresent() ? store.put(name, kind, manifest.get()) : ArtifactRef.of(name, kind, digest);
    }
  }

  /**
   * Hashes the file or directory {@code path} as artifact {@code name} of {@code kind}: a directory
   * (or, with {@code manifestForFile}, a plain file) into a model manifest with {@code options} (the
   * ledger directory ignored when it lies inside), another file as the SHA-256 of its content. A
   * symbolic link, FIFO, device or missing path is refused before anything is read.
   *
   * @param ledgerDir the ledger directory, or null
   * @throws IllegalArgumentException if the name is invalid, or {@code path} is neither a regular file nor a
   *     directory (naming it)
   * @throws ManifestException if the manifest cannot be made (naming the file)
   */
  public static Hashed hash(String name, ArtifactKind kind, Path path, boolean manifestForFile,
      ModelHasher.Builder options, @Nullable Path ledgerDir) throws IOException, ManifestException {
    Objects.requireNonNull(path, "path");
    ArtifactRef.of(name, kind, Digest.sha256(new byte[0])); // validate the name before hashing
    boolean dir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    if (!dir && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("artifact " + dev.custody.core.internal.text.Untrusted.quote(name) + ": "
          + dev.custody.core.internal.text.Untrusted.quote(path.toString()) + " is not an existing file or directory"
          + (Files.isSymbolicLink(path) ? " (symbolic links are refused)" : ""));
    }
    if (dir || manifestForFile) {
      ModelManifest m = hash(path, options, ledgerDir);
      return new Hashed(name, kind, Optional.of(m), m.rootDigest());
    }
    // NOFOLLOW_LINKS: a link swapped in after the check above is refused when opened, not followed.
    try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
      return new Hashed(name, kind, Optional.empty(), Digest.sha256(in));
    }
  }

  /**
   * Hashes {@code model} with {@code options}; when {@code model} is a directory that contains
   * {@code ledgerDir}, the ledger is ignored (it changes with every append).
   *
   * @param ledgerDir the ledger directory, or null
   */
  public static ModelManifest hash(Path model, ModelHasher.Builder options, @Nullable Path ledgerDir)
      throws IOException, ManifestException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(options, "options");
    if (ledgerDir != null && Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledgerDir).ifPresent(options::ignorePath);
    }
    return options.build().hash(model);
  }
}
