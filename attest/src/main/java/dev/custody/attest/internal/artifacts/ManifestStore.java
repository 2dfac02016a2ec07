package dev.custody.attest.internal.artifacts;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The manifest store of a file ledger (write side; the layout and the read side are
 * {@link ManifestFiles}): keeps the manifest of every model recorded from a directory so that a
 * verifier can later name the files that differ.
 *
 * <p>{@link #put} writes the manifest atomically and durably — a temporary file in the store,
 * fsync, atomic rename to its content-addressed name, fsync of the directory — before it returns
 * the {@link ArtifactRef} that names it. Callers append the entry only after that, so an
 * acknowledged entry never points at a manifest that a crash could lose. A crash in between leaves
 * at most an unreferenced manifest (harmless: the store is content-addressed, and one manifest may
 * serve many entries).
 *
 * <p>Thread-safe and safe across processes: concurrent writers of the same manifest write the same
 * bytes under the same name.
 */
public final class ManifestStore {
  private final Path ledgerDir;

  private ManifestStore(Path ledgerDir) {
    this.ledgerDir = ledgerDir;
  }

  /**
   * The store of the ledger at {@code ledgerDir}.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static ManifestStore of(Path ledgerDir) throws FormatException {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    LedgerLayout.requireLedger(ledgerDir);
    return new ManifestStore(ledgerDir);
  }

  /** The ledger directory this store belongs to. */
  public Path ledgerDir() {
    return ledgerDir;
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
    Path target = ManifestFiles.path(ledgerDir, bytesDigest);
    if (!alreadyStored(target, bytesDigest)) {
      write(target, bytes);
    }
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
    return ManifestFiles.read(ledgerDir, d, artifact.digest());
  }

  /** Whether {@code target} exists with the right content (a damaged copy is replaced). */
  private boolean alreadyStored(Path target, Digest expected) throws IOException {
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    if (!files.isFile(target)) { // refuses a link (of the file or of manifests/) or a special file
      return false;
    }
    try (InputStream in = java.nio.channels.Channels.newInputStream(files.openRead(target))) {
      return Digest.sha256(in).equals(expected);
    }
  }

  private void write(Path target, byte[] bytes) throws IOException {
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    Path dir = target.getParent();
    boolean created = !files.isDirectory(dir);
    files.createDirectories(dir);
    if (created) {
      DurableFiles.syncDirectory(dir.getParent());
    }
    files.isFile(target);
    DurableFiles.replace(target, bytes);
  }

  @Override
  public String toString() {
    return "ManifestStore[" + ledgerDir.resolve(ManifestFiles.DIR) + "]";
  }
}
