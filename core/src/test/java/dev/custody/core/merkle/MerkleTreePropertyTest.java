package dev.custody.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Gen;
import dev.custody.core.PropertyTest;
import dev.custody.core.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeded random trees larger than the exhaustive cross-check: roots and proofs against the naive
 * reference, generated proofs verify, and a one-bit change to any proof hash is refused.
 */
class MerkleTreePropertyTest {
  private static final int MAX = 3000;
  private static final List<byte[]> LEAVES = TestTrees.leafHashes(MAX);
  private static final MerkleTree TREE = new MerkleTree(TestTrees.inMemory(LEAVES));

  /** (index, size1, size2, tamperedHash, tamperedBit) with 0 <= index < size2, 1 <= size1 <= size2. */
  record Shape(int index, int size1, int size2, int hashPick, int bit) {
    static Shape random(long seed) {
      Gen g = new Gen(seed);
      int size2 = g.intBetween(301, MAX);
      return new Shape(g.intBetween(0, size2 - 1), g.intBetween(1, size2), size2, g.intBetween(0, 63),
          g.intBetween(0, 255));
    }
  }

  @PropertyTest(seed = 9162, tries = 40)
  void inclusionProof_randomTree_matchesReferenceVerifiesAndRejectsTampering(long seed) throws ProofException {
    Shape s = Shape.random(seed);
    List<byte[]> prefix = LEAVES.subList(0, s.size2());
    Bytes root = Bytes.copyOf(RfcReference.mth(prefix));
    Bytes leaf = Bytes.copyOf(LEAVES.get(s.index()));
    assertThat(TREE.root(s.size2())).as("%s", s).isEqualTo(root);
    InclusionProof proof = TREE.inclusionProof(s.index(), s.size2());
    assertThat(proof.hashes()).as("%s", s).isEqualTo(TestTrees.wrap(RfcReference.path(s.index(), prefix)));
    ProofVerifier.verifyInclusion(proof, leaf, root);
    List<Bytes> tampered = new ArrayList<>(proof.hashes());
    int i = s.hashPick() % tampered.size();
    tampered.set(i, TestTrees.flipBit(tampered.get(i), s.bit()));
    assertThatThrownBy(() -> ProofVerifier.verifyInclusion(s.index(), s.size2(), leaf, tampered, root))
        .as("%s", s).isInstanceOf(ProofException.class);
  }

  @PropertyTest(seed = 6962, tries = 40)
  void consistencyProof_randomTree_matchesReferenceVerifiesAndRejectsTampering(long seed) throws ProofException {
    Shape s = Shape.random(seed);
    List<byte[]> prefix = LEAVES.subList(0, s.size2());
    Bytes root1 = Bytes.copyOf(RfcReference.mth(LEAVES.subList(0, s.size1())));
    Bytes root2 = Bytes.copyOf(RfcReference.mth(prefix));
    ConsistencyProof proof = TREE.consistencyProof(s.size1(), s.size2());
    List<Bytes> want = s.size1() == s.size2() ? List.of() : TestTrees.wrap(RfcReference.proof(s.size1(), prefix));
    assertThat(proof.hashes()).as("%s", s).isEqualTo(want);
    ProofVerifier.verifyConsistency(proof, root1, root2);
    if (!proof.hashes().isEmpty()) {
      List<Bytes> tampered = new ArrayList<>(proof.hashes());
      int i = s.hashPick() % tampered.size();
      tampered.set(i, TestTrees.flipBit(tampered.get(i), s.bit()));
      assertThatThrownBy(() -> ProofVerifier.verifyConsistency(s.size1(), s.size2(), tampered, root1, root2))
          .as("%s", s).isInstanceOf(ProofException.class);
    }
  }
}
