package dev.custody.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.custody.core.Bytes;
import dev.custody.core.merkle.ProofException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Named mutations of valid proofs, each expected to fail with a specific {@link Reason} and a
 * message carrying the offending values.
 */
class ProofMutationTest {
  private static final int SIZE = 13;
  private static final int INDEX = 6;
  private static final List<byte[]> LEAVES = TestTrees.leafHashes(SIZE);
  private static final MerkleTree TREE = new MerkleTree(NodeHashes.ofLeaves(TestTrees.wrap(LEAVES)));
  private static final Bytes ROOT = TREE.root(SIZE);
  private static final Bytes LEAF = Bytes.copyOf(LEAVES.get(INDEX));
  private static final List<Bytes> PATH = TREE.inclusionProof(INDEX, SIZE).hashes();

  /** A mutation: what to call and the check expected to refuse it. */
  private record Case(String name, Reason reason, String messagePart, Call call) {}

  @FunctionalInterface
  private interface Call {
    void run() throws ProofException;
  }

  @Test
  void verify_unmutatedBaselines_succeed() {
    assertThatCode(() -> ProofVerifier.verifyInclusion(INDEX, SIZE, LEAF, PATH, ROOT)).doesNotThrowAnyException();
    for (int size1 : new int[] {1, 6, 8, SIZE}) {
      List<Bytes> proof = TREE.consistencyProof(size1, SIZE).hashes();
      assertThatCode(() -> ProofVerifier.verifyConsistency(size1, SIZE, proof, TREE.root(size1), ROOT))
          .as("size1 %d", size1)
          .doesNotThrowAnyException();
    }
  }

  /**
   * Characterises a limit of every RFC 9162 verifier, documented on {@link ProofVerifier}: the
   * paths from 6 to 12 and from 6 to 13 leaves have the same shape, so the (6, 13) proof and the
   * 13-leaf root pass as (6, 12). Sizes must come from the signed checkpoint with the root.
   */
  @Test
  void verifyConsistency_size2OffByOneWithSamePathShape_notDetectableFromProofAlone() {
    List<Bytes> proof = TREE.consistencyProof(6, SIZE).hashes();
    assertThat(TREE.consistencyProof(6, SIZE - 1).hashes()).hasSameSizeAs(proof).isNotEqualTo(proof);
    assertThatCode(() -> ProofVerifier.verifyConsistency(6, SIZE - 1, proof, TREE.root(6), ROOT))
        .doesNotThrowAnyException();
  }

  @TestFactory
  Stream<DynamicTest> verifyInclusion_mutation_fails() {
    List<Case> cases = new ArrayList<>();
    cases.add(inclusion("truncated proof", Reason.BAD_PROOF_LENGTH, "exactly 4 hashes, got 3",
        INDEX, SIZE, LEAF, PATH.subList(0, PATH.size() - 1), ROOT));
    cases.add(inclusion("proof extended by one hash", Reason.BAD_PROOF_LENGTH, "got 5",
        INDEX, SIZE, LEAF, plus(PATH, MerkleHash.EMPTY_ROOT), ROOT));
    cases.add(inclusion("empty proof", Reason.BAD_PROOF_LENGTH, "got 0", INDEX, SIZE, LEAF, List.of(), ROOT));
    cases.add(inclusion("index equals size", Reason.BAD_SIZES, "leaf index 13 is not below tree size 13",
        SIZE, SIZE, LEAF, PATH, ROOT));
    cases.add(inclusion("index above size", Reason.BAD_SIZES, "leaf index 99", 99, SIZE, LEAF, PATH, ROOT));
    cases.add(inclusion("size zero", Reason.BAD_SIZES, "tree size 0", 0, 0, LEAF, List.of(), MerkleHash.EMPTY_ROOT));
    cases.add(inclusion("negative index", Reason.BAD_SIZES, "leafIndex=-1", -1, SIZE, LEAF, PATH, ROOT));
    cases.add(inclusion("neighbouring index", Reason.ROOT_MISMATCH, "leaf 7", INDEX + 1, SIZE, LEAF, PATH, ROOT));
    cases.add(inclusion("wrong root", Reason.ROOT_MISMATCH, ROOT.hex(), INDEX, SIZE, LEAF, PATH,
        TestTrees.flipBit(ROOT, 0)));
    cases.add(inclusion("root of a smaller tree", Reason.ROOT_MISMATCH, "not the expected root",
        INDEX, SIZE, LEAF, PATH, TREE.root(SIZE - 1)));
    cases.add(inclusion("wrong leaf", Reason.ROOT_MISMATCH, "leaf 6", INDEX, SIZE,
        TestTrees.flipBit(LEAF, 255), PATH, ROOT));
    cases.add(inclusion("entry bytes instead of leaf hash", Reason.BAD_HASH_LENGTH, "leaf hash must be 32 bytes",
        INDEX, SIZE, Bytes.copyOf("entry-6".getBytes(java.nio.charset.StandardCharsets.UTF_8)), PATH, ROOT));
    cases.add(inclusion("31-byte root", Reason.BAD_HASH_LENGTH, "got 31 bytes", INDEX, SIZE, LEAF, PATH,
        Bytes.copyOf(ROOT.toByteArray(), 0, 31)));
    cases.add(inclusion("33-byte proof hash", Reason.BAD_HASH_LENGTH, "proof hash 1 of 4",
        INDEX, SIZE, LEAF, replace(PATH, 1, Bytes.copyOf(new byte[33])), ROOT));
    cases.add(inclusion("proof hashes swapped", Reason.ROOT_MISMATCH, "not the expected root",
        INDEX, SIZE, LEAF, swap(PATH, 0, 1), ROOT));
    for (int i = 0; i < PATH.size(); i++) {
      for (int bit : new int[] {0, 131, 255}) {
        cases.add(inclusion("proof[" + i + "] bit " + bit + " flipped", Reason.ROOT_MISMATCH, "not the expected root",
            INDEX, SIZE, LEAF, replace(PATH, i, TestTrees.flipBit(PATH.get(i), bit)), ROOT));
      }
    }
    return toTests(cases);
  }

  @TestFactory
  Stream<DynamicTest> verifyConsistency_mutation_fails() {
    int size1 = 6;
    Bytes root1 = TREE.root(size1);
    List<Bytes> proof = TREE.consistencyProof(size1, SIZE).hashes();
    int perfect = 8;
    Bytes perfectRoot = TREE.root(perfect);
    List<Bytes> perfectProof = TREE.consistencyProof(perfect, SIZE).hashes();
    List<Case> cases = new ArrayList<>();
    cases.add(consistency("size1 zero with empty-tree root", Reason.EMPTY_FIRST_TREE, "size1=0",
        0, SIZE, List.of(), MerkleHash.EMPTY_ROOT, ROOT));
    cases.add(consistency("both sizes zero with empty-tree roots", Reason.EMPTY_FIRST_TREE, "size1=0, size2=0",
        0, 0, List.of(), MerkleHash.EMPTY_ROOT, MerkleHash.EMPTY_ROOT));
    cases.add(consistency("size1 above size2", Reason.BAD_SIZES, "size1=13 is larger than size2=6",
        SIZE, size1, proof, ROOT, root1));
    cases.add(consistency("negative size", Reason.BAD_SIZES, "size1=-6", -size1, SIZE, proof, root1, ROOT));
    cases.add(consistency("truncated proof", Reason.BAD_PROOF_LENGTH, "got " + (proof.size() - 1),
        size1, SIZE, proof.subList(0, proof.size() - 1), root1, ROOT));
    cases.add(consistency("proof extended by one hash", Reason.BAD_PROOF_LENGTH, "got " + (proof.size() + 1),
        size1, SIZE, plus(proof, MerkleHash.EMPTY_ROOT), root1, ROOT));
    cases.add(consistency("perfect size1 with its root prepended", Reason.BAD_PROOF_LENGTH, "exactly 1 hashes",
        perfect, SIZE, prepend(perfectRoot, perfectProof), perfectRoot, ROOT));
    cases.add(consistency("empty proof between different sizes", Reason.BAD_PROOF_LENGTH, "got 0",
        size1, SIZE, List.of(), root1, ROOT));
    cases.add(consistency("equal sizes with non-empty proof", Reason.BAD_PROOF_LENGTH, "must be empty",
        SIZE, SIZE, List.of(ROOT), ROOT, ROOT));
    cases.add(consistency("equal sizes, different roots", Reason.SECOND_ROOT_MISMATCH, "forked",
        SIZE, SIZE, List.of(), ROOT, TestTrees.flipBit(ROOT, 7)));
    cases.add(consistency("wrong root1", Reason.FIRST_ROOT_MISMATCH, "not the expected root1",
        size1, SIZE, proof, TestTrees.flipBit(root1, 3), ROOT));
    cases.add(consistency("wrong root2", Reason.SECOND_ROOT_MISMATCH, "not the expected root2",
        size1, SIZE, proof, root1, TestTrees.flipBit(ROOT, 3)));
    // For a power-of-two size1 the RFC algorithm starts from root1 itself, so a wrong root1
    // can only show up as a wrong second root.
    cases.add(consistency("wrong root1 of perfect size1", Reason.SECOND_ROOT_MISMATCH, "starts from root1",
        perfect, SIZE, perfectProof, TestTrees.flipBit(perfectRoot, 3), ROOT));
    cases.add(consistency("swapped roots", Reason.FIRST_ROOT_MISMATCH, "root1", size1, SIZE, proof, ROOT, root1));
    cases.add(consistency("root2 from a different size", Reason.SECOND_ROOT_MISMATCH, "root2",
        size1, SIZE, proof, root1, TREE.root(SIZE - 1)));
    cases.add(consistency("size2 doubled", Reason.BAD_PROOF_LENGTH, "", size1, 2 * SIZE, proof, root1, ROOT));
    cases.add(consistency("size2 halved", Reason.BAD_PROOF_LENGTH, "", size1, SIZE / 2, proof, root1, ROOT));
    cases.add(consistency("size1 off by one", Reason.BAD_PROOF_LENGTH, "from size 7 to size 13", size1 + 1, SIZE, proof, root1, ROOT));
    cases.add(consistency("9-byte root1", Reason.BAD_HASH_LENGTH, "root1 hash must be 32 bytes",
        size1, SIZE, proof, Bytes.copyOf(new byte[9]), ROOT));
    cases.add(consistency("empty proof hash", Reason.BAD_HASH_LENGTH, "got 0 bytes",
        size1, SIZE, replace(proof, 0, Bytes.copyOf(new byte[0])), root1, ROOT));
    for (int i = 0; i < proof.size(); i++) {
      // Hashes feeding both roots fail at root1; those only on the second tree's path at root2.
      cases.add(consistency("proof[" + i + "] bit flipped", null, "",
          size1, SIZE, replace(proof, i, TestTrees.flipBit(proof.get(i), 100)), root1, ROOT));
    }
    return toTests(cases);
  }

  private static Case inclusion(String name, Reason reason, String messagePart,
      long index, long size, Bytes leaf, List<Bytes> proof, Bytes root) {
    return new Case("inclusion: " + name, reason, messagePart,
        () -> ProofVerifier.verifyInclusion(index, size, leaf, proof, root));
  }

  private static Case consistency(String name, Reason reason, String messagePart,
      long size1, long size2, List<Bytes> proof, Bytes root1, Bytes root2) {
    return new Case("consistency: " + name, reason, messagePart,
        () -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2));
  }

  private static Stream<DynamicTest> toTests(List<Case> cases) {
    return cases.stream().map(c -> dynamicTest(c.name(), () ->
        assertThatThrownBy(c.call()::run)
            .isInstanceOfSatisfying(ProofException.class, e -> {
              if (c.reason() == null) {
                assertThat(e.reason()).isIn(Reason.FIRST_ROOT_MISMATCH, Reason.SECOND_ROOT_MISMATCH);
              } else {
                assertThat(e.reason()).isEqualTo(c.reason());
              }
              assertThat(e.getMessage()).contains(c.messagePart());
            })));
  }

  private static List<Bytes> plus(List<Bytes> list, Bytes extra) {
    List<Bytes> out = new ArrayList<>(list);
    out.add(extra);
    return out;
  }

  private static List<Bytes> prepend(Bytes first, List<Bytes> list) {
    List<Bytes> out = new ArrayList<>();
    out.add(first);
    out.addAll(list);
    return out;
  }

  private static List<Bytes> replace(List<Bytes> list, int i, Bytes value) {
    List<Bytes> out = new ArrayList<>(list);
    out.set(i, value);
    return out;
  }

  private static List<Bytes> swap(List<Bytes> list, int i, int j) {
    List<Bytes> out = new ArrayList<>(list);
    out.set(i, list.get(j));
    out.set(j, list.get(i));
    return out;
  }
}
