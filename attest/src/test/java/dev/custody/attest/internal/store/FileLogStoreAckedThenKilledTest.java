package dev.custody.attest.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.Ledger;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store acknowledges a batch once its segment is durable and writes the derived files (record
 * index rows, hash tiles) after (issue 9). This kills a writer (SIGKILL) in that window, held open
 * by {@link DerivedFilesKillChild}, after 300 acknowledged appends none of whose derived files were
 * written — more than a full tile of leaves — and checks that the next open rebuilds them from the
 * segments: every acknowledged entry where it was acknowledged, the tree's root that of the records,
 * the tiles and the index written again, and a checkpoint signed over all of it.
 */
class FileLogStoreAckedThenKilledTest {
  private static final int APPENDS = 300;

  @TempDir Path dir;

  private record Ack(String chain, long sequence, long logIndex, Digest hash) {}

  @Test
  @Timeout(120)
  void open_afterKillBetweenAcknowledgementAndDerivedFiles_rebuildsThemFromTheSegments() throws Exception {
    Path ledger = dir.resolve("ledger");
    Ledger.create(ledger, new LogConfig("example.org/acked-then-killed", Optional.of(3_600_000L)), new SecureRandom());
    List<Ack> acked = runAndKill(ledger);
    assertThat(acked).hasSize(APPENDS);
    assertThat(ledger.resolve("tile/0/000")).as("no tile was written before the kill").doesNotExist();
    assertThat(RecordIndex.rowsIn(RecordIndex.rowFile(ledger, segment(ledger)))).as("no index row either").isZero();

    try (FileLogStore s = FileLogStore.open(ledger)) {
      assertThat(s.size()).isEqualTo(APPENDS);
      assertThat(s.parsedRecords()).as("records the missing index did not cover").isEqualTo(APPENDS);
      for (Ack a : acked) {
        assertThat(s.read(a.logIndex()).hash()).isEqualTo(a.hash());
        assertThat(s.chainIndexes(a.chain())[(int) a.sequence()]).isEqualTo(a.logIndex());
      }
      assertThat(s.rootHash(APPENDS)).isEqualTo(recordsRoot(ledger, APPENDS));
      assertThat(s.signCheckpoint().encoded()).isNotEmpty();
      s.inclusionProof(APPENDS - 1, APPENDS); // verified against the root before it is returned
    }
    assertThat(ledger.resolve("tile/0/000")).as("the full tile, written again").exists();
    try (FileLogStore s = FileLogStore.open(ledger)) {
      assertThat(s.parsedRecords()).as("the index was written again").isZero();
      assertThat(s.rootHash(APPENDS)).isEqualTo(recordsRoot(ledger, APPENDS));
    }
  }

  private static Path segment(Path ledger) {
    return ledger.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(0));
  }

  /** Starts the child, collects its acknowledgements until it says {@code done}, and kills it. */
  private List<Ack> runAndKill(Path ledger) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", DerivedFilesKillChild.class.getName(), ledger.toString(), Integer.toString(APPENDS));
    pb.redirectError(dir.resolve("child.err").toFile());
    Process p = pb.start();
    List<Ack> acked = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null && !line.equals("done"); line = in.readLine()) {
        String[] f = line.split(" ", -1);
        assertThat(f[0]).as("child said %s; stderr: %s", line, Files.readString(dir.resolve("child.err"))).isEqualTo("ack");
        acked.add(new Ack(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Digest.parse(f[4])));
      }
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return acked;
  }

  private static dev.custody.core.Bytes recordsRoot(Path ledger, long size) throws Exception {
    InMemoryNodeHashes ref = new InMemoryNodeHashes();
    LogReader.readAll(ledger, raw -> {
      if (raw.terminated()) {
        ref.append(MerkleHash.leafHash(raw.bytes()));
      }
    });
    return new MerkleTree(ref).root(size);
  }
}
