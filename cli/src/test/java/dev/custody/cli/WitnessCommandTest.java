package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.attest.internal.witness.ConsistencyProofFile;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.note.VerifierKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody witness init|cosign} through the real CLI on real files. */
class WitnessCommandTest {
  static final String ORIGIN = "example.com/log";

  @TempDir Path dir;

  static MerkleTree tree(String prefix, int size) {
    InMemoryNodeHashes nodes = new InMemoryNodeHashes();
    for (int i = 0; i < size; i++) {
      nodes.append(MerkleHash.leafHash((prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return new MerkleTree(nodes);
  }

  Path write(String name, byte[] data) throws Exception {
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void witness_cosignGrowThenFork_exitCodes0Then0Then1WithEvidence() throws Exception {
    Ed25519NoteSigner logKey = Ed25519NoteSigner.fromSeed(ORIGIN, Bytes.copyOf(new byte[32]));
    CheckpointSigner log = new CheckpointSigner(ORIGIN, logKey);
    Path state = dir.resolve("state");

    Cli.Result init = Cli.ok("witness", "init", "--state", state, "--name", "witness.example");
    VerifierKey witnessKey = VerifierKey.parse(init.out().strip());
    Path key = state.resolve("witness.key");

    MerkleTree a = tree("a", 12);
    Path cp8 = write("cp8", log.sign(a, 8).encoded());
    Cli.Result first = Cli.ok("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key,
        "--state", state, cp8);
    assertThat(first.err()).contains("trust on first use");
    CheckpointVerifier withWitness = CheckpointVerifier.forLog(ORIGIN, logKey.verifierKey())
        .withWitnesses(List.of(witnessKey), 1);
    assertThat(withWitness.verify(first.out().getBytes(StandardCharsets.UTF_8)).checkpoint().size()).isEqualTo(8);

    Path cp12 = write("cp12", log.sign(a, 12).encoded());
    Path proof = write("proof.json", ConsistencyProofFile.of(a.consistencyProof(8, 12), a.root(8), a.root(12)).toBytes());
    Cli.Result grown = Cli.ok("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key,
        "--state", state, cp12, proof);
    assertThat(withWitness.verify(grown.out().getBytes(StandardCharsets.UTF_8)).checkpoint().size()).isEqualTo(12);

    // Another tree of the same size, signed by the same log key: refused (1), evidence written.
    MerkleTree b = tree("b", 12);
    Path fork = write("fork", log.sign(b, 12).encoded());
    Cli.Result forked = Cli.run("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key,
        "--state", state, fork);
    assertThat(forked.code()).as(forked.toString()).isEqualTo(Main.FAILED);
    assertThat(forked.out()).isEmpty();
    assertThat(forked.err()).contains("fork").contains("evidence written to");
    String evidence = forked.err().replaceAll("(?s).*evidence written to (\\S+\\.json).*", "$1");
    assertThat(Path.of(evidence)).exists();
    assertThat(Files.readString(Path.of(evidence))).contains("same-size-different-root");
  }

  @Test
  void witnessCosign_badInputs_exit2() throws Exception {
    Ed25519NoteSigner logKey = Ed25519NoteSigner.fromSeed(ORIGIN, Bytes.copyOf(new byte[32]));
    CheckpointSigner log = new CheckpointSigner(ORIGIN, logKey);
    Path state = dir.resolve("state");
    Cli.ok("witness", "init", "--state", state, "--name", "w");
    Path key = state.resolve("witness.key");
    MerkleTree a = tree("a", 12);
    Path cp8 = write("cp8", log.sign(a, 8).encoded());
    Path cp12 = write("cp12", log.sign(a, 12).encoded());
    Cli.ok("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key, "--state", state, cp8);

    Cli.Result noProof = Cli.run("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key,
        "--state", state, cp12);
    assertThat(noProof.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(noProof.err()).contains("custody prove consistency --from 8 --to 12 --json");

    Path garbage = write("garbage.json", "{\"size1\":8}".getBytes(StandardCharsets.UTF_8));
    Cli.Result badProof = Cli.run("witness", "cosign", "--log-key", logKey.verifierKey(), "--witness-key", key,
        "--state", state, cp12, garbage);
    assertThat(badProof.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(badProof.err()).contains("garbage.json");

    Cli.Result badKey = Cli.run("witness", "cosign", "--log-key", "nonsense", "--witness-key", key,
        "--state", state, cp12);
    assertThat(badKey.code()).isEqualTo(Main.BAD_INPUT);

    Cli.Result again = Cli.run("witness", "init", "--state", state, "--name", "w");
    assertThat(again.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(again.err()).contains("refusing to overwrite");
  }
}
