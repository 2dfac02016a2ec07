package dev.custody.attest.internal.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.VerifiedCheckpoint;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifierKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WitnessTest {
  static final String ORIGIN = "example.com/log";
  static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

  @TempDir Path state;

  Ed25519NoteSigner logKey;
  CheckpointSigner log;
  Ed25519NoteSigner witnessKey;
  Witness witness;

  @BeforeEach
  void setUp() throws Exception {
    logKey = Ed25519NoteSigner.fromSeed(ORIGIN, seed(1));
    log = new CheckpointSigner(ORIGIN, logKey);
    witnessKey = Ed25519NoteSigner.fromSeed("witness.example", seed(2));
    witness = Witness.open(state, witnessKey, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static Bytes seed(int b) {
    byte[] s = new byte[32];
    s[0] = (byte) b;
    return Bytes.copyOf(s);
  }

  /** A log whose leaves are "prefix-0", "prefix-1", ...: two prefixes give two histories. */
  static MerkleTree tree(String prefix, int size) {
    InMemoryNodeHashes nodes = new InMemoryNodeHashes();
    for (int i = 0; i < size; i++) {
      nodes.append(MerkleHash.leafHash((prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return new MerkleTree(nodes);
  }

  byte[] checkpoint(MerkleTree t, long size) throws Exception {
    return log.sign(t, size).encoded();
  }

  static Optional<ConsistencyProofFile> proof(MerkleTree t, long size1, long size2) {
    return Optional.of(ConsistencyProofFile.of(t.consistencyProof(size1, size2), t.root(size1), t.root(size2)));
  }

  Witness.Cosigned cosign(byte[] note, Optional<ConsistencyProofFile> proof) throws Exception {
    return witness.cosign(ORIGIN, logKey.verifierKey(), note, proof);
  }

  VerifiedCheckpoint verifyWithWitness(SignedNote note) throws Exception {
    return CheckpointVerifier.forLog(ORIGIN, logKey.verifierKey())
        .withWitnesses(List.of(witness.verifierKey()), 1).verify(note.encoded());
  }

  @Test
  void cosign_firstCheckpoint_trustedOnFirstUseAndCosignedWithTimestamp() throws Exception {
    MerkleTree t = tree("a", 10);
    Witness.Cosigned c = cosign(checkpoint(t, 10), Optional.empty());
    assertThat(c.firstForLog()).isTrue();
    VerifiedCheckpoint v = verifyWithWitness(c.note());
    assertThat(v.cosignatures()).singleElement().satisfies(cs -> assertThat(cs.time()).isEqualTo(NOW));
    assertThat(v.checkpoint().size()).isEqualTo(10);
    // The note keeps the log signature first, byte for byte, then the cosignature.
    assertThat(new String(c.note().encoded(), StandardCharsets.UTF_8))
        .startsWith(new String(checkpoint(t, 10), StandardCharsets.UTF_8));
    assertThat(witness.latest(ORIGIN, logKey.verifierKey())).contains(c.note());
  }

  @Test
  void cosign_grownWithValidProof_cosignsAndAdvancesState() throws Exception {
    MerkleTree t = tree("a", 30);
    cosign(checkpoint(t, 10), Optional.empty());
    Witness.Cosigned c = cosign(checkpoint(t, 17), proof(t, 10, 17));
    assertThat(c.firstForLog()).isFalse();
    assertThat(verifyWithWitness(c.note()).checkpoint().size()).isEqualTo(17);
    c = cosign(checkpoint(t, 30), proof(t, 17, 30));
    assertThat(verifyWithWitness(c.note()).checkpoint().size()).isEqualTo(30);
    assertThat(evidenceFiles()).isEmpty();
  }

  @Test
  void cosign_sameCheckpointTwice_cosignsAgain() throws Exception {
    MerkleTree t = tree("a", 5);
    cosign(checkpoint(t, 5), Optional.empty());
    Witness.Cosigned c = cosign(checkpoint(t, 5), Optional.empty());
    assertThat(verifyWithWitness(c.note()).checkpoint().size()).isEqualTo(5);
  }

  @Test
  void cosign_fromEmptyTree_needsNoProof() throws Exception {
    MerkleTree t = tree("a", 8);
    cosign(checkpoint(t, 0), Optional.empty());
    assertThat(cosign(checkpoint(t, 8), Optional.empty()).checkpoint().size()).isEqualTo(8);
  }

  @Test
  void cosign_sameSizeDifferentRoot_refusedWithConclusiveEvidence() throws Exception {
    byte[] first = cosign(checkpoint(tree("a", 10), 10), Optional.empty()).note().encoded();
    byte[] fork = checkpoint(tree("b", 10), 10);
    Map<String, String> before = snapshot(state.resolve("logs"));

    InconsistentCheckpointException e = catchInconsistent(fork, Optional.empty());

    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.SAME_SIZE_DIFFERENT_ROOT);
    assertThat(e.getMessage()).contains("fork").contains(e.evidenceFile().toString());
    assertThat(snapshot(state.resolve("logs"))).isEqualTo(before);
    JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(e.evidenceFile()));
    assertThat(json.get("format").asText()).isEqualTo(ForkEvidence.FORMAT);
    assertThat(json.get("kind").asText()).isEqualTo("same-size-different-root");
    assertThat(json.get("conclusive").asBoolean()).isTrue();
    assertThat(json.get("explanation").asText()).contains("same size");
    assertThat(json.get("logKey").asText()).isEqualTo(logKey.verifierKey().encode());
    // The notes are verbatim: both verify with the log key alone, straight from the file.
    byte[] cosignedNote = json.get("cosigned").get("note").asText().getBytes(StandardCharsets.UTF_8);
    byte[] presentedNote = json.get("presented").get("note").asText().getBytes(StandardCharsets.UTF_8);
    assertThat(cosignedNote).isEqualTo(first);
    assertThat(presentedNote).isEqualTo(fork);
    CheckpointVerifier byLog = CheckpointVerifier.forLog(ORIGIN, logKey.verifierKey());
    assertThat(byLog.verify(cosignedNote).checkpoint().rootHash())
        .isNotEqualTo(byLog.verify(presentedNote).checkpoint().rootHash());
  }

  @Test
  void cosign_smallerSize_refusedAsRollback() throws Exception {
    MerkleTree t = tree("a", 10);
    cosign(checkpoint(t, 10), Optional.empty());
    InconsistentCheckpointException e = catchInconsistent(checkpoint(t, 9), Optional.empty());
    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.SMALLER_SIZE);
    assertThat(e.evidence().kind().conclusive()).isFalse();
    assertThat(witness.latest(ORIGIN, logKey.verifierKey()).orElseThrow().unverifiedText()).contains("\n10\n");
  }

  @Test
  void cosign_rewrittenHistoryWithHonestProofOfNewTree_refusedAsPrefixDiffers() throws Exception {
    cosign(checkpoint(tree("a", 10), 10), Optional.empty());
    MerkleTree rewritten = tree("b", 20);
    // A valid proof within the rewritten tree, but its root1 is not what the witness cosigned.
    Optional<ConsistencyProofFile> p = proof(rewritten, 10, 20);
    InconsistentCheckpointException e = catchInconsistent(checkpoint(rewritten, 20), p);
    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.PREFIX_DIFFERS);
    assertThat(e.evidence().kind().conclusive()).isTrue();
    assertThat(e.evidence().proof()).isEqualTo(p);
  }

  @Test
  void cosign_rewrittenHistoryWithProofClaimingCosignedRoot_refusedAsProofFailed() throws Exception {
    MerkleTree honest = tree("a", 10);
    cosign(checkpoint(honest, 10), Optional.empty());
    MerkleTree rewritten = tree("b", 20);
    ConsistencyProofFile lie = new ConsistencyProofFile(10, 20, honest.root(10), rewritten.root(20),
        rewritten.consistencyProof(10, 20).hashes());
    InconsistentCheckpointException e = catchInconsistent(checkpoint(rewritten, 20), Optional.of(lie));
    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.PROOF_FAILED);
    assertThat(e.evidence().proofError()).isPresent();
    assertThat(new String(Files.readAllBytes(e.evidenceFile()), StandardCharsets.UTF_8)).contains("\"proof\"");
  }

  @Test
  void cosign_tamperedProofHash_refusedAsProofFailed() throws Exception {
    MerkleTree t = tree("a", 20);
    cosign(checkpoint(t, 10), Optional.empty());
    ConsistencyProofFile good = proof(t, 10, 20).orElseThrow();
    List<Bytes> hashes = new ArrayList<>(good.proof());
    byte[] h = hashes.get(0).toByteArray();
    h[0] ^= 1;
    hashes.set(0, Bytes.copyOf(h));
    ConsistencyProofFile bad = new ConsistencyProofFile(10, 20, good.root1(), good.root2(), hashes);
    assertThat(catchInconsistent(checkpoint(t, 20), Optional.of(bad)).evidence().kind())
        .isEqualTo(ForkEvidence.Kind.PROOF_FAILED);
    // The witness still accepts the honest proof afterwards: a refusal changes no state.
    assertThat(cosign(checkpoint(t, 20), Optional.of(good)).checkpoint().size()).isEqualTo(20);
  }

  @Test
  void cosign_missingProof_badInputNoEvidence() throws Exception {
    MerkleTree t = tree("a", 20);
    cosign(checkpoint(t, 10), Optional.empty());
    assertThatThrownBy(() -> cosign(checkpoint(t, 20), Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class)
        .hasMessageContaining("consistency proof from size 10")
        .hasMessageContaining("custody prove consistency --from 10 --to 20 --json");
    assertThat(evidenceFiles()).isEmpty();
  }

  @Test
  void cosign_proofForOtherSizes_badInputNoEvidence() throws Exception {
    MerkleTree t = tree("a", 20);
    cosign(checkpoint(t, 10), Optional.empty());
    assertThatThrownBy(() -> cosign(checkpoint(t, 20), proof(t, 9, 20)))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("from size 9 to 20");
    assertThatThrownBy(() -> cosign(checkpoint(t, 20), proof(t, 10, 19)))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("from size 10 to 19");
    assertThat(evidenceFiles()).isEmpty();
  }

  @Test
  void cosign_notSignedByLogKey_badInput() throws Exception {
    CheckpointSigner impostor = new CheckpointSigner(ORIGIN, Ed25519NoteSigner.fromSeed(ORIGIN, seed(9)));
    byte[] note = impostor.sign(tree("a", 3), 3).encoded();
    assertThatThrownBy(() -> cosign(note, Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("not acceptable");
    assertThat(witness.latest(ORIGIN, logKey.verifierKey())).isEmpty();
  }

  @Test
  void cosign_otherOrigin_badInput() throws Exception {
    byte[] note = checkpoint(tree("a", 3), 3);
    assertThatThrownBy(() -> witness.cosign("other.example/log", logKey.verifierKey(), note, Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("expected 'other.example/log'");
  }

  @Test
  void cosign_tamperedNote_badInput() throws Exception {
    byte[] note = checkpoint(tree("a", 3), 3);
    String s = new String(note, StandardCharsets.UTF_8).replaceFirst("\n3\n", "\n4\n");
    assertThatThrownBy(() -> cosign(s.getBytes(StandardCharsets.UTF_8), Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class);
  }

  @Test
  void cosign_sizeZeroWithNonEmptyRoot_badInput() throws Exception {
    byte[] note = log.sign(0, tree("a", 3).root(3)).encoded();
    assertThatThrownBy(() -> cosign(note, Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("empty-tree root");
  }

  @Test
  void cosign_damagedState_badInputAndStateKept() throws Exception {
    cosign(checkpoint(tree("a", 3), 3), Optional.empty());
    Path file;
    try (Stream<Path> s = Files.list(state.resolve("logs"))) {
      file = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    String damaged = Files.readString(file).replace("\\n3\\n", "\\n2\\n");
    Files.writeString(file, damaged);
    assertThatThrownBy(() -> cosign(checkpoint(tree("a", 4), 4), Optional.empty()))
        .isExactlyInstanceOf(WitnessException.class).hasMessageContaining("witness state is damaged");
    assertThat(Files.readString(file)).isEqualTo(damaged);
  }

  @Test
  void cosign_twoLogs_keptApart() throws Exception {
    Ed25519NoteSigner otherKey = Ed25519NoteSigner.fromSeed("other.example/log", seed(3));
    CheckpointSigner other = new CheckpointSigner("other.example/log", otherKey);
    cosign(checkpoint(tree("a", 10), 10), Optional.empty());
    // Size 5 would be a rollback for the first log; for the second it is a first checkpoint.
    Witness.Cosigned c = witness.cosign("other.example/log", otherKey.verifierKey(),
        other.sign(tree("b", 5), 5).encoded(), Optional.empty());
    assertThat(c.firstForLog()).isTrue();
  }

  @Test
  void init_writesPrivateKey0600AndPrintsCosignatureKey() throws Exception {
    Path dir = state.resolve("w");
    VerifierKey vkey = Witness.init(dir, "witness.example", new SecureRandom());
    assertThat(vkey.type()).isEqualTo(dev.custody.core.note.SignatureType.COSIGNATURE_V1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Witness.KEY_FILE))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve(Witness.VKEY_FILE))).isEqualTo(vkey.encode() + "\n");
    Ed25519NoteSigner key = Witness.readKey(dir.resolve(Witness.KEY_FILE));
    assertThat(key.cosigner(Clock.systemUTC()).verifierKey()).isEqualTo(vkey);
    assertThatThrownBy(() -> Witness.init(dir, "witness.example", new SecureRandom()))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void proofFile_roundTripsAndRejectsUnknownMembersAndShortHashes() throws Exception {
    MerkleTree t = tree("a", 9);
    ConsistencyProofFile p = proof(t, 3, 9).orElseThrow();
    assertThat(ConsistencyProofFile.parse(p.toBytes())).isEqualTo(p);
    String json = new String(p.toBytes(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ConsistencyProofFile.parse(json.replace("{", "{\"x\":1,").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("x");
    assertThatThrownBy(() -> ConsistencyProofFile.parse(
        json.replace("\"size1\":3", "\"size1\":03").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(dev.custody.core.FormatException.class);
    assertThatThrownBy(() -> ConsistencyProofFile.parse(
        "{\"size1\":1,\"size2\":2,\"root1\":\"AA==\",\"root2\":\"AA==\",\"proof\":[]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("expected 32");
  }

  private InconsistentCheckpointException catchInconsistent(byte[] note, Optional<ConsistencyProofFile> proof) {
    try {
      cosign(note, proof);
    } catch (InconsistentCheckpointException e) {
      assertThat(e.evidenceFile()).exists();
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected InconsistentCheckpointException, got " + e, e);
    }
    throw new AssertionError("expected the witness to refuse");
  }

  private List<Path> evidenceFiles() throws Exception {
    try (Stream<Path> s = Files.list(state.resolve("evidence"))) {
      return s.toList();
    }
  }

  private static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        m.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    return m;
  }
}
