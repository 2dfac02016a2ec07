package dev.custody.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.bytes.Bytes;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Seeded random trees larger than the exhaustive cross-check: roots and proofs against the naive
 * reference, generated proofs verify, and a one-bit change to any proof hash is refused.
 */
class MerkleTreeProperties {
  private static final int MAX = 3000;
  private static final List<byte[]> LEAVES = TestTrees.leafHashes(MAX);
  private static final MerkleTree TREE = new MerkleTree(TestTrees.inMemory(LEAVES));

  /** (index, size1, size2, tamperedHash, tamperedBit) with 0 <= index < size2, 1 <= size1 <= size2. */
  record Shape(int index, int size1, int size2, int hashPick, int bit) {}

  @Provide
  Arbitrary<Shape> shapes() {
    return Arbitraries.integers().between(301, MAX).flatMap(size2 -> Combinators.combine(
            Arbitraries.integers().between(0, size2 - 1),
            Arbitraries.integers().between(1, size2),
            Arbitraries.integers().between(0, 63),
            Arbitraries.integers().between(0, 255))
        .as((index, size1, pick, bit) -> new Shape(index, size1, size2, pick, bit)));
  }

  @Property(tries = 40, seed = "9162")
  void inclusionProof_randomTree_matchesReferenceVerifiesAndRejectsTampering(@ForAll("shapes") Shape s)
      throws ProofException {
    List<byte[]> prefix = LEAVES.subList(0, s.size2());
    Bytes root = Bytes.copyOf(RfcReference.mth(prefix));
    Bytes leaf = Bytes.copyOf(LEAVES.get(s.index()));
    assertThat(TREE.root(s.size2())).isEqualTo(root);
    InclusionProof proof = TREE.inclusionProof(s.index(), s.size2());
    assertThat(proof.hashes()).isEqualTo(TestTrees.wrap(RfcReference.path(s.index(), prefix)));
    ProofVerifier.verifyInclusion(proof, leaf, root);
    List<Bytes> tampered = new java.util.ArrayList<>(proof.hashes());
    int i = s.hashPick() % tampered.size();
    tampered.set(i, TestTrees.flipBit(tampered.get(i), s.bit()));
    assertThatThrownBy(() -> ProofVerifier.verifyInclusion(s.index(), s.size2(), leaf, tampered, root))
        .isInstanceOf(ProofException.class);
  }

  @Property(tries = 40, seed = "6962")
  void consistencyProof_randomTree_matchesReferenceVerifiesAndRejectsTampering(@ForAll("shapes") Shape s)
      throws ProofException {
    List<byte[]> prefix = LEAVES.subList(0, s.size2());
    Bytes root1 = Bytes.copyOf(RfcReference.mth(LEAVES.subList(0, s.size1())));
    Bytes root2 = Bytes.copyOf(RfcReference.mth(prefix));
    ConsistencyProof proof = TREE.consistencyProof(s.size1(), s.size2());
    List<Bytes> want = s.size1() == s.size2() ? List.of() : TestTrees.wrap(RfcReference.proof(s.size1(), prefix));
    assertThat(proof.hashes()).isEqualTo(want);
    ProofVerifier.verifyConsistency(proof, root1, root2);
    if (!proof.hashes().isEmpty()) {
      List<Bytes> tampered = new java.util.ArrayList<>(proof.hashes());
      int i = s.hashPick() % tampered.size();
      tampered.set(i, TestTrees.flipBit(tampered.get(i), s.bit()));
      assertThatThrownBy(() -> ProofVerifier.verifyConsistency(s.size1(), s.size2(), tampered, root1, root2))
          .isInstanceOf(ProofException.class);
    }
  }
}
