package dev.custody.postgresql;

import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.postgresql.PostgresMultiWriterTest.acks;
import static dev.custody.postgresql.PostgresMultiWriterTest.assertFailedAbsent;
import static dev.custody.postgresql.PostgresMultiWriterTest.failures;
import static dev.custody.postgresql.PostgresMultiWriterTest.checkLedger;
import static dev.custody.postgresql.PostgresMultiWriterTest.go;
import static dev.custody.postgresql.PostgresMultiWriterTest.launch;
import static dev.custody.postgresql.PostgresMultiWriterTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.entry.EntryRef;
import dev.custody.core.checkpoint.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover: a primary with a synchronous streaming standby ({@code synchronous_commit = on}); the
 * primary is SIGKILLed mid-load and the standby promoted; writers reach the new primary through a
 * multi-host URL with {@code targetServerType=primary}. Every acknowledged entry is on the new
 * primary and the ledger's invariants hold there.
 */
class PostgresFailoverTest {
  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void append_primaryKilledStandbyPromoted_everyAcknowledgedEntryOnTheNewPrimary() throws Exception {
    var bin = PgServer.binaries();
    Assumptions.assumeTrue(bin.isPresent(), "failover needs the PostgreSQL binaries (apt-get install postgresql)");
    int p1 = PgServer.freePort();
    PgServer primary = PgServer.start(bin.get(), tmp.resolve("primary"), p1, PgServer.PRIMARY_SETTINGS);
    PgServer standby = null;
    try {
      PostgresUrl onPrimary = primary.newDatabase();
      String db = PgServer.databaseOf(onPrimary);
      int p2 = PgServer.freePort();
      standby = primary.standby(tmp.resolve("standby"), p2);
      Path logKey = tmp.resolve("log.key");
      String both = "postgresql://" + PgServer.USER + "@127.0.0.1:" + p1 + ",127.0.0.1:" + p2 + "/" + db;
      PostgresUrl multi = PostgresUrl.parse(both + "?targetServerType=primary", java.util.Map.of());
      PostgresLogStore.create(multi, new LogConfig("example.org/multi", Optional.of(0L)), logKey, new SecureRandom(),
          PostgresLogStore.Options.defaults());
      String url = both + "?targetServerType=primary&connectTimeout=2&logKey=" + logKey;
      Path key = ED25519.writeTo(tmp.resolve("keys"), "worker");

      List<Process> procs = new ArrayList<>();
      List<CompletableFuture<List<String>>> outs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Process p = launch(url, key, "f" + i, 100_000, tmp.resolve("f" + i + ".err"));
        procs.add(p);
        go(p);
        outs.add(CompletableFuture.supplyAsync(() -> {
          try {
            return lines(p);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, r -> new Thread(r).start()));
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(standby, db) < 300 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      primary.kill();
      standby.promote();

      List<EntryRef> acked = new ArrayList<>();
      List<PostgresMultiWriterTest.Failed> failed = new ArrayList<>();
      for (int i = 0; i < procs.size(); i++) {
        Process p = procs.get(i);
        if (!p.waitFor(i == 0 ? 20 : 1, TimeUnit.SECONDS)) { // long enough to learn the fate of its last commit
          p.destroy();
          p.waitFor(20, TimeUnit.SECONDS);
        }
        List<String> lines = outs.get(i).get(30, TimeUnit.SECONDS);
        acked.addAll(acks(lines));
        failed.addAll(failures(lines));
      }
      assertThat(acked).hasSizeGreaterThan(0);

      // A new writer, same URL, lands on the promoted standby.
      Process resumed = launch(url, key, "after", 40, tmp.resolve("after.err"));
      go(resumed);
      List<String> after = lines(resumed);
      assertThat(resumed.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(resumed.exitValue()).as(Files.readString(tmp.resolve("after.err"))).isZero();
      acked.addAll(acks(after));

      long n = checkLedger(standby, standby.url(db), tmp.resolve("copy"), acked);
      assertThat(n).isGreaterThanOrEqualTo(acked.size());
      // Never both: every append the store said failed is absent (unless it said it could not know).
      assertFailedAbsent(tmp.resolve("copy"), failed);
      System.out.printf("%s: %d acknowledged, %d failed (%d of them outcome unknown), %d entries%n", "failover",
          acked.size(), failed.size(), failed.stream().filter(PostgresMultiWriterTest.Failed::outcomeUnknown).count(), n);
    } finally {
      if (standby != null) {
        standby.stopServer("immediate");
      }
      try {
        primary.stopServer("immediate");
      } catch (java.io.IOException alreadyKilled) {
        // killed by the test
      }
    }
  }

  private static long count(PgServer server, String db) {
    try (var c = server.connect(db); var s = c.createStatement();
        var rs = s.executeQuery("select count(*) from custody_entries")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return 0;
    }
  }
}
