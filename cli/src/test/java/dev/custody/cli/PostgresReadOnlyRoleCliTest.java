package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.internal.timestamp.TestTsa;
import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader role exactly as the README documents it (SELECT on the custody tables, and
 * {@code default_transaction_read_only = on}), created on a real server: every reading command works
 * through it, and a write through it fails with a clear error and changes nothing.
 */
class PostgresReadOnlyRoleCliTest {
  @TempDir Path tmp;
  private PostgresUrl db;
  private String writerUrl;
  private String readerUrl;
  private Path keys;
  private Path logKey;
  private Path vkey;

  private Connection admin() throws SQLException {
    return PgServer.shared().connect(PgServer.databaseOf(db));
  }

  /** Row counts of every custody table, and the newest checkpoint: what a refused write must leave as it was. */
  private List<String> state() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = admin(); Statement s = c.createStatement()) {
      for (String t : List.of("custody_entries", "custody_chain_heads", "custody_checkpoints", "custody_tiles",
          "custody_log")) {
        try (ResultSet rs = s.executeQuery("select count(*), md5(coalesce(string_agg(t::text, ',' order by t::text), ''))"
            + " from " + t + " t")) {
          rs.next();
          out.add(t + " " + rs.getLong(1) + " " + rs.getString(2));
        }
      }
    }
    return out;
  }

  @BeforeEach
  void setUp() throws Exception {
    db = PgServer.shared().newDatabase();
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    logKey = tmp.resolve("log.key");
    Cli.ok("init", "--store", db.text(), "--log-private-key", logKey, "--origin", "example.com/ro",
        "--checkpoint-interval", "0");
    writerUrl = db.text() + "?logKey=" + logKey;
    for (int i = 0; i < 4; i++) {
      Cli.ok("record", "annotation", "--ledger", writerUrl, "--chain", i % 2 == 0 ? "acme/a" : "acme/b", "--key",
          keys.resolve("alice.key"), "--text", "note " + i);
    }
    Path dir = tmp.resolve("copy");
    Cli.ok("migrate", "--from", db.text(), "--to", dir);
    vkey = dir.resolve("log/vkey");
    // The README's reader role: SELECT on the custody tables, read-only transactions by default.
    String role = "reader_" + PgServer.databaseOf(db);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      String password = System.getenv("PGPASSWORD");
      try {
        s.execute("create role " + role + " login" + (password == null ? "" : " password '"
            + password.replace("'", "''") + "'"));
      } catch (SQLException e) {
        Assumptions.assumeTrue(false, "the test server's user may not create roles: " + e.getMessage());
      }
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("select tablename from pg_tables where schemaname = current_schema()"
          + " and tablename like 'custody\\_%' order by tablename")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("custody_entries", "custody_schema_history");
      s.execute("grant select on " + String.join(", ", tables) + " to " + role);
      s.execute("alter role " + role + " set default_transaction_read_only = on");
    }
    readerUrl = "postgresql://" + role + "@" + PgServer.shared().hostPort() + "/" + PgServer.databaseOf(db);
  }

  @Test
  void readingCommands_readerRoleWithTheDocumentedGrants_allSucceed() {
    Cli.Result v = Cli.run("verify", "--ledger", readerUrl, "--trust", keys, "--log-key", vkey);
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(v.err()).contains("copied 4 entries");
    assertThat(Cli.ok("log", "--ledger", readerUrl).out().lines()).hasSize(4);
    assertThat(Cli.ok("show", "--ledger", readerUrl, "acme/b:1").out()).contains("note 3");
    assertThat(Cli.ok("chains", "--ledger", readerUrl).out()).contains("acme/a").contains("acme/b");
    assertThat(Cli.ok("prove", "inclusion", "acme/a:1", "--ledger", readerUrl, "--json").json().get("treeSize")
        .asLong()).isEqualTo(4);
    assertThat(Cli.ok("prove", "consistency", "--from", "1", "--ledger", readerUrl, "--json").json().get("size2")
        .asLong()).isEqualTo(4);
    assertThat(Cli.ok("info", "--ledger", readerUrl, "--json").json().get("size").asLong()).isEqualTo(4);
    assertThat(Cli.run("lineage", "acme/a:1", "--ledger", readerUrl, "--trust", keys).code()).isZero();
    Cli.Result export = Cli.run("export", "--ledger", readerUrl, "--chain", "acme/b", "--out", tmp.resolve("b.bundle"));
    assertThat(export.code()).as(export.toString()).isZero();
  }

  @Test
  void recordAndCheckpoint_writerRoleWithTheDocumentedGrants_succeed() throws Exception {
    String role = "writer_" + PgServer.databaseOf(db);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      String password = System.getenv("PGPASSWORD");
      s.execute("create role " + role + " login" + (password == null ? "" : " password '"
          + password.replace("'", "''") + "'"));
      // The README's writer role, grant for grant.
      s.execute("grant select, insert on custody_entries, custody_checkpoints, custody_manifests, custody_certificates,"
          + " custody_oms_signatures, custody_checkpoint_timestamps to " + role);
      s.execute("grant select, insert, update on custody_chain_heads, custody_tiles to " + role);
      s.execute("grant select on custody_log, custody_schema_history to " + role);
    }
    String url = "postgresql://" + role + "@" + PgServer.shared().hostPort() + "/" + PgServer.databaseOf(db)
        + "?logKey=" + logKey;

    Cli.Result r = Cli.run("record", "annotation", "--ledger", url, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", "through the writer");
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Cli.Result m = Cli.run("record", "release", "--ledger", url, "--chain", "acme/m", "--key", keys.resolve("alice.key"),
        "--output", "model=" + model, "--version", "1");
    Cli.Result cp;
    try (TestTsa tsa = TestTsa.start()) {
      cp = Cli.run("checkpoint", "--ledger", url, "--tsa", tsa.uri());
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(m.code()).as(m.toString()).isZero();
      assertThat(cp.code()).as(cp.toString()).isZero();
      assertThat(cp.out()).startsWith("example.com/ro\n6\n");
      assertThat(Cli.ok("log", "--ledger", readerUrl).out().lines()).hasSize(6);
      // The reader checks the writer's timestamp.
      Path root = TimestampCliTest.pem(tmp.resolve("tsa-root.pem"), tsa.root.cert());
      Cli.Result v = Cli.run("verify", "--ledger", readerUrl, "--trust", keys, "--log-key", vkey, "--tsa-root", root);
      assertThat(v.code()).as(v.toString()).isZero();
      assertThat(v.unwrapped()).contains("INFO TIMESTAMP_VERIFIED: checkpoint checkpoints/6 (size 6");
    }
  }

  @Test
  void record_readerRole_failsClearlyAndChangesNothing() throws Exception {
    List<String> before = state();

    Cli.Result r = Cli.run("record", "annotation", "--ledger", readerUrl + "?logKey=" + logKey, "--chain", "acme/a",
        "--key", keys.resolve("alice.key"), "--text", "through the reader");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("this role may not append").contains("transactions are read-only")
        .contains("INSERT on custody_entries").contains("nothing was changed").doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
    assertThat(state()).isEqualTo(before);
  }

  @Test
  void recordBatchAndCheckpoint_readerRole_failClearlyAndChangeNothing() throws Exception {
    List<String> before = state();
    Path batch = Files.writeString(tmp.resolve("b.jsonl"),
        "{\"chain\":\"acme/a\",\"kind\":\"annotation\",\"text\":\"x\"}\n");

    Cli.Result b = Cli.run("record", "--ledger", readerUrl, "--key", keys.resolve("alice.key"), "--batch", batch);
    Cli.Result cp = Cli.run("checkpoint", "--ledger", readerUrl, "--log-private-key", logKey);

    assertThat(b.code()).as(b.toString()).isEqualTo(2);
    assertThat(b.err()).contains("this role may not append");
    assertThat(cp.code()).as(cp.toString()).isEqualTo(2);
    assertThat(cp.err()).contains("this role may not append");
    assertThat(cp.out()).isEmpty();
    assertThat(state()).isEqualTo(before);
  }
}
