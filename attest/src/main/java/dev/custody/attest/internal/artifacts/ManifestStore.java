package dev.custody.attest.internal.artifacts;

import dev.custody.core.FormatException;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.attest.internal.store.DirectoryArtifacts;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The model manifests of a ledger (write side; the file layout and the read side are
 * {@link ManifestFiles}): keeps the manifest of every model recorded from a directory so that a
 * verifier can later name the files that differ. Where the bytes go is the ledger's
 * {@link ArtifactStore}: files in a ledger directory, rows in a database.
 *
 * <p>{@link #put} stores the manifest durably (in a directory: a temporary file, fsync, atomic rename to
 * its content-addressed name, fsync of the directory; in a database: a committed row) before it returns
 * the {@link ArtifactRef} that names it. Callers append the entry only after that, so an acknowledged
 * entry never points at a manifest that a crash could lose. A crash in between leaves at most an
 * unreferenced manifest (harmless: the store is content-addressed, and one manifest may serve many
 * entries).
 *
 * <p>Thread-safe and safe across processes: concurrent writers of the same manifest write the same
 * bytes under the same name.
 */
public final class ManifestStore {
  private final ArtifactStore artifacts;

  private ManifestStore(ArtifactStore artifacts) {
    this.artifacts = artifacts;
  }

  /**
   * The store of the ledger at {@code ledgerDir}.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static ManifestStore of(Path ledgerDir) throws FormatException {
    return new ManifestStore(DirectoryArtifacts.of(ledgerDir));
  }

  /** The manifests kept in {@code artifacts}. */
  public static ManifestStore over(ArtifactStore artifacts) {
    return new ManifestStore(Objects.requireNonNull(artifacts, "artifacts"));
  }

  /** The ledger directory this store belongs to; empty for a ledger kept elsewhere (a database). */
  public Optional<Path> directory() {
    return artifacts.directory();
  }

  /**
   * Stores {@code manifest} (durably, see the class comment) and returns the artifact that names it:
   * digest = root digest, media type {@value ManifestFiles#MEDIA_TYPE}, annotation
   * {@value ManifestFiles#ANNOTATION} = SHA-256 of the stored bytes.
   */
  public ArtifactRef put(String name, ArtifactKind kind, ModelManifest manifest) throws IOException {
    Objects.requireNonNull(manifest, "manifest");
    byte[] bytes = manifest.toJson();
    Digest bytesDigest = Digest.sha256(bytes);
    // Validate the name and kind before anything is written.
    ArtifactRef ref = new ArtifactRef(name, kind, manifest.rootDigest(), Optional.empty(),
        Optional.of(ManifestFiles.MEDIA_TYPE), new TreeMap<>(java.util.Map.of(ManifestFiles.ANNOTATION,
            bytesDigest.toString())));
    artifacts.putManifest(bytesDigest, bytes);
    return ref;
  }

  /**
   * The manifest {@code artifact} names, checked as {@link ManifestFiles#read} does.
   *
   * @throws FormatException if the artifact names no manifest or a check fails
   * @throws java.nio.file.NoSuchFileException if the store lacks it
   */
  public ModelManifest get(ArtifactRef artifact) throws IOException, FormatException {
    Digest d = ManifestFiles.manifestDigest(artifact).orElseThrow(() -> new FormatException("artifact '"
        + artifact.name() + "' names no stored manifest (no " + ManifestFiles.ANNOTATION + " annotation)"));
    return ManifestFiles.read(artifacts.manifests(), d, artifact.digest());
  }

  @Override
  public String toString() {
    return "ManifestStore[" + artifacts.describe() + "]";
  }
}
