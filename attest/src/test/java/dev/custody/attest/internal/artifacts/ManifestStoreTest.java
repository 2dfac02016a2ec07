package dev.custody.attest.internal.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestStoreTest {
  @TempDir Path tmp;
  Path ledger;
  Path model;

  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    Ledger.create(ledger);
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("a.bin"), "aaa");
    Files.writeString(model.resolve("b.bin"), "bbb");
  }

  @Test
  void put_thenGet_roundTrip_artifactNamesRootAndBytes() throws Exception {
    ManifestStore store = ManifestStore.of(ledger);
    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), ledger);

    ArtifactRef a = store.put("model", ArtifactKind.MODEL, m);

    assertThat(a.digest()).isEqualTo(m.rootDigest());
    assertThat(a.mediaType()).contains(ManifestFiles.MEDIA_TYPE);
    Digest bytes = Digest.sha256(m.toJson());
    assertThat(a.annotations()).containsEntry(ManifestFiles.ANNOTATION, bytes.toString());
    assertThat(Files.readAllBytes(ManifestFiles.path(ledger, bytes))).isEqualTo(m.toJson());
    assertThat(store.get(a)).isEqualTo(m);
    // Storing again is idempotent.
    assertThat(store.put("model", ArtifactKind.MODEL, m)).isEqualTo(a);
  }

  @Test
  void put_damagedCopyPresent_isReplaced() throws Exception {
    ManifestStore store = ManifestStore.of(ledger);
    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), null);
    ArtifactRef a = store.put("model", ArtifactKind.MODEL, m);
    Path p = ManifestFiles.path(ledger, Digest.sha256(m.toJson()));
    Files.writeString(p, "garbage");

    store.put("model", ArtifactKind.MODEL, m);

    assertThat(store.get(a)).isEqualTo(m);
  }

  @Test
  void get_alteredBytes_rejectedBeforeParsing() throws Exception {
    ManifestStore store = ManifestStore.of(ledger);
    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), null);
    ArtifactRef a = store.put("model", ArtifactKind.MODEL, m);
    Path p = ManifestFiles.path(ledger, Digest.sha256(m.toJson()));
    Files.writeString(p, Files.readString(p).replace("a.bin", "c.bin"));

    assertThatThrownBy(() -> store.get(a)).isInstanceOf(FormatException.class).hasMessageContaining("altered");
  }

  @Test
  void get_rootDigestDiffersFromArtifact_rejected() throws Exception {
    ManifestStore store = ManifestStore.of(ledger);
    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), null);
    ArtifactRef a = store.put("model", ArtifactKind.MODEL, m);
    ArtifactRef lying = new ArtifactRef("model", ArtifactKind.MODEL, Digest.sha256(new byte[1]), a.uri(),
        a.mediaType(), a.annotations());

    assertThatThrownBy(() -> store.get(lying)).isInstanceOf(FormatException.class)
        .hasMessageContaining("root digest");
  }

  @Test
  void get_missingFile_noSuchFile() throws Exception {
    ManifestStore store = ManifestStore.of(ledger);
    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), null);
    ArtifactRef a = store.put("model", ArtifactKind.MODEL, m);
    Files.delete(ManifestFiles.path(ledger, Digest.sha256(m.toJson())));

    assertThatThrownBy(() -> store.get(a)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void hash_ledgerInsideModel_ignored() throws Exception {
    Path inner = model.resolve(".custody");
    Ledger.create(inner);

    ModelManifest m = ModelArtifacts.hash(model, ModelHasher.builder(), inner);

    assertThat(m.resources()).extracting(r -> r.name()).containsExactly("a.bin", "b.bin");
  }
}
