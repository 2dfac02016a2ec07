package dev.custody.attest.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.ledger.TilePath;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.merkle.ProofVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tile-backed tree against the in-memory reference, tessera's tiles and Go's tile paths. */
class TiledTreeTest {
  private static final Path VECTORS = Path.of(System.getProperty("custody.vectors", "../../shared/vectors"));

  @TempDir Path dir;

  private static Bytes leaf(int i) {
    return MerkleHash.leafHash(("entry " + i).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void growTo600_everyRootAndEveryProofMatchesReferenceAndVerifies() throws Exception {
    TiledTree tiled = TiledTree.empty(dir, true);
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    MerkleTree refTree = new MerkleTree(ref);
    Random rnd = new Random(42);
    for (int n = 1; n <= 600; n++) {
      tiled.append(leaf(n - 1));
      ref.append(leaf(n - 1));
      Bytes root = refTree.root(n);
      assertThat(tiled.root(n)).as("root of size %d", n).isEqualTo(root);
      // Every index at every size up to 300 and around the tile boundaries; a sample elsewhere.
      boolean all = n <= 300 || Set.of(511, 512, 513, 600).contains(n);
      for (int i = 0; i < n; i++) {
        if (!all && rnd.nextInt(16) != 0) {
          continue;
        }
        InclusionProof p = tiled.merkleTree().inclusionProof(i, n);
        assertThat(p).isEqualTo(refTree.inclusionProof(i, n));
        ProofVerifier.verifyInclusion(p, leaf(i), root);
      }
      int m = 1 + rnd.nextInt(n);
      ConsistencyProof c = tiled.merkleTree().consistencyProof(m, n);
      assertThat(c).isEqualTo(refTree.consistencyProof(m, n));
      ProofVerifier.verifyConsistency(c, refTree.root(m), root);
    }
    assertThat(Files.size(dir.resolve("tile/0/000"))).isEqualTo(8192);
    assertThat(Files.size(dir.resolve("tile/0/001"))).isEqualTo(8192);
    assertThat(Files.exists(dir.resolve("tile/0/002"))).isFalse();
  }

  @Test
  void reopen_restoresFromFullTilesAndTailIsReappended() throws Exception {
    int total = 256 * 256 + 3 * 256 + 17; // a full level-1 tile, partial edges at levels 0, 1 and 2
    TiledTree t = TiledTree.empty(dir, true);
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    for (int i = 0; i < total; i++) {
      t.append(leaf(i));
      ref.append(leaf(i));
    }
    TiledTree reopened = TiledTree.open(dir, false);
    assertThat(reopened.size()).isEqualTo(total - 17);
    for (int i = total - 17; i < total; i++) {
      reopened.append(leaf(i));
    }
    MerkleTree refTree = new MerkleTree(ref);
    assertThat(reopened.root(total)).isEqualTo(ref.root());
    for (long i : new long[] {0, 255, 256, 65535, 65536, total - 18, total - 1}) {
      assertThat(reopened.merkleTree().inclusionProof(i, total)).isEqualTo(refTree.inclusionProof(i, total));
    }
    assertThat(reopened.merkleTree().consistencyProof(1000, total)).isEqualTo(refTree.consistencyProof(1000, total));
  }

  @Test
  void open_missingLevelOneTile_rebuiltFromLevelZero() throws Exception {
    int total = 256 * 256;
    TiledTree t = TiledTree.empty(dir, true);
    for (int i = 0; i < total; i++) {
      t.append(leaf(i));
    }
    Bytes root = t.root(total);
    Files.delete(dir.resolve("tile/1/000"));
    TiledTree reopened = TiledTree.open(dir, true);
    assertThat(reopened.size()).isEqualTo(total);
    assertThat(reopened.root(total)).isEqualTo(root);
    assertThat(Files.size(dir.resolve("tile/1/000"))).isEqualTo(8192);
  }

  @Test
  void open_missingLevelZeroTile_coverageStopsBeforeIt() throws Exception {
    TiledTree t = TiledTree.empty(dir, true);
    for (int i = 0; i < 5 * 256; i++) {
      t.append(leaf(i));
    }
    Files.delete(dir.resolve("tile/0/003"));
    assertThat(TiledTree.open(dir, false).size()).isEqualTo(3 * 256);
  }

  @Test
  void tesseraTestdata_tilesAndRootsAndCheckpointsByteForByte() throws Exception {
    JsonNode log = new ObjectMapper().readTree(VECTORS.resolve("tessera-testdata/tessera-log.json").toFile());
    List<String> entries = new ArrayList<>();
    log.get("entriesUtf8").forEach(e -> entries.add(e.asText()));
    CheckpointSigner signer = new CheckpointSigner(log.get("origin").asText(),
        Ed25519NoteSigner.parsePrivateKey(log.get("skey").asText()));
    TiledTree t = TiledTree.empty(dir, false);
    int checked = 0;
    for (JsonNode size : log.get("sizes")) {
      int n = size.get("size").asInt();
      while (t.size() < n) {
        t.append(MerkleHash.leafHash(entries.get((int) t.size()).getBytes(StandardCharsets.UTF_8)));
      }
      String note = new String(signer.sign(n, t.root(n)).encoded(), StandardCharsets.UTF_8);
      assertThat(note).as("checkpoint %d", n).isEqualTo(size.get("checkpoint").asText());
      if (n > 0) {
        TilePath p = TilePath.parse(size.get("tilePath").asText());
        assertThat(p).isEqualTo(new TilePath(0, 0, n));
        assertThat(t.tileBytes(0, 0)).isEqualTo(Base64.getDecoder().decode(size.get("tileB64").asText()));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(15);
  }

  @Test
  void goSumdbTilePaths_c2spFormRoundTrips() throws Exception {
    JsonNode v = new ObjectMapper().readTree(VECTORS.resolve("golang-mod-sumdb/tlog-vectors.json").toFile());
    int valid = 0;
    int invalid = 0;
    for (JsonNode c : v.get("tilePaths")) {
      // Go's sumdb paths carry the height: tile/H/L/N; C2SP drops it (H fixed at 8).
      String[] parts = c.get("path").asText().split("/", 3);
      String c2sp = "tile/" + parts[2];
      if (c.has("invalid") || c.path("L").asInt() < 0 || parts[2].startsWith("data")) {
        assertThatThrownBy(() -> TilePath.parse(c2sp)).as(c2sp).isInstanceOf(FormatException.class);
        invalid++;
        continue;
      }
      int h = c.get("H").asInt();
      int w = c.get("W").asInt();
      TilePath t = TilePath.parse(c2sp);
      assertThat(t.level()).isEqualTo(c.get("L").asInt());
      assertThat(t.index()).isEqualTo(c.get("N").asLong());
      assertThat(t.isFull()).isEqualTo(w == 1 << h);
      if (w != 1 << h) {
        assertThat(t.width()).isEqualTo(w);
      }
      assertThat(t.path()).isEqualTo(c2sp);
      valid++;
    }
    assertThat(valid).isGreaterThanOrEqualTo(4);
    assertThat(invalid).isGreaterThanOrEqualTo(2);
    assertThat(TilePath.full(0, 1234067).path()).isEqualTo("tile/0/x001/x234/067");
    for (String bad : List.of("tile/0/x000/001", "tile/01/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/1",
        "tile/64/000", "tile/0/000.p/05")) {
      assertThatThrownBy(() -> TilePath.parse(bad)).as(bad).isInstanceOf(FormatException.class);
    }
  }
}
