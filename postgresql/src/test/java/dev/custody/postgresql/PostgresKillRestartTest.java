package dev.custody.postgresql;

import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.postgresql.PostgresMultiWriterTest.acks;
import static dev.custody.postgresql.PostgresMultiWriterTest.assertFailedAbsent;
import static dev.custody.postgresql.PostgresMultiWriterTest.failures;
import static dev.custody.postgresql.PostgresMultiWriterTest.checkLedger;
import static dev.custody.postgresql.PostgresMultiWriterTest.createLedger;
import static dev.custody.postgresql.PostgresMultiWriterTest.go;
import static dev.custody.postgresql.PostgresMultiWriterTest.launch;
import static dev.custody.postgresql.PostgresMultiWriterTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.entry.EntryRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server is SIGKILLed in the middle of a load and restarted: appends in flight either are
 * acknowledged and present, or fail with an error (the writer stops, as the file store's does after a
 * failed write) — never acknowledged and missing; a new writer resumes; the ledger holds every
 * acknowledged entry, with no gap, fork or duplicate, and its checkpoints agree with it.
 */
class PostgresKillRestartTest {
  @TempDir Path tmp;

  /** A server of this test's own (it is killed), with fsync on. */
  static PgServer ownServer(Path dir) throws Exception {
    var bin = PgServer.binaries();
    Assumptions.assumeTrue(bin.isPresent(), "killing and promoting servers needs the PostgreSQL binaries"
        + " (apt-get install postgresql); a server given by " + PgServer.URL_VARIABLE + " cannot be killed");
    return PgServer.start(bin.get(), dir, PgServer.freePort(), List.of());
  }

  @Test
  @Timeout(150)
  void append_serverKilledMidLoadAndRestarted_nothingAcknowledgedLostAndWritersResume() throws Exception {
    PgServer server = ownServer(tmp.resolve("pg"));
    try {
      PostgresUrl db = server.newDatabase();
      String url = createLedger(db, tmp);
      Path key = ED25519.writeTo(tmp.resolve("keys"), "worker");
      List<Process> procs = new ArrayList<>();
      List<CompletableFuture<List<String>>> outs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Process p = launch(url, key, "k" + i, 100_000, tmp.resolve("k" + i + ".err"));
        procs.add(p);
        go(p);
        outs.add(CompletableFuture.supplyAsync(() -> {
          try {
            return lines(p);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, runnable -> new Thread(runnable).start()));
      }
      // Kill once the load runs: acknowledgements flowing from the database.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (countAcks(db, server) < 300 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      server.kill();
      Thread.sleep(500);
      server.startServer();

      List<EntryRef> acked = new ArrayList<>();
      List<PostgresMultiWriterTest.Failed> failed = new ArrayList<>();
      for (int i = 0; i < procs.size(); i++) {
        Process p = procs.get(i);
        // A writer whose batch failed stops; one whose answer was lost asks the restarted server, then goes on
        // until its failure or its 100,000 entries: stop it once it has had time to learn the outcome.
        if (!p.waitFor(i == 0 ? 20 : 1, TimeUnit.SECONDS)) { // long enough to learn the fate of its last commit
          p.destroy();
          p.waitFor(20, TimeUnit.SECONDS);
        }
        List<String> lines = outs.get(i).get(30, TimeUnit.SECONDS);
        acked.addAll(acks(lines));
        failed.addAll(failures(lines));
        String err = Files.readString(tmp.resolve("k" + i + ".err"));
        if (p.exitValue() != 0 && p.exitValue() != 143) {
          assertThat(err).as("a failed writer says why").containsAnyOf("failed", "I/O error", "connection");
        }
      }
      assertThat(acked).hasSizeGreaterThan(0);

      // A new writer resumes after the restart.
      Process resumed = launch(url, key, "after", 50, tmp.resolve("after.err"));
      go(resumed);
      List<String> after = lines(resumed);
      assertThat(resumed.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(resumed.exitValue()).as(Files.readString(tmp.resolve("after.err"))).isZero();
      acked.addAll(acks(after));

      long n = checkLedger(server, db, tmp.resolve("copy"), acked);
      assertThat(n).isGreaterThanOrEqualTo(acked.size());
      // Never both: every append the store said failed is absent (unless it said it could not know).
      assertFailedAbsent(tmp.resolve("copy"), failed);
      System.out.printf("%s: %d acknowledged, %d failed (%d of them outcome unknown), %d entries%n", "kill/restart",
          acked.size(), failed.size(), failed.stream().filter(PostgresMultiWriterTest.Failed::outcomeUnknown).count(), n);
    } finally {
      server.stopServer("immediate");
    }
  }

  private static long countAcks(PostgresUrl db, PgServer server) {
    try (var c = server.connect(PgServer.databaseOf(db)); var s = c.createStatement();
        var rs = s.executeQuery("select count(*) from custody_entries")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return 0;
    }
  }
}
