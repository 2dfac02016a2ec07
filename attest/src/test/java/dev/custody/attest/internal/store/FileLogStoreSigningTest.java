package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The honest log never signs a fork or a wrong root (issue 7, item 4): before signing, the store
 * proves the tree from the largest stored checkpoint and the records since it, whatever the tiles
 * and the top-level {@code checkpoint} file say; a ledger that does not extend its largest stored
 * checkpoint is refused for appending and signing. (Altered higher-level tiles: {@link TreeKeeperTest}.)
 */
class FileLogStoreSigningTest {
  private static final String ORIGIN = "example.org/signing-test";

  @TempDir Path dir;

  /** A ledger with a log identity and automatic checkpoints off: the tests sign when they mean to. */
  private void create() throws Exception {
    Ledger.create(dir, new LogConfig(ORIGIN, Optional.empty()), new SecureRandom());
  }

  /** Appends {@code n} entries to chain "x", several in flight (so batches group them). */
  private void append(int n) throws Exception {
    try (FileLogStore s = FileLogStore.open(dir)) {
      List<CompletableFuture<LogStore.Appended>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(s.append("x", maker("x", "t")));
      }
      for (CompletableFuture<LogStore.Appended> f : fs) {
        await(f);
      }
    }
  }

  private Checkpoint sign() throws Exception {
    try (FileLogStore s = FileLogStore.open(dir)) {
      return verified(s.signCheckpoint().encoded());
    }
  }

  private Checkpoint verified(byte[] note) throws Exception {
    LogIdentity id = LogIdentity.load(dir, false).orElseThrow();
    return CheckpointVerifier.forLog(id.origin(), id.verifierKey()).verify(note).checkpoint();
  }

  /** A checkpoint the genuine log key signs for any size and root: what a key thief (or a deceived writer) could store. */
  private byte[] signedWithLogKey(long size, Bytes root) throws Exception {
    return LogIdentity.load(dir, true).orElseThrow().signer().orElseThrow().sign(size, root).encoded();
  }

  /** The RFC 9162 root of the records in the segments, by the reference tree. */
  private Bytes recordsRoot(long size) throws Exception {
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    LogReader.readAll(dir, raw -> {
      if (raw.terminated()) {
        ref.append(MerkleHash.leafHash(raw.bytes()));
      }
    });
    return new MerkleTree(ref).root(size);
  }

  private Path segment() {
    return dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(0));
  }

  /** The segments and the checkpoints: what a refused writer must leave exactly as it was. */
  private Map<String, String> evidence() throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (String sub : List.of(LedgerLayout.SEGMENTS, LedgerLayout.CHECKPOINTS)) {
      Path d = dir.resolve(sub);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          for (Path p : s.toList()) {
            out.put(sub + "/" + p.getFileName(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
          }
        }
      }
    }
    Path cp = dir.resolve(LedgerLayout.CHECKPOINT);
    out.put("checkpoint", Files.exists(cp) ? Files.readString(cp) : "(absent)");
    return out;
  }

  /** Zeroes hash {@code hashIndex} (of 256) of a tile file. */
  static void zeroHash(Path tile, int hashIndex) throws Exception {
    byte[] b = Files.readAllBytes(tile);
    java.util.Arrays.fill(b, hashIndex * 32, hashIndex * 32 + 32, (byte) 0);
    Files.write(tile, b);
  }

  // ---------------------------------------------------------------- the attacks of the issue

  @Test
  void open_checkpointFileDeletedAndSegmentCut_refusesNamingLargestStoredCheckpoint() throws Exception {
    create();
    append(10);
    Checkpoint ten = sign();
    List<String> lines = Files.readAllLines(segment());
    Files.delete(dir.resolve(LedgerLayout.CHECKPOINT));
    Files.write(segment(), lines.subList(0, 6));
    Map<String, String> before = evidence();

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds 6 entries but its own checkpoint checkpoints/10 commits to 10")
        .hasMessageContaining(java.util.Base64.getEncoder().encodeToString(ten.rootHash().toByteArray()))
        .hasMessageContaining("Refusing to append or sign");
    assertThat(evidence()).isEqualTo(before);
  }

  @Test
  void open_checkpointFileDeletedSegmentCutAndRegrown_refusesAsRewritten() throws Exception {
    create();
    append(10);
    sign();
    // Cut to 6 and regrow a different history of 12 records (validly signed entries of the same chain).
    List<String> lines = new ArrayList<>(Files.readAllLines(segment()).subList(0, 6));
    Digest prev = Digest.sha256(lines.get(5).getBytes(StandardCharsets.US_ASCII));
    for (long seq = 6; seq < 12; seq++) {
      byte[] rec = maker("x", "forged").make(seq, Optional.of(prev));
      lines.add(new String(rec, StandardCharsets.US_ASCII));
      prev = Digest.sha256(rec);
    }
    Files.write(segment(), lines);
    Files.delete(dir.resolve(LedgerLayout.CHECKPOINT));
    Map<String, String> before = evidence();

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("the root of its first 10 entries is")
        .hasMessageContaining("checkpoints/10 (size 10")
        .hasMessageContaining("entries were rewritten or reordered");
    assertThat(evidence()).isEqualTo(before);
  }

  @Test
  void checkpoint_zeroedLeafInTileAfterTheCheckpoint_signsTheRootOfTheRecords() throws Exception {
    create();
    append(100);
    sign(); // the largest stored checkpoint: size 100, below the first full tile
    append(200);
    zeroHash(dir.resolve("tile/0/000"), 150); // a leaf after the checkpoint

    try (FileLogStore s = FileLogStore.open(dir)) {
      await(s.append("x", maker("x", "t")));
      Checkpoint cp = verified(s.signCheckpoint().encoded());
      assertThat(cp.size()).isEqualTo(301);
      assertThat(cp.rootHash()).isEqualTo(recordsRoot(301));
      assertThat(s.repairs()).anyMatch(r -> r.contains("rebuilt the Merkle tree tiles"));
    }
    assertThat(Files.readAllBytes(dir.resolve("tile/0/000"))).isNotEqualTo(new byte[8192]);
  }

  @Test
  void checkpoint_zeroedLeafInTileAndNoCheckpointYet_signsTheRootOfTheRecords() throws Exception {
    create();
    append(300);
    zeroHash(dir.resolve("tile/0/000"), 7);

    Checkpoint cp = sign();
    assertThat(cp.size()).isEqualTo(300);
    assertThat(cp.rootHash()).isEqualTo(recordsRoot(300));
  }

  @Test
  void checkpoint_tileTruncated_rebuiltAndSignsTheRootOfTheRecords() throws Exception {
    create();
    append(600);
    Path tile = dir.resolve("tile/0/001");
    Files.write(tile, java.util.Arrays.copyOf(Files.readAllBytes(tile), 1000));

    Checkpoint cp = sign();
    assertThat(cp.rootHash()).isEqualTo(recordsRoot(600));
    assertThat(Files.size(tile)).isEqualTo(8192);
  }

  // A higher-level tile (tile/1/000, after 65,536 entries) altered: TreeKeeperTest, with synthetic
  // records; through the store it would take 65,536 signed entries.

  // ---------------------------------------------------------------- the stored checkpoints themselves

  @Test
  void open_storedCheckpointLargerThanTheLog_refuses() throws Exception {
    create();
    append(10);
    sign();
    Files.write(dir.resolve("checkpoints/50"), signedWithLogKey(50, Bytes.copyOf(new byte[32])));
    Map<String, String> before = evidence();

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds 10 entries but its own checkpoint checkpoints/50 commits to 50");
    assertThat(evidence()).isEqualTo(before);
  }

  @Test
  void open_largestStoredCheckpointNotSignedByTheLogKey_refusesNamingIt() throws Exception {
    create();
    append(10);
    sign();
    Files.writeString(dir.resolve("checkpoints/99"), "not a checkpoint\n");

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("checkpoints/99 is not a checkpoint signed by this ledger's log key")
        .hasMessageContaining("move it out of the ledger");
  }

  @Test
  void open_twoStoredCheckpointsOfOneSizeDisagree_refusesNamingBoth() throws Exception {
    create();
    append(10);
    sign();
    Files.write(dir.resolve(LedgerLayout.CHECKPOINT), signedWithLogKey(10, Bytes.copyOf(new byte[32])));
    Map<String, String> before = evidence();

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("checkpoint (size 10, root AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=)")
        .hasMessageContaining("checkpoints/10 (size 10")
        .hasMessageContaining("the log key signed a fork");
    assertThat(evidence()).isEqualTo(before);
  }

  @Test
  void open_smallerCheckpointFileNotAPrefixOfTheLargest_refusesNamingBoth() throws Exception {
    create();
    append(10);
    sign();
    Files.write(dir.resolve(LedgerLayout.CHECKPOINT), signedWithLogKey(8, recordsRoot(7)));

    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("checkpoint (size 8").hasMessageContaining("checkpoints/10 (size 10")
        .hasMessageContaining("no consistency proof from size 8 to 10");
  }

  @Test
  void open_checkpointFileAnOlderGenuineOne_opensAndSignsOnTopOfTheLargest() throws Exception {
    create();
    append(5);
    sign();
    byte[] five = Files.readAllBytes(dir.resolve(LedgerLayout.CHECKPOINT));
    append(5);
    sign();
    Files.write(dir.resolve(LedgerLayout.CHECKPOINT), five); // a stale copy: what a crash between the two writes leaves

    append(1);
    Checkpoint cp = sign();
    assertThat(cp.size()).isEqualTo(11);
    assertThat(cp.rootHash()).isEqualTo(recordsRoot(11));
  }

  @Test
  void signCheckpoint_newerCheckpointOfAnotherHistoryStoredMeanwhile_refusesToSign() throws Exception {
    create();
    append(10);
    sign();
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < 10; i++) {
        await(s.append("x", maker("x", "t")));
      }
      // Another writer (or a key thief) stored a checkpoint of size 15 that is not this history.
      byte[] forged = signedWithLogKey(15, recordsRoot(14));
      Files.write(dir.resolve("checkpoints/15"), forged);
      Files.write(dir.resolve(LedgerLayout.CHECKPOINT), forged);

      assertThatThrownBy(s::signCheckpoint).isInstanceOf(FormatException.class)
          .hasMessageContaining("checkpoint (size 15").hasMessageContaining("the current tree (size 20")
          .hasMessageContaining("the log key signed a fork");
    }
    assertThat(LedgerLayout.checkpointFiles(dir).bySize()).containsOnlyKeys(0L, 10L, 15L);
  }

  @Test
  void signCheckpoint_newerGenuineCheckpointOfAnotherWriter_signsOnTopOfIt() throws Exception {
    create();
    append(10);
    sign();
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < 10; i++) {
        await(s.append("x", maker("x", "t")));
      }
      try (FileLogStore other = FileLogStore.open(dir)) {
        await(other.append("y", maker("y", "t")));
        assertThat(verified(other.signCheckpoint().encoded()).size()).isEqualTo(21);
      }
      await(s.append("x", maker("x", "t")));
      Checkpoint cp = verified(s.signCheckpoint().encoded());
      assertThat(cp.size()).isEqualTo(22);
      assertThat(cp.rootHash()).isEqualTo(recordsRoot(22));
    }
  }
}
