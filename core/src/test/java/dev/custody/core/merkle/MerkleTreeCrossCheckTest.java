package dev.custody.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast classes ({@link CompactRange}, {@link MerkleTree} over leaf-only and stored-node
 * sources) against the naive {@link RfcReference}, for every size 1..300; every generated proof
 * also goes through {@link ProofVerifier}.
 */
class MerkleTreeCrossCheckTest {
  private static final int MAX = 300;
  private static List<byte[]> leaves;
  private static List<byte[]> referenceRoots; // referenceRoots.get(n) = MTH(D[0:n])
  private static MerkleTree leafOnly;
  private static MerkleTree withNodes;

  @BeforeAll
  static void build() {
    leaves = TestTrees.leafHashes(MAX);
    referenceRoots = new ArrayList<>();
    for (int n = 0; n <= MAX; n++) {
      referenceRoots.add(RfcReference.mth(leaves.subList(0, n)));
    }
    leafOnly = new MerkleTree(NodeHashes.ofLeaves(TestTrees.wrap(leaves)));
    withNodes = new MerkleTree(TestTrees.inMemory(leaves));
  }

  @Test
  void root_everySizeTo300_matchesReference() {
    CompactRange range = new CompactRange();
    for (int n = 0; n <= MAX; n++) {
      Bytes want = Bytes.copyOf(referenceRoots.get(n));
      assertThat(range.root()).as("compact range, size %d", n).isEqualTo(want);
      assertThat(leafOnly.root(n)).as("leaf-only tree, size %d", n).isEqualTo(want);
      assertThat(withNodes.root(n)).as("stored-node tree, size %d", n).isEqualTo(want);
      assertThat(range.peaks()).hasSize(Long.bitCount(n));
      if (n < MAX) {
        range.append(Bytes.copyOf(leaves.get(n)));
      }
    }
  }

  @Test
  void inclusionProof_everyIndexSizesTo64_matchesReferenceAndVerifies() throws ProofException {
    int proofs = 0;
    for (int n = 1; n <= 64; n++) {
      for (int m = 0; m < n; m++) {
        checkInclusion(m, n);
        proofs++;
      }
    }
    assertThat(proofs).isEqualTo(64 * 65 / 2);
  }

  @Test
  void inclusionProof_sampledIndicesSizes65To300_matchesReferenceAndVerifies() throws ProofException {
    Random random = new Random(9162);
    for (int n = 65; n <= MAX; n++) {
      for (int m : new int[] {0, 1, n / 2, n - 2, n - 1, random.nextInt(n), random.nextInt(n)}) {
        checkInclusion(m, n);
      }
    }
  }

  @Test
  void consistencyProof_everyPairTo64_matchesReferenceAndVerifies() throws ProofException {
    for (int n = 1; n <= 64; n++) {
      for (int m = 1; m <= n; m++) {
        checkConsistency(m, n);
      }
    }
  }

  @Test
  void consistencyProof_sampledPairsTo300_matchesReferenceAndVerifies() throws ProofException {
    Random random = new Random(6962);
    for (int n = 65; n <= MAX; n++) {
      for (int m : new int[] {1, 2, n / 2, n - 1, n, Integer.highestOneBit(n), 1 + random.nextInt(n)}) {
        checkConsistency(m, n);
      }
    }
  }

  private static void checkInclusion(int m, int n) throws ProofException {
    List<Bytes> want = TestTrees.wrap(RfcReference.path(m, leaves.subList(0, n)));
    InclusionProof fromLeaves = leafOnly.inclusionProof(m, n);
    InclusionProof fromNodes = withNodes.inclusionProof(m, n);
    assertThat(fromLeaves.hashes()).as("PATH(%d, D[%d]) leaf-only", m, n).isEqualTo(want);
    assertThat(fromNodes).as("PATH(%d, D[%d]) stored nodes", m, n).isEqualTo(fromLeaves);
    assertThat(fromLeaves.leafIndex()).isEqualTo(m);
    assertThat(fromLeaves.treeSize()).isEqualTo(n);
    ProofVerifier.verifyInclusion(
        fromLeaves, Bytes.copyOf(leaves.get(m)), Bytes.copyOf(referenceRoots.get(n)));
  }

  private static void checkConsistency(int m, int n) throws ProofException {
    List<Bytes> want = m == n ? List.of() : TestTrees.wrap(RfcReference.proof(m, leaves.subList(0, n)));
    ConsistencyProof fromLeaves = leafOnly.consistencyProof(m, n);
    ConsistencyProof fromNodes = withNodes.consistencyProof(m, n);
    assertThat(fromLeaves.hashes()).as("PROOF(%d, D[%d]) leaf-only", m, n).isEqualTo(want);
    assertThat(fromNodes).as("PROOF(%d, D[%d]) stored nodes", m, n).isEqualTo(fromLeaves);
    ProofVerifier.verifyConsistency(
        fromLeaves, Bytes.copyOf(referenceRoots.get(m)), Bytes.copyOf(referenceRoots.get(n)));
  }

  @Test
  void inclusionProof_storedNodes_readsOnlyLogarithmicallyManyHashes() throws ProofException {
    int n = 1 << 14;
    InMemoryNodeHashes stored = TestTrees.inMemory(TestTrees.leafHashes(n + 3));
    AtomicLong reads = new AtomicLong();
    NodeHashes counting = new NodeHashes() {
      @Override
      public long size() {
        return stored.size();
      }

      @Override
      public Bytes leafHash(long index) {
        reads.incrementAndGet();
        return stored.leafHash(index);
      }

      @Override
      public Optional<Bytes> perfectSubtree(int level, long index) {
        reads.incrementAndGet();
        return stored.perfectSubtree(level, index);
      }
    };
    MerkleTree tree = new MerkleTree(counting);
    InclusionProof proof = tree.inclusionProof(12345, n + 3);
    ProofVerifier.verifyInclusion(proof, stored.leafHash(12345), stored.root());
    assertThat(reads.get()).as("hashes read for one proof").isLessThan(64);
    reads.set(0);
    ConsistencyProof consistency = tree.consistencyProof(1000, n + 3);
    ProofVerifier.verifyConsistency(consistency, tree.root(1000), stored.root());
    assertThat(reads.get()).as("hashes read for one proof and one root").isLessThan(128);
  }

  @Test
  void restore_peaksOfAppendedRange_continuesIdentically() {
    CompactRange original = new CompactRange();
    for (int i = 0; i < 77; i++) {
      original.append(Bytes.copyOf(leaves.get(i)));
    }
    CompactRange restored = CompactRange.restore(original.size(), original.peaks());
    for (int i = 77; i < 200; i++) {
      original.append(Bytes.copyOf(leaves.get(i)));
      restored.append(Bytes.copyOf(leaves.get(i)));
    }
    assertThat(restored.size()).isEqualTo(200);
    assertThat(restored.root()).isEqualTo(original.root()).isEqualTo(Bytes.copyOf(referenceRoots.get(200)));
  }

  @Test
  void restore_wrongPeakCount_throws() {
    List<Bytes> twoPeaks = List.of(MerkleHash.EMPTY_ROOT, MerkleHash.EMPTY_ROOT);
    assertThatThrownBy(() -> CompactRange.restore(4, twoPeaks))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size 4 has 1 peaks");
    assertThatThrownBy(() -> CompactRange.restore(-1, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactRange.restore(1, List.of(Bytes.copyOf(new byte[31]))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void append_sinkReceivesEveryCompletedNode_inOrder() {
    CompactRange range = new CompactRange();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      range.append(Bytes.copyOf(leaves.get(i)), (level, index, hash) -> seen.add(level + "/" + index));
    }
    assertThat(seen).containsExactly("0/0", "0/1", "1/0", "0/2", "0/3", "1/1", "2/0");
  }

  @Test
  void append_leafNot32Bytes_throws() {
    assertThatThrownBy(() -> new CompactRange().append(Bytes.copyOf(new byte[33])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("33");
  }

  @Test
  void generation_argumentsOutOfRange_throwIllegalArgument() {
    assertThatThrownBy(() -> leafOnly.root(MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.root(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.inclusionProof(5, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.inclusionProof(-1, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.inclusionProof(0, MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.consistencyProof(0, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.consistencyProof(6, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leafOnly.consistencyProof(1, MAX + 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void root_sizeZero_isEmptyRoot() {
    assertThat(leafOnly.root(0)).isEqualTo(MerkleHash.EMPTY_ROOT);
    assertThat(new CompactRange().root()).isEqualTo(MerkleHash.EMPTY_ROOT);
    assertThat(new InMemoryNodeHashes().root()).isEqualTo(MerkleHash.EMPTY_ROOT);
  }

  @Test
  void records_hashList_isCopiedAndUnmodifiable() {
    List<Bytes> hashes = new ArrayList<>(List.of(MerkleHash.EMPTY_ROOT));
    InclusionProof proof = new InclusionProof(0, 2, hashes);
    hashes.clear();
    assertThat(proof.hashes()).hasSize(1);
    assertThatThrownBy(() -> proof.hashes().add(MerkleHash.EMPTY_ROOT))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(proof).isEqualTo(new InclusionProof(0, 2, List.of(MerkleHash.EMPTY_ROOT)));
  }
}
