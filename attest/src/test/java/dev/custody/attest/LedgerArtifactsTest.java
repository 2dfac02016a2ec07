package dev.custody.attest;

import static dev.custody.attest.TestFixtures.ED25519;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.internal.artifacts.ManifestStore;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ledger#model} and {@link Ledger#artifact}: a model or a file recorded in one call. */
class LedgerArtifactsTest {
  @TempDir Path tmp;

  private Path modelDir() throws Exception {
    Path m = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(m.resolve("config.json"), "{\"layers\":2}");
    Files.write(m.resolve("weights.bin"), new byte[70_000]);
    Files.createDirectories(m.resolve(".git"));
    Files.writeString(m.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    return m;
  }

  private Path ledgerDir() throws Exception {
    Path l = tmp.resolve("ledger");
    Ledger.create(l);
    return l;
  }

  @Test
  void model_directory_manifestKeptInTheLedgerAndNamedByItsRootDigest() throws Exception {
    Path model = modelDir();
    Path dir = ledgerDir();
    try (Ledger ledger = Ledger.open(dir)) {
      ArtifactRef ref = ledger.model("model", model);
      ModelManifest expected = ModelHasher.hashWithDefaults(model);
      assertThat(ref.kind()).isEqualTo(ArtifactKind.MODEL);
      assertThat(ref.digest()).isEqualTo(expected.rootDigest());
      assertThat(ref.mediaType()).contains(ManifestFiles.MEDIA_TYPE);
      assertThat(ManifestStore.of(dir).get(ref)).isEqualTo(expected);
      ledger.append("acme/m", Event.builder(EventType.TRAINING).output(ref).build(), ED25519);
    }
  }

  @Test
  void model_plainFile_oneFileManifest() throws Exception {
    Path file = Files.write(tmp.resolve("model.safetensors"), "weights".getBytes(StandardCharsets.UTF_8));
    try (Ledger ledger = Ledger.open(ledgerDir())) {
      ArtifactRef ref = ledger.model("model", file);
      assertThat(ref.digest()).isEqualTo(ModelHasher.hashWithDefaults(file).rootDigest());
      assertThat(ref.digest()).isNotEqualTo(Digest.sha256("weights".getBytes(StandardCharsets.UTF_8)));
      assertThat(ref.mediaType()).contains(ManifestFiles.MEDIA_TYPE);
    }
  }

  @Test
  void model_ledgerInsideTheModelDirectory_ledgerIgnored() throws Exception {
    Path model = modelDir();
    Path dir = model.resolve(".custody");
    Ledger.create(dir);
    try (Ledger ledger = Ledger.open(dir)) {
      ArtifactRef ref = ledger.model("model", model);
      ledger.append("acme/m", Event.builder(EventType.TRAINING).output(ref).build(), ED25519);
      assertThat(ledger.model("model", model).digest()).isEqualTo(ref.digest()); // the append changed nothing hashed
      assertThat(ManifestStore.of(dir).get(ref).resources()).noneMatch(r -> r.name().startsWith(".custody"));
    }
  }

  @Test
  void artifact_plainFile_contentSha256AndKindFromItsName() throws Exception {
    byte[] data = new byte[200_001];
    data[7] = 1;
    Path file = Files.write(tmp.resolve("shard-000.jsonl"), data);
    try (Ledger ledger = Ledger.open(ledgerDir())) {
      ArtifactRef ref = ledger.artifact("train-data", file);
      assertThat(ref).isEqualTo(ArtifactRef.of("train-data", ArtifactKind.DATASET, Digest.sha256(data)));
      assertThat(ledger.artifact("notes", ArtifactKind.REPORT, file).kind()).isEqualTo(ArtifactKind.REPORT);
    }
  }

  @Test
  void artifact_directory_sameAsModelWithGuessedKind() throws Exception {
    Path model = modelDir();
    try (Ledger ledger = Ledger.open(ledgerDir())) {
      ArtifactRef ref = ledger.artifact("base-weights", model);
      assertThat(ref.kind()).isEqualTo(ArtifactKind.MODEL);
      assertThat(ref.digest()).isEqualTo(ledger.model("model", model).digest());
    }
  }

  @Test
  void artifact_symbolicLinkOrMissingPath_refusedNamingItAndNothingKept() throws Exception {
    Path target = Files.writeString(tmp.resolve("real.txt"), "x");
    Path link = Files.createSymbolicLink(tmp.resolve("link.txt"), target);
    Path dirLink = Files.createSymbolicLink(tmp.resolve("model-link"), modelDir());
    Path dir = ledgerDir();
    try (Ledger ledger = Ledger.open(dir)) {
      for (Path p : new Path[] {link, dirLink, tmp.resolve("missing")}) {
        assertThatThrownBy(() -> ledger.artifact("model", p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(p.toString()).hasMessageContaining("not an existing file or directory");
      }
      assertThatThrownBy(() -> ledger.model("model", dirLink)).hasMessageContaining("symbolic links are refused");
    }
    assertThat(manifestFiles(dir)).isEmpty();
  }

  @Test
  void model_symbolicLinkInsideTheDirectory_refusedNamingItAndNothingKept() throws Exception {
    Path model = modelDir();
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "not part of the model");
    Files.createSymbolicLink(model.resolve("extra.bin"), secret);
    Path dir = ledgerDir();
    try (Ledger ledger = Ledger.open(dir)) {
      assertThatThrownBy(() -> ledger.model("model", model))
          .isInstanceOf(dev.custody.core.manifest.ManifestException.class).hasMessageContaining("extra.bin");
    }
    assertThat(manifestFiles(dir)).isEmpty();
  }

  @Test
  void artifact_fifo_refusedWithoutOpeningIt() throws Exception {
    Path fifo = tmp.resolve("data.fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    try (Ledger ledger = Ledger.open(ledgerDir())) {
      assertThatThrownBy(() -> ledger.artifact("data", fifo)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not an existing file or directory");
    }
  }

  @Test
  void artifact_invalidName_refusedBeforeHashing() throws Exception {
    Path model = modelDir();
    Path dir = ledgerDir();
    try (Ledger ledger = Ledger.open(dir)) {
      assertThatThrownBy(() -> ledger.model("bad name", model)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("artifact name");
    }
    assertThat(manifestFiles(dir)).isEmpty();
  }

  @Test
  void keep_hashedWithADigestThatIsNotItsManifestsRoot_refusedBeforeAnythingIsStored() throws Exception {
    Path model = modelDir();
    ModelManifest m = ModelHasher.hashWithDefaults(model);
    assertThatThrownBy(() -> new dev.custody.attest.internal.artifacts.ModelArtifacts.Hashed("model", ArtifactKind.MODEL,
        java.util.Optional.of(m), Digest.sha256(new byte[] {1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not its manifest's root digest");
    Path dir = ledgerDir();
    try (Ledger ledger = Ledger.open(dir)) {
      ArtifactRef kept = ledger.keep(dev.custody.attest.internal.artifacts.ModelArtifacts.hash("model", ArtifactKind.MODEL, model,
          false, ModelHasher.builder(), dir));
      assertThat(kept).isEqualTo(ledger.model("model", model));
    }
  }

  @Test
  void model_readOnlyLedger_refusedSayingWhyButFileDigestsStillWork() throws Exception {
    Path model = modelDir();
    Path dir = ledgerDir();
    Path file = Files.writeString(tmp.resolve("notes.txt"), "n");
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThatThrownBy(() -> ledger.model("model", model)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keeps no model manifests").hasMessageContaining("read-only");
      assertThat(ledger.artifact("notes", file).digest()).isEqualTo(Digest.sha256("n".getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(manifestFiles(dir)).isEmpty();
  }

  private static java.util.List<Path> manifestFiles(Path ledgerDir) throws Exception {
    Path m = ledgerDir.resolve(ManifestFiles.DIR);
    if (!Files.exists(m)) {
      return java.util.List.of();
    }
    try (Stream<Path> s = Files.walk(m)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
