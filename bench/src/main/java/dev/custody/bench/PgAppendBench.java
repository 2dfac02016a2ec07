package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.postgresql.PostgresLogStore;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Durable appends/s on the PostgreSQL store (issue 11: >= 5,000/s with 64 writers on 2 cores), with 1,
 * 16 and 64 blocking appenders ({@link AppendBench#measure}), p50/p99 latency, first against a server
 * alone and then with its synchronous streaming standby ({@code synchronous_standby_names} set on the
 * primary with ALTER SYSTEM between the two phases); beside the fsync latency of the same disk
 * measured in the same run and the anchors' published figures. {@code bench/run.sh pg} starts the
 * servers (and the standby) and passes {@code --pg-url} (the primary's maintenance database).
 */
final class PgAppendBench {
  static final double TARGET_APPENDS_PER_SEC = 5_000;

  record Config(Path workDir, String adminUrl, boolean withStandby, int[] threads, double seconds, int keys) {}

  private PgAppendBench() {}

  static void run(Config c, Table table, Summary out) throws Exception {
    Summary s = out.child("pg");
    List<SigningKey> keys = new ArrayList<>();
    for (int i = 0; i < c.keys(); i++) {
      keys.add(SigningKey.generate(KeyAlgorithm.ED25519));
    }
    PostgresUrl admin = PostgresUrl.parse(c.adminUrl(), System.getenv());
    table.note("pg warm-up: 16 threads for %.0f s (not reported)", Math.max(3, c.seconds()));
    measure(admin, 16, Math.max(3, c.seconds()), keys, "warmup");
    FsyncProbe.Result fs = FsyncProbe.measure(c.workDir(), Math.min(3, c.seconds()), 1_000_000);
    table.row("fsync (4 KiB write + force), median", "%,.0f us  -> %,.0f fsyncs/s", fs.medianMicros(), fs.fsyncsPerSec());
    s.child("fsync").put("medianMicros", fs.medianMicros()).put("p99Micros", fs.p99Micros())
        .put("fsyncsPerSec", fs.fsyncsPerSec());
    table.row("anchors (published)", "Tessera ~300/s MySQL, ~2,900/s POSIX (12 cores); Trillian MySQL 400-500/s");
    List<String> phases = new ArrayList<>(List.of("single"));
    if (c.withStandby()) {
      phases.add("standby");
    }
    for (String phase : phases) {
      setSynchronousStandby(admin, phase.equals("standby"));
      List<Object> runs = new ArrayList<>();
      for (int t : c.threads()) {
        table.note("pg %s: %d thread(s) for %.0f s", phase, t, c.seconds());
        AppendBench.Result r = measure(admin, t, c.seconds(), keys, phase + t);
        runs.add(new Summary().put("threads", t).put("appends", r.appends()).put("appendsPerSec", r.perSec())
            .put("latencyMedianMicros", r.medianMicros()).put("latencyP99Micros", r.p99Micros())
            .put("appendsPerCommit", r.commits().appendsPerSync()).put("ledgerSizeMatches", r.sizeMatches()));
        table.row(String.format("pg %-7s appends/s, %2d thread(s)", phase, t),
            "%,.0f  (p50 %,.0f us, p99 %,.0f us; %.1f appends per commit)%s", r.perSec(), r.medianMicros(),
            r.p99Micros(), r.commits().appendsPerSync(), r.sizeMatches() ? "" : "  (LEDGER SIZE MISMATCH)");
      }
      s.put(phase, runs);
    }
    setSynchronousStandby(admin, false);
  }

  private static AppendBench.Result measure(PostgresUrl admin, int threads, double seconds, List<SigningKey> keys,
      String name) throws Exception {
    String db = "custody_bench_" + name + "_" + System.nanoTime();
    try (Connection c = connect(admin); Statement st = c.createStatement()) {
      st.execute("create database " + db);
    }
    PostgresUrl url = PostgresUrl.parse(admin.text().replaceFirst("/[^/?]*(\\?|$)", "/" + db + "$1"), System.getenv());
    PostgresLogStore.create(url, PostgresLogStore.Options.defaults());
    PostgresLogStore store = PostgresLogStore.open(url, PostgresLogStore.Options.defaults());
    return AppendBench.measure(store, store::commitStats, threads, seconds, keys);
  }

  private static Connection connect(PostgresUrl url) throws Exception {
    Properties p = url.properties(Map.copyOf(System.getenv()));
    return DriverManager.getConnection(url.jdbcUrl(), p);
  }

  private static void setSynchronousStandby(PostgresUrl admin, boolean on) throws Exception {
    try (Connection c = connect(admin); Statement st = c.createStatement()) {
      st.execute("alter system set synchronous_standby_names = '" + (on ? "standby" : "") + "'");
      try (ResultSet rs = st.executeQuery("select pg_reload_conf()")) {
        rs.next();
      }
    }
  }
}
