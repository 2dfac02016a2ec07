package dev.custody.postgresql;

import static dev.custody.attest.TestFixtures.ED25519;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.internal.store.AppendWorker;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRef;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.merkle.InMemoryNodeHashes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.note.VerifierKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several OS processes, each with several threads, append to one PostgreSQL ledger, to shared chains
 * and to their own: afterwards the log has no gap, fork or duplicate, every acknowledged entry is
 * where it was acknowledged, the copy parses with every chain linked, and every checkpoint any writer
 * signed is the root of the log's prefix of its size.
 */
class PostgresMultiWriterTest {
  static final int WORKERS = 3;
  static final int THREADS = 4;
  static final int PER_WORKER = 80;
  @TempDir Path tmp;

  /** Starts an {@link AppendWorker} process on {@code url}. */
  static Process launch(String url, Path key, String name, int count, Path err) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", "-D" + AppendWorker.THREADS_PROPERTY + "=" + THREADS, AppendWorker.class.getName(),
        url, key.toString(), name, Integer.toString(count), "shared/a", "shared/b", "own/" + name);
    pb.redirectError(err.toFile());
    return pb.start();
  }

  /** Reads a worker's output until it ends (or it is killed): the acknowledged entries, and whether it said "done". */
  static List<String> lines(Process p) throws Exception {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        out.add(l);
      }
    } catch (IOException e) {
      // Process.destroy() (the tests stop a worker that outlives the fault) closes the pipe under this reader:
      // "Stream closed". The lines not yet read are lost to the test, which then checks fewer acknowledgements
      // and failures; each check stays sound for those it sees.
      if (!"Stream closed".equals(e.getMessage())) {
        throw e;
      }
    }
    return out;
  }

  static List<EntryRef> acks(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("ack ")).map(AppendWorker::parse).toList();
  }

  /** An append its worker was told failed ({@code fail NAME N MESSAGE}): payload nonce {@code NAME#N}. */
  record Failed(String name, int n, String message) {
    /** Whether the store said it could not learn whether the append happened (then either outcome is allowed). */
    boolean outcomeUnknown() {
      return message.contains("could not be asked whether it happened");
    }
  }

  static List<Failed> failures(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("fail ")).map(l -> {
      String[] f = l.split(" ", 4);
      return new Failed(f[1], Integer.parseInt(f[2]), f.length > 3 ? f[3] : "");
    }).toList();
  }

  /**
   * Fail or succeed, never both: no append the store said failed is in the ledger (the copy
   * {@link #checkLedger} made in {@code copyDir}), unless the store said it could not know.
   */
  static void assertFailedAbsent(Path copyDir, List<Failed> failed) throws Exception {
    List<String> payloads = new ArrayList<>();
    try (LogStore copy = FileLogStore.openReadOnly(copyDir)) {
      for (long i = 0; i < copy.size(); i++) {
        payloads.add(new String(copy.read(i).envelope().payload().toByteArray(), StandardCharsets.UTF_8));
      }
    }
    for (Failed f : failed) {
      String nonce = "\"" + f.name() + "#" + f.n() + "\"";
      List<String> found = payloads.stream().filter(p -> p.contains(nonce)).toList();
      if (!f.outcomeUnknown()) {
        assertThat(found).as("append %s#%d was reported failed (%s) but is in the ledger", f.name(), f.n(), f.message())
            .isEmpty();
      }
    }
  }

  static void go(Process p) throws Exception {
    p.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
    p.getOutputStream().flush();
  }

  /** Creates a ledger with checkpoints after every batch; returns the URL writers use (with the log key). */
  static String createLedger(PostgresUrl url, Path tmp) throws Exception {
    Path logKey = tmp.resolve("log.key");
    PostgresLogStore.create(url, new LogConfig("example.org/multi", Optional.of(0L)), logKey, new SecureRandom(),
        PostgresLogStore.Options.defaults());
    return url.text() + "?logKey=" + logKey;
  }

  /**
   * The ledger's invariants, checked on a read-only copy and the rows: log indexes 0..n-1, every
   * acknowledged entry at its index with its hash, chains linked (the file store's parser checks
   * sequence and prev of every record), every stored checkpoint the root of its prefix.
   *
   * @return the number of entries
   */
  static long checkLedger(PgServer server, PostgresUrl url, Path copyDir, List<EntryRef> acked) throws Exception {
    PostgresCopy.toDirectory(url, copyDir, PostgresLogStore.Options.defaults());
    long n;
    try (LogStore copy = FileLogStore.openReadOnly(copyDir)) { // parses every record, checks every link
      n = copy.size();
      Map<Long, Digest> byIndex = new HashMap<>();
      InMemoryNodeHashes leaves = new InMemoryNodeHashes();
      for (long i = 0; i < n; i++) {
        byte[] rec = copy.read(i).bytes().toByteArray();
        byIndex.put(i, Digest.sha256(rec));
        leaves.append(MerkleHash.leafHash(rec));
      }
      for (EntryRef r : acked) {
        assertThat(byIndex.get(r.logIndex())).as("acknowledged %s", r).isEqualTo(r.hash());
      }
      assertThat(acked.stream().map(EntryRef::logIndex).distinct().count()).isEqualTo(acked.size());
      MerkleTree ref = new MerkleTree(leaves);
      VerifierKey vkey = VerifierKey.parse(Files.readString(copyDir.resolve("log/vkey")).strip());
      int checkpoints = 0;
      try (Connection c = server.connect(PgServer.databaseOf(url)); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select tree_size, note from custody_checkpoints order by tree_size")) {
        while (rs.next()) {
          Checkpoint cp = CheckpointVerifier.forLog("example.org/multi", vkey).verify(rs.getBytes(2)).checkpoint();
          assertThat(cp.size()).isEqualTo(rs.getLong(1)).isLessThanOrEqualTo(n);
          assertThat(cp.rootHash()).as("checkpoint %d", cp.size()).isEqualTo(ref.root(cp.size()));
          checkpoints++;
        }
      }
      assertThat(checkpoints).isGreaterThan(1);
    }
    return n;
  }

  @Test
  @Timeout(120)
  void append_threeProcessesFourThreadsEach_noGapForkOrDuplicateAndCheckpointsConsistent() throws Exception {
    PostgresUrl db = PgServer.shared().newDatabase();
    String url = createLedger(db, tmp);
    Path key = ED25519.writeTo(tmp.resolve("keys"), "worker");
    List<Process> procs = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      procs.add(launch(url, key, "w" + i, PER_WORKER, tmp.resolve("w" + i + ".err")));
    }
    List<java.util.concurrent.CompletableFuture<List<String>>> outs = new ArrayList<>();
    for (Process p : procs) {
      go(p); // a worker reads "go" once it opened the ledger; the pipe holds it until then
      outs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return lines(p);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, java.util.concurrent.Executors.newSingleThreadExecutor()));
    }
    List<EntryRef> acked = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      Process p = procs.get(i);
      assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
      List<String> lines = outs.get(i).get(10, TimeUnit.SECONDS);
      assertThat(p.exitValue()).as("worker w%d: %s", i, Files.readString(tmp.resolve("w" + i + ".err"))).isZero();
      assertThat(lines).contains("done");
      assertThat(acks(lines)).hasSize(PER_WORKER);
      acked.addAll(acks(lines));
    }

    long n = checkLedger(PgServer.shared(), db, tmp.resolve("copy"), acked);

    assertThat(n).isEqualTo((long) WORKERS * PER_WORKER);
  }
}
