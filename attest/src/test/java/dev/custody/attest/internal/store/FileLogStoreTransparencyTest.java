package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.attest.TestFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.AttestException;
import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.merkle.ProofVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store's Merkle tree, tiles, log identity and checkpoints. */
class FileLogStoreTransparencyTest {
  @TempDir Path dir;

  private static LogConfig config(Long intervalMillis) {
    return new LogConfig("example.org/test-log", Optional.ofNullable(intervalMillis));
  }

  private void append(int n) throws Exception {
    try (Ledger ledger = Ledger.open(dir)) {
      List<CompletableFuture<?>> fs = new ArrayList<>();
      long base = ledger.size();
      for (int i = 0; i < n; i++) {
        fs.add(ledger.appendAsync("acme/c" + (i % 3), event("e", base + i), ED25519));
      }
      for (CompletableFuture<?> f : fs) {
        f.get();
      }
    }
  }

  /** The reference tree over the segments' exact record bytes. */
  private MerkleTree reference() throws Exception {
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    LogReader.readAll(dir, raw -> ref.append(MerkleHash.leafHash(raw.bytes())));
    return new MerkleTree(ref);
  }

  @Test
  void create_writesIdentityFilesWithPrivateKey0600() throws Exception {
    Ledger.create(dir, config(1000L), new SecureRandom());
    assertThat(Files.getPosixFilePermissions(dir.resolve(LedgerLayout.LOG_KEY)))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(Files.readString(dir.resolve(LedgerLayout.LOG_KEY))).startsWith("PRIVATE+KEY+example.org/test-log+");
    assertThat(Files.readString(dir.resolve(LedgerLayout.LOG_VKEY))).startsWith("example.org/test-log+");
    LogIdentity id = LogIdentity.load(dir, true).orElseThrow();
    assertThat(id.origin()).isEqualTo("example.org/test-log");
    assertThat(id.config().checkpointIntervalMillis()).contains(1000L);
  }

  @Test
  void create_originWithSpace_refusedAndNothingCreated() {
    assertThatThrownBy(() -> Ledger.create(dir.resolve("l"), new LogConfig("bad origin", Optional.empty()),
        new SecureRandom())).isInstanceOf(FormatException.class);
    assertThat(Files.exists(dir.resolve("l"))).isFalse();
  }

  @Test
  void appends_treeMatchesReferenceProofsVerifyAndAutoCheckpointCoversAll() throws Exception {
    Ledger.create(dir, config(0L), new SecureRandom()); // checkpoint after every batch
    append(300);
    append(70);
    MerkleTree ref = reference();
    LogIdentity id = LogIdentity.load(dir, false).orElseThrow();
    Checkpoint cp = CheckpointVerifier.forLog(id.origin(), id.verifierKey())
        .verify(Files.readAllBytes(dir.resolve(LedgerLayout.CHECKPOINT))).checkpoint();
    assertThat(cp.size()).isEqualTo(370);
    assertThat(cp.rootHash()).isEqualTo(ref.root(370));
    assertThat(LedgerLayout.checkpointFiles(dir).bySize()).containsKey(370L);
    assertThat(Files.size(dir.resolve("tile/0/000"))).isEqualTo(8192);
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      for (long i = 0; i < 370; i += 7) {
        InclusionProof p = ledger.inclusionProof(i, 370);
        assertThat(p).isEqualTo(ref.inclusionProof(i, 370));
        ProofVerifier.verifyInclusion(p, MerkleHash.leafHash(ledger.entry(i).record().bytes().toByteArray()),
            cp.rootHash());
      }
      ProofVerifier.verifyConsistency(ledger.consistencyProof(300, 370), ref.root(300), cp.rootHash());
    }
  }

  @Test
  void noAutoCheckpoint_manualCheckpointSignsCurrentHead() throws Exception {
    Ledger.create(dir, config(null), new SecureRandom());
    append(5);
    // Only the checkpoint of the empty tree that creation signs: appends sign none with the interval off.
    assertThat(LedgerLayout.checkpointFiles(dir).bySize()).containsOnlyKeys(0L);
    assertThat(Files.readString(dir.resolve(LedgerLayout.CHECKPOINT))).startsWith("example.org/test-log\n0\n");
    try (Ledger ledger = Ledger.open(dir)) {
      String note = new String(ledger.checkpoint().encoded(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(note).startsWith("example.org/test-log\n5\n");
      assertThat(Files.readString(dir.resolve(LedgerLayout.CHECKPOINT))).isEqualTo(note);
      assertThat(Files.readString(dir.resolve("checkpoints/5"))).isEqualTo(note);
      // Idempotent for the same size: Ed25519 is deterministic.
      assertThat(new String(ledger.checkpoint().encoded(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(note);
    }
  }

  @Test
  void plainStore_withoutIdentity_opensAppendsAndRefusesCheckpoint() throws Exception {
    FileLogStore.create(dir);
    append(3);
    try (Ledger ledger = Ledger.open(dir)) {
      assertThat(ledger.identity()).isEmpty();
      assertThat(ledger.rootHash(3)).isEqualTo(reference().root(3));
      assertThatThrownBy(ledger::checkpoint).isInstanceOf(AttestException.class).hasMessageContaining("no log key");
    }
  }

  @Test
  void deletedTiles_rebuiltOnWritableOpen() throws Exception {
    Ledger.create(dir, config(0L), new SecureRandom());
    append(600);
    Bytes root = reference().root(600);
    deleteTree(dir.resolve(LedgerLayout.TILES));
    try (Ledger ledger = Ledger.open(dir)) {
      assertThat(ledger.rootHash(600)).isEqualTo(root);
    }
    assertThat(Files.size(dir.resolve("tile/0/001"))).isEqualTo(8192);
  }

  @Test
  void corruptedTile_detectedByCheckpointAndRebuilt() throws Exception {
    Ledger.create(dir, config(0L), new SecureRandom());
    append(520);
    Bytes root = reference().root(520);
    Path tile = dir.resolve("tile/0/001");
    byte[] b = Files.readAllBytes(tile);
    b[100] ^= 1;
    Files.write(tile, b);
    try (Ledger ledger = Ledger.open(dir)) {
      assertThat(ledger.rootHash(520)).isEqualTo(root);
      assertThat(ledger.repairs()).anyMatch(r -> r.contains("rebuilt the Merkle tree tiles"));
    }
  }

  @Test
  void corruptedTile_readOnlyProofSelfCheckFails() throws Exception {
    Ledger.create(dir, config(0L), new SecureRandom());
    append(300);
    Path tile = dir.resolve("tile/0/000");
    byte[] b = Files.readAllBytes(tile);
    b[32 * 5] ^= 1; // leaf 5
    Files.write(tile, b);
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThatThrownBy(() -> ledger.inclusionProof(5, 300)).isInstanceOf(FormatException.class)
          .hasMessageContaining("tiles").hasMessageContaining("damaged");
    }
  }

  @Test
  void truncatedBelowOwnCheckpoint_writerRefusesToAppend() throws Exception {
    Ledger.create(dir, config(0L), new SecureRandom());
    append(4);
    Path seg = dir.resolve("segments/00000000000000000000.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(seg));
    lines.remove(3);
    Files.write(seg, lines);
    assertThatThrownBy(() -> Ledger.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds 3 entries but its own checkpoint").hasMessageContaining("commits to 4");
    // Reading is still possible, for inspection.
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThat(ledger.size()).isEqualTo(3);
    }
  }

  static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
