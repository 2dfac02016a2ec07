package dev.custody.attest.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree keeper's proof ({@link TreeKeeper}): the root it lets the log sign comes from a signed
 * checkpoint and the records since, never from tiles alone. Leaves here are of synthetic records,
 * so trees with full higher-level tiles (65,536 leaves) are cheap.
 */
class TreeKeeperTest {
  /** A full level-1 tile (256 level-0 tiles) and a few leaves more. */
  private static final int SIZE = 256 * 256 + 44;

  @TempDir Path dir;
  private final List<String> notes = new ArrayList<>();

  private static byte[] record(int i) {
    return ("record " + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static MerkleTree reference(int n) {
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    for (int i = 0; i < n; i++) {
      ref.append(MerkleHash.leafHash(record(i)));
    }
    return new MerkleTree(ref);
  }

  private TreeKeeper written(int n) throws Exception {
    TreeKeeper k = TreeKeeper.open(dir, true, notes::add);
    for (int i = 0; i < n; i++) {
      byte[] r = record(i);
      k.appendRecord(r, 0, r.length);
    }
    return k;
  }

  private static Checkpoint checkpoint(MerkleTree ref, long size) {
    return Checkpoint.of("example.org/tree", size, ref.root(size));
  }

  @Test
  void provenRoot_higherLevelTileAltered_tilesLieButTheProvenRootIsTheRecords() throws Exception {
    MerkleTree ref = reference(SIZE);
    written(SIZE);
    Path level1 = dir.resolve("tile/1/000");
    assertThat(Files.size(level1)).isEqualTo(8192);
    FileLogStoreSigningTest.zeroHash(level1, 3);

    TreeKeeper reopened = TreeKeeper.open(dir, true, notes::add);
    assertThat(reopened.size()).isEqualTo(256L * 256);
    for (int i = 256 * 256; i < SIZE; i++) {
      byte[] r = record(i);
      reopened.appendRecord(r, 0, r.length);
    }
    Bytes expected = ref.root(SIZE);
    assertThat(reopened.root(SIZE)).as("the altered tile changes the tiles' root").isNotEqualTo(expected);

    assertThat(reopened.startProof(Optional.of(checkpoint(ref, 100)))).isTrue();
    for (int i = 100; i < SIZE; i++) {
      reopened.proveNext(record(i));
    }
    assertThat(reopened.provenRoot(SIZE)).isEqualTo(expected);
  }

  @Test
  void startProof_leafBelowTheCheckpointAltered_refused() throws Exception {
    MerkleTree ref = reference(600);
    written(600);
    FileLogStoreSigningTest.zeroHash(dir.resolve("tile/0/001"), 10); // leaf 266

    TreeKeeper reopened = TreeKeeper.open(dir, true, notes::add);
    assertThat(reopened.startProof(Optional.of(checkpoint(ref, 300)))).isFalse();
    assertThat(reopened.provenSize()).isEqualTo(-1);
    assertThat(reopened.startProof(Optional.of(checkpoint(ref, 256)))).as("leaves below 256 are intact").isTrue();
  }

  @Test
  void appendRecord_afterProof_extendsTheProvenRangeWithTheSameLeaves() throws Exception {
    MerkleTree ref = reference(700);
    TreeKeeper k = written(300);
    assertThat(k.startProof(Optional.empty())).isTrue();
    for (int i = 0; i < 300; i++) {
      k.proveNext(record(i));
    }
    for (int i = 300; i < 700; i++) {
      byte[] r = record(i);
      k.appendRecord(r, 0, r.length);
    }
    assertThat(k.provenRoot(700)).isEqualTo(ref.root(700)).isEqualTo(k.root(700));
  }

  @Test
  void open_temporaryTileLeftByAKill_removed() throws Exception {
    written(300);
    Path left = Files.write(dir.resolve("tile/0").resolve(dev.custody.core.internal.ledger.LedgerLayout.temporaryName("001", 5)),
        new byte[100]); // a kill while tile 0/001 was being written
    TreeKeeper.open(dir, true, notes::add);
    assertThat(left).doesNotExist();
    assertThat(dir.resolve("tile/0/000")).exists();
  }
}
