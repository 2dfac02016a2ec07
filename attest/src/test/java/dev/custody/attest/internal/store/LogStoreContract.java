package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.AttestException;
import dev.custody.attest.EntrySigner;
import dev.custody.attest.SignedEntry;
import dev.custody.attest.TestFixtures;
import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.Digest;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link LogStore} contract (DESIGN.md §7): every store implementation extends this class and
 * passes it unchanged. Subclasses supply {@link #open}; they add their own tests for what is
 * specific to them (files, SQL).
 */
public abstract class LogStoreContract {
  @TempDir protected Path dir;
  private final List<LogStore> opened = new ArrayList<>();

  /**
   * Opens the store identified by {@code dir}, creating an empty one the first time. Opening the
   * same {@code dir} again after {@link LogStore#close} must give the same store contents.
   */
  protected abstract LogStore openStore(Path dir) throws Exception;

  /**
   * As {@link #openStore}, for a store with a log identity (origin {@link #ORIGIN}, automatic
   * checkpoints off) whose writer holds the log key, created the first time; {@code verifier}
   * receives the log's verifier key.
   */
  protected abstract LogStore openSigningStore(Path dir) throws Exception;

  /** The origin of {@link #openSigningStore}'s log. */
  protected static final String ORIGIN = "example.org/contract";

  /** Opens and remembers the store so that it is closed after the test. */
  protected final LogStore open(Path dir) throws Exception {
    LogStore s = openStore(dir);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() throws Exception {
    for (LogStore s : opened) {
      s.close();
    }
  }

  /** Opens a signing store and remembers it (see {@link #openSigningStore}). */
  protected final LogStore openSigning(Path dir) throws Exception {
    LogStore s = openSigningStore(dir);
    opened.add(s);
    return s;
  }

  protected static Appended await(CompletableFuture<Appended> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  @Test
  void append_emptyStore_firstEntryHasSequenceZeroNoPrevAndLogIndexZero() throws Exception {
    LogStore store = open(dir);
    List<Object> seen = new ArrayList<>();

    Appended a = await(store.append("acme/a", (seq, prev) -> {
      seen.add(seq);
      seen.add(prev);
      return maker("acme/a", "t").make(seq, prev);
    }));

    assertThat(seen).containsExactly(0L, Optional.empty());
    assertThat(a.chain()).isEqualTo("acme/a");
    assertThat(a.sequence()).isZero();
    assertThat(a.logIndex()).isZero();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void append_interleavedChains_assignsPerChainSequencesAndPrevLinks() throws Exception {
    LogStore store = open(dir);
    List<Appended> all = new ArrayList<>();
    String[] chains = {"acme/a", "acme/b", "acme/a", "c", "acme/a", "acme/b"};
    for (String c : chains) {
      all.add(await(store.append(c, maker(c, "t"))));
    }

    Map<String, Appended> last = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Appended a = all.get(i);
      assertThat(a.logIndex()).isEqualTo(i);
      EntryRecord rec = store.read(i);
      EntryPayload p = rec.payload("test");
      assertThat(rec.hash()).isEqualTo(a.hash());
      assertThat(p.chain()).isEqualTo(chains[i]);
      Appended before = last.get(chains[i]);
      assertThat(p.sequence()).isEqualTo(before == null ? 0 : before.sequence() + 1).isEqualTo(a.sequence());
      assertThat(p.prev()).isEqualTo(before == null ? Optional.empty() : Optional.of(before.hash()));
      last.put(chains[i], a);
    }
    assertThat(store.chains()).extracting(LogStore.ChainHead::chain).containsExactly("acme/a", "acme/b", "c");
    assertThat(store.head("acme/a")).contains(new LogStore.ChainHead("acme/a", 2, all.get(4).hash(), 4));
    assertThat(store.head("nope")).isEmpty();
    assertThat(store.chainIndexes("acme/a")).containsExactly(0, 2, 4);
    assertThat(store.chainIndexes("acme/b")).containsExactly(1, 5);
    assertThat(store.chainIndexes("nope")).isEmpty();
    assertThat(store.indexOf(all.get(3).hash())).hasValue(3);
    assertThat(store.indexOf(Digest.sha256(new byte[0]))).isEmpty();
  }

  @Test
  void read_afterAppend_returnsExactlyTheBytesTheMakerMade() throws Exception {
    LogStore store = open(dir);
    byte[][] made = new byte[1][];
    Appended a = await(store.append("x", (seq, prev) -> made[0] = maker("x", "t").make(seq, prev)));

    EntryRecord rec = store.read(a.logIndex());

    assertThat(rec.bytes().toByteArray()).isEqualTo(made[0]);
    assertThat(a.hash()).isEqualTo(Digest.sha256(made[0]));
  }

  @Test
  void read_outsideLog_throwsIndexOutOfBounds() throws Exception {
    LogStore store = open(dir);
    await(store.append("x", maker("x", "t")));

    assertThatThrownBy(() -> store.read(1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> store.read(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void append_makerThrows_failsWithItsExceptionLeavesNothingAndChainContinues() throws Exception {
    LogStore store = open(dir);
    Appended first = await(store.append("x", maker("x", "t")));
    AttestException boom = new AttestException("HSM unplugged");

    CompletableFuture<Appended> failed = store.append("x", (seq, prev) -> {
      throw boom;
    });
    CompletableFuture<Appended> failedRuntime = store.append("x", (seq, prev) -> {
      throw new IllegalStateException("bug in maker");
    });

    assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThatThrownBy(() -> failedRuntime.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(store.size()).isEqualTo(1);
    Appended next = await(store.append("x", maker("x", "t")));
    assertThat(next.sequence()).isEqualTo(1);
    assertThat(next.logIndex()).isEqualTo(1);
    assertThat(store.read(1).payload("t").prev()).contains(first.hash());
  }

  @Test
  void append_signedMakerIgnoresAssignedPosition_rejectedAndNothingStored() throws Exception {
    LogStore store = open(dir);
    Appended first = await(store.append("x", maker("x", "t")));
    await(store.append("y", maker("y", "t")));

    // The store takes a SignedEntry's form as made, but still checks the position it names.
    CompletableFuture<Appended> fork = store.append("x",
        LogStore.RecordMaker.signed((seq, prev) -> signed("x", 0, Optional.empty())));
    CompletableFuture<Appended> otherChain = store.append("x",
        LogStore.RecordMaker.signed((seq, prev) -> signed("y", seq, prev)));
    CompletableFuture<Appended> wrongPrev = store.append("x",
        LogStore.RecordMaker.signed((seq, prev) -> signed("x", seq, Optional.of(Digest.sha256(new byte[0])))));

    for (CompletableFuture<Appended> f : List.of(fork, otherChain, wrongPrev)) {
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(AttestException.class)
          .hasMessageContaining("but the store assigned x:1");
    }
    assertThat(store.size()).isEqualTo(2);
    Appended next = await(store.append("x", LogStore.RecordMaker.signed((seq, prev) -> signed("x", seq, prev))));
    assertThat(next.sequence()).isEqualTo(1);
    assertThat(store.read(next.logIndex()).hash()).isEqualTo(next.hash());
    assertThat(store.read(next.logIndex()).payload("t").prev()).contains(first.hash());
  }

  private static SignedEntry signed(String chain, long seq, Optional<Digest> prev) throws AttestException {
    return EntrySigner.signEntry(new EntryPayload(chain, seq, prev, TestFixtures.ED25519.keyId(), TestFixtures.TIME,
        TestFixtures.event("t", seq)), TestFixtures.ED25519);
  }

  @Test
  void append_makerIgnoresAssignedPosition_rejectedAndNothingStored() throws Exception {
    LogStore store = open(dir);
    await(store.append("x", maker("x", "t")));
    await(store.append("y", maker("y", "t")));

    // Claims sequence 0 (a fork of x), names another chain, or is not an entry at all.
    CompletableFuture<Appended> fork = store.append("x", (seq, prev) -> maker("x", "t").make(0, Optional.empty()));
    CompletableFuture<Appended> otherChain = store.append("x", (seq, prev) -> maker("y", "t").make(seq, prev));
    CompletableFuture<Appended> garbage = store.append("x", (seq, prev) -> "{}".getBytes(StandardCharsets.US_ASCII));
    CompletableFuture<Appended> newline = store.append("x",
        (seq, prev) -> (new String(maker("x", "t").make(seq, prev), StandardCharsets.US_ASCII) + "\n")
            .getBytes(StandardCharsets.US_ASCII));

    // JSON allows whitespace, but a line break inside a record would split it in two on disk.
    CompletableFuture<Appended> innerNewline = store.append("x",
        (seq, prev) -> new String(maker("x", "t").make(seq, prev), StandardCharsets.US_ASCII)
            .replace(",\"payload\"", ",\n\"payload\"").getBytes(StandardCharsets.US_ASCII));

    for (CompletableFuture<Appended> f : List.of(fork, otherChain, garbage, newline, innerNewline)) {
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(AttestException.class);
    }
    assertThat(store.size()).isEqualTo(2);
    assertThat(await(store.append("x", maker("x", "t"))).sequence()).isEqualTo(1);
  }

  @Test
  void open_afterClose_keepsEveryEntryAndContinuesChains() throws Exception {
    LogStore store = open(dir);
    List<Appended> before = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      before.add(await(store.append(i % 2 == 0 ? "even" : "odd", maker(i % 2 == 0 ? "even" : "odd", "t" + i))));
    }
    List<EntryRecord> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.add(store.read(i));
    }
    List<LogStore.ChainHead> heads = store.chains();
    store.close();

    LogStore again = open(dir);

    assertThat(again.size()).isEqualTo(5);
    assertThat(again.chains()).isEqualTo(heads);
    for (int i = 0; i < 5; i++) {
      assertThat(again.read(i)).isEqualTo(records.get(i));
      assertThat(again.indexOf(before.get(i).hash())).hasValue(i);
    }
    Appended next = await(again.append("odd", maker("odd", "t")));
    assertThat(next.sequence()).isEqualTo(2);
    assertThat(next.logIndex()).isEqualTo(5);
    assertThat(again.read(5).payload("t").prev()).contains(before.get(3).hash());
  }

  @Test
  void append_afterClose_failsAndStoresNothing() throws Exception {
    LogStore store = open(dir);
    await(store.append("x", maker("x", "t")));
    store.close();

    CompletableFuture<Appended> f = store.append("x", maker("x", "t"));

    assertThat(f).failsWithin(Duration.ofSeconds(30));
    assertThat(open(dir).size()).isEqualTo(1);
  }

  @Test
  void append_invalidChainId_throwsIllegalArgument() throws Exception {
    LogStore store = open(dir);
    assertThatThrownBy(() -> store.append("../etc", maker("x", "t"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.size()).isZero();
  }

  @Test
  void append_manyConcurrentAsyncAppends_eachAcknowledgedOnceWithGaplessChains() throws Exception {
    LogStore store = open(dir);
    List<CompletableFuture<Appended>> fs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String chain = "c" + (i % 3);
      fs.add(store.append(chain, maker(chain, "t")));
    }
    List<Appended> acked = new ArrayList<>();
    for (CompletableFuture<Appended> f : fs) {
      acked.add(await(f));
    }

    assertThat(acked).extracting(Appended::logIndex).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < 300);
    for (String chain : List.of("c0", "c1", "c2")) {
      long[] idx = store.chainIndexes(chain);
      assertThat(idx).hasSize(100);
      Optional<Digest> prev = Optional.empty();
      for (int s = 0; s < idx.length; s++) {
        EntryPayload p = store.read(idx[s]).payload("t");
        assertThat(p.sequence()).isEqualTo(s);
        assertThat(p.prev()).isEqualTo(prev);
        prev = Optional.of(store.read(idx[s]).hash());
      }
    }
    // Appends of one thread to one chain keep their order.
    for (int i = 3; i < acked.size(); i++) {
      assertThat(acked.get(i).sequence()).isEqualTo(acked.get(i - 3).sequence() + 1);
    }
  }

  // ---- transparency: the Merkle tree, proofs and checkpoints every store keeps

  private static Checkpoint verified(LogStore store, byte[] note) throws Exception {
    return CheckpointVerifier.forLog(ORIGIN, store.identity().orElseThrow().verifierKey()).verify(note).checkpoint();
  }

  /** The RFC 9162 tree over the records' exact bytes, as a verifier computes it. */
  private static MerkleTree reference(LogStore store) throws Exception {
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    for (long i = 0; i < store.size(); i++) {
      ref.append(MerkleHash.leafHash(store.read(i).bytes().toByteArray()));
    }
    return new MerkleTree(ref);
  }

  @Test
  void signCheckpoint_afterAppends_signsTheRecordsRootAndProofsVerifyAgainstIt() throws Exception {
    LogStore store = openSigning(dir);
    for (int i = 0; i < 300; i++) { // more than one full tile (256 leaves)
      store.append("c" + (i % 3), maker("c" + (i % 3), "t"));
    }
    await(store.append("c0", maker("c0", "t")));

    Checkpoint cp = verified(store, store.signCheckpoint().encoded());

    assertThat(cp.size()).isEqualTo(301);
    assertThat(cp.rootHash()).isEqualTo(reference(store).root(301)).isEqualTo(store.rootHash(301));
    assertThat(verified(store, store.latestCheckpoint().orElseThrow())).isEqualTo(cp);
    for (long leaf : new long[] {0, 255, 256, 300}) {
      InclusionProof p = store.inclusionProof(leaf, 301);
      ProofVerifier.verifyInclusion(p, MerkleHash.leafHash(store.read(leaf).bytes().toByteArray()), cp.rootHash());
    }
    ProofVerifier.verifyConsistency(store.consistencyProof(7, 301), reference(store).root(7), cp.rootHash());
  }

  @Test
  void open_afterClose_treeAndCheckpointsKeptAndExtended() throws Exception {
    LogStore store = openSigning(dir);
    for (int i = 0; i < 260; i++) {
      store.append("c", maker("c", "t"));
    }
    await(store.append("c", maker("c", "t")));
    Checkpoint first = verified(store, store.signCheckpoint().encoded());
    store.close();

    LogStore again = openSigning(dir);
    await(again.append("c", maker("c", "t")));
    Checkpoint second = verified(again, again.signCheckpoint().encoded());

    assertThat(again.rootHash(first.size())).isEqualTo(first.rootHash());
    assertThat(second.size()).isEqualTo(first.size() + 1);
    ProofVerifier.verifyConsistency(again.consistencyProof(first.size(), second.size()), first.rootHash(),
        second.rootHash());
  }

  @Test
  void signCheckpoint_twoWritersOfOneLog_neverTwoDifferentCheckpointsForOneSize() throws Exception {
    LogStore a = openSigning(dir);
    LogStore b = openSigning(dir);
    List<CompletableFuture<Appended>> fs = new ArrayList<>();
    List<byte[]> notes = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread signer = new Thread(() -> {
      try {
        for (int i = 0; i < 20; i++) {
          notes.add(a.signCheckpoint().encoded());
          notes.add(b.signCheckpoint().encoded());
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    signer.start();
    for (int i = 0; i < 200; i++) {
      fs.add((i % 2 == 0 ? a : b).append("c" + (i % 4), maker("c" + (i % 4), "t")));
    }
    for (CompletableFuture<Appended> f : fs) {
      await(f);
    }
    signer.join();
    notes.add(a.signCheckpoint().encoded());

    Map<Long, Checkpoint> bySize = new HashMap<>();
    for (byte[] n : notes) {
      Checkpoint cp = verified(a, n);
      Checkpoint other = bySize.putIfAbsent(cp.size(), cp);
      assertThat(other == null || other.equals(cp)).as("two checkpoints for size " + cp.size()).isTrue();
    }
    MerkleTree ref = reference(a);
    assertThat(a.size()).isEqualTo(200);
    for (Checkpoint cp : bySize.values()) {
      assertThat(cp.rootHash()).isEqualTo(ref.root(cp.size()));
    }
  }
}
