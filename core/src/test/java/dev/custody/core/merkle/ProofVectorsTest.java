package dev.custody.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Bytes;
import dev.custody.core.merkle.ProofException.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every transparency-dev/merkle inclusion and consistency vector through {@link ProofVerifier}:
 * success iff {@code wantErr} is false, with the one deliberate deviation in {@link #DEVIATIONS}.
 */
class ProofVectorsTest {
  private static final Path INCLUSION = Vectors.merkle().resolve("testdata/inclusion");
  private static final Path CONSISTENCY = Vectors.merkle().resolve("testdata/consistency");

  /**
   * Vectors where custody deliberately disagrees, with the check that must refuse them instead.
   * transparency-dev accepts equal sizes with equal but 12-byte roots ("don't care 2") without
   * looking at their length; custody refuses any root that is not 32 bytes, since no SHA-256 tree
   * has one. {@link #verifyConsistency_equalSizesEqual32ByteRoots_succeeds} covers the intent.
   */
  private static final Map<String, Reason> DEVIATIONS =
      Map.of("additional/sizes-are-equal-one-and-proof-is-empty.json", Reason.BAD_HASH_LENGTH);

  @TestFactory
  Stream<DynamicTest> verifyInclusion_everyVector_failsIffWantErr() {
    return Vectors.jsonFiles(INCLUSION).stream()
        .map(file -> dynamicTest(INCLUSION.relativize(file).toString(), () -> {
          JsonNode v = Vectors.read(file);
          long leafIdx = v.get("leafIdx").asLong();
          long treeSize = v.get("treeSize").asLong();
          Bytes leaf = Vectors.b64(v.get("leafHash"));
          Bytes root = Vectors.b64(v.get("root"));
          List<Bytes> proof = Vectors.b64List(v.get("proof"));
          if (v.get("wantErr").asBoolean()) {
            assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leafIdx, treeSize, leaf, proof, root))
                .isInstanceOf(ProofException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
          } else {
            assertThatCode(() -> ProofVerifier.verifyInclusion(leafIdx, treeSize, leaf, proof, root))
                .doesNotThrowAnyException();
            assertThat(ProofVerifier.rootFromInclusionProof(leafIdx, treeSize, leaf, proof)).isEqualTo(root);
          }
        }));
  }

  @TestFactory
  Stream<DynamicTest> verifyConsistency_everyVector_failsIffWantErr() {
    return Vectors.jsonFiles(CONSISTENCY).stream()
        .map(file -> dynamicTest(CONSISTENCY.relativize(file).toString(), () -> {
          JsonNode v = Vectors.read(file);
          long size1 = v.get("size1").asLong();
          long size2 = v.get("size2").asLong();
          Bytes root1 = Vectors.b64(v.get("root1"));
          Bytes root2 = Vectors.b64(v.get("root2"));
          List<Bytes> proof = Vectors.b64List(v.get("proof"));
          Reason deviation = DEVIATIONS.get(CONSISTENCY.relativize(file).toString());
          if (deviation != null) {
            assertThat(v.get("wantErr").asBoolean()).as("deviation is from an accepted vector").isFalse();
            assertThatThrownBy(() -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.reason()).isEqualTo(deviation));
          } else if (v.get("wantErr").asBoolean()) {
            assertThatThrownBy(() -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2))
                .isInstanceOf(ProofException.class);
          } else {
            assertThatCode(() -> ProofVerifier.verifyConsistency(size1, size2, proof, root1, root2))
                .doesNotThrowAnyException();
          }
        }));
  }

  @Test
  void vectorSet_counts_matchSourceMd() {
    assertThat(Vectors.jsonFiles(INCLUSION)).hasSize(98);
    assertThat(Vectors.jsonFiles(CONSISTENCY)).hasSize(98);
    assertThat(countValid(INCLUSION)).isEqualTo(6);
    assertThat(countValid(CONSISTENCY)).isEqualTo(6);
    for (String deviation : DEVIATIONS.keySet()) {
      assertThat(CONSISTENCY.resolve(deviation)).exists();
    }
  }

  @Test
  void verifyConsistency_emptyTreeVectors_refusedAsEmptyFirstTree() {
    for (String name : List.of(
        "additional/sizes-are-equal-zero-and-proof-is-empty.json",
        "additional/consistency-check-on-empty-tree-size1-is-zero-is-useless.json",
        "additional/size1-is-zero-and-size2-is-not-zero.json")) {
      JsonNode v = Vectors.read(CONSISTENCY.resolve(name));
      assertThatThrownBy(() -> ProofVerifier.verifyConsistency(
              v.get("size1").asLong(), v.get("size2").asLong(), Vectors.b64List(v.get("proof")),
              Vectors.b64(v.get("root1")), Vectors.b64(v.get("root2"))))
          .as(name)
          .isInstanceOfSatisfying(ProofException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY_FIRST_TREE));
    }
  }

  @Test
  void verifyConsistency_equalSizesEqual32ByteRoots_succeeds() throws ProofException {
    Bytes root = MerkleHash.leafHash(new byte[] {42});
    ProofVerifier.verifyConsistency(1, 1, List.of(), root, root);
    ProofVerifier.verifyConsistency(7, 7, List.of(), root, root);
  }

  private static long countValid(Path dir) {
    return Vectors.jsonFiles(dir).stream()
        .filter(f -> !Vectors.read(f).get("wantErr").asBoolean())
        .count();
  }
}
