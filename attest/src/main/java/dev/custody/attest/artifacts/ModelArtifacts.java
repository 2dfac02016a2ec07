package dev.custody.attest.artifacts;

import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Model artifacts for JVM pipelines: hash a model directory (or file) into a manifest and turn it
 * into the {@link ArtifactRef} an event records, with the manifest kept in the ledger's
 * {@link ManifestStore}.
 *
 * <pre>{@code
 * ManifestStore store = ManifestStore.of(ledgerDir);
 * ArtifactRef model = ModelArtifacts.record(store, "model", ArtifactKind.MODEL, Path.of("out/"),
 *     ModelHasher.builder());                      // files serialization, git paths ignored
 * ledger.append("acme/falcon-7b", Event.builder(EventType.RELEASE).output(model)...build(), key);
 * }</pre>
 */
public final class ModelArtifacts {
  private ModelArtifacts() {}

  /**
   * Hashes {@code model} with {@code options}; when {@code model} is a directory that contains
   * {@code ledgerDir}, the ledger is ignored (it changes with every append).
   *
   * @param ledgerDir the ledger directory, or null
   */
  public static ModelManifest hash(Path model, ModelHasher.Builder options, Path ledgerDir)
      throws IOException, ManifestException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(options, "options");
    if (ledgerDir != null && Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledgerDir).ifPresent(options::ignorePath);
    }
    return options.build().hash(model);
  }

  /** Hashes {@code model} (as {@link #hash}), stores its manifest, and returns the artifact naming it. */
  public static ArtifactRef record(ManifestStore store, String name, ArtifactKind kind, Path model,
      ModelHasher.Builder options) throws IOException, ManifestException {
    ModelManifest m = hash(model, options, store.ledgerDir());
    return store.put(name, kind, m);
  }
}
