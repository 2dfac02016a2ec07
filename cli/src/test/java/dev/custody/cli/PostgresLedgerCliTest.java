package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command a user runs on a shared ledger, on a real PostgreSQL server ({@link PgServer}): init
 * with {@code --store URL}, record, log, show, chains, and {@code verify}, which copies the database
 * read-only into a directory and verifies the copy — so a row edited, deleted or inserted by someone
 * with database access is found, as it would be in a file ledger.
 */
class PostgresLedgerCliTest {
  private static final String ORIGIN = "example.com/shared";
  @TempDir Path tmp;
  private PostgresUrl db;
  /** The URL writers use: the database and the log key file. */
  private String url;
  private Path keys;
  private Path vkey;

  @BeforeEach
  void setUp() throws Exception {
    db = PgServer.shared().newDatabase();
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Path logKey = tmp.resolve("log.key");
    Cli.Result init = Cli.ok("init", "--store", db.text(), "--log-private-key", logKey, "--origin", ORIGIN,
        "--checkpoint-interval", "0");
    assertThat(init.out()).contains("log origin   " + ORIGIN).contains("log key      " + ORIGIN + "+");
    assertThat(Files.readString(logKey)).doesNotContain(" ");
    vkey = Files.writeString(tmp.resolve("log.vkey"), init.out().lines().filter(l -> l.startsWith("log key"))
        .findFirst().orElseThrow().replaceFirst("log key +", "").replaceFirst(" .*", "") + "\n");
    url = db.text() + "?logKey=" + logKey;
  }

  private void record(int n) {
    for (int i = 0; i < n; i++) {
      Cli.ok("record", "annotation", "--ledger", url, "--chain", i % 2 == 0 ? "acme/a" : "acme/b",
          "--key", keys.resolve("alice.key"), "--text", "note " + i);
    }
  }

  private Cli.Result verify() {
    return Cli.run("verify", "--ledger", db.text(), "--trust", keys, "--log-key", vkey);
  }

  private void sql(String statement) throws Exception {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void recordBatch_postgresqlUrl_everyLineRecordedInOrderAndVerifies() throws Exception {
    record(1);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      lines.append("{\"chain\":\"").append(i % 2 == 0 ? "acme/a" : "acme/c")
          .append("\",\"kind\":\"annotation\",\"text\":\"batch ").append(i).append("\"}\n");
    }
    Path batch = Files.writeString(tmp.resolve("b.jsonl"), lines.toString());

    Cli.Result r = Cli.ok("record", "--ledger", url, "--key", keys.resolve("alice.key"), "--batch", batch);

    assertThat(r.out().lines()).hasSize(50);
    assertThat(r.err()).contains("line 2: starting a new chain 'acme/c'");
    assertThat(Cli.ok("show", "--ledger", db.text(), "acme/c:24").out()).contains("batch 49");
    Cli.Result v = verify();
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(v.err()).contains("copied 51 entries");
  }

  @Test
  void recordBatch_postgresqlUrlWithExistingChainAndANewOne_refusedNothingRecorded() throws Exception {
    record(1);
    Path batch = Files.writeString(tmp.resolve("b.jsonl"), "{\"chain\":\"acme/a\",\"kind\":\"annotation\","
        + "\"text\":\"x\"}\n{\"chain\":\"acme/z\",\"kind\":\"annotation\",\"text\":\"y\"}\n");

    Cli.Result r = Cli.run("record", "--ledger", url, "--key", keys.resolve("alice.key"), "--batch", batch,
        "--existing-chain");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("line 2: no chain 'acme/z'");
    assertThat(Cli.ok("log", "--ledger", db.text()).out().lines()).hasSize(1);
  }

  @Test
  void lineage_postgresqlUrl_judgedOnTheReadOnlyCopy() {
    record(3);

    Cli.Result r = Cli.run("lineage", "acme/a:1", "--ledger", db.text(), "--trust", keys, "--json");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("\"acme/a\"");
    assertThat(r.err()).startsWith("{\"notice\":{\"code\":\"LEDGER_COPIED\",").contains("copied 3 entries");
  }

  @Test
  void commands_postgresqlUrl_recordLogShowChainsAndVerify() {
    record(4);

    assertThat(Cli.ok("log", "--ledger", db.text()).out()).contains("acme/a").contains("acme/b");
    assertThat(Cli.ok("show", "--ledger", db.text(), "acme/b:1").out()).contains("note 3");
    assertThat(Cli.ok("chains", "--ledger", db.text()).out()).contains("acme/a").contains("acme/b");
    Cli.Result v = verify();
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(v.err()).contains("copied 4 entries");
  }

  @Test
  void init_urlWithPassword_refusedExit2AndNothingCreated() throws Exception {
    PostgresUrl other = PgServer.shared().newDatabase();
    String withPassword = other.text().replace("custody@", "custody:secret@");

    Cli.Result r = Cli.run("init", "--store", withPassword, "--log-private-key", tmp.resolve("other.key"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("holds a password").contains("PGPASSWORD").doesNotContain("secret");
    assertThat(tmp.resolve("other.key")).doesNotExist();
  }

  @Test
  void verify_rowEdited_failsExit1() throws Exception {
    record(4);
    // A DBA changes one byte of entry 2 (same length) and its hash column to match.
    sql("update custody_entries set record = set_byte(record, 60, case when get_byte(record, 60) = 65 then 66 else 65 end)"
        + " where log_index = 2");
    sql("update custody_entries set hash = sha256(record) where log_index = 2");

    Cli.Result v = verify();

    assertThat(v.code()).as(v.toString()).isEqualTo(1);
  }

  @Test
  void verify_rowDeleted_failsExit1() throws Exception {
    record(4);
    sql("delete from custody_chain_heads");
    sql("delete from custody_entries where log_index = 1");

    Cli.Result v = verify();

    assertThat(v.code()).as(v.toString()).isEqualTo(1);
  }

  @Test
  void verify_tailAndItsCheckpointsDeleted_auditorsCheckpointFindsItExit1() throws Exception {
    record(4);
    byte[] published;
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement();
        var rs = s.executeQuery("select note from custody_checkpoints order by tree_size desc limit 1")) {
      assertThat(rs.next()).isTrue();
      published = rs.getBytes(1);
    }
    Path auditors = Files.write(tmp.resolve("published.checkpoint"), published);
    // A DBA truncates the log and removes every checkpoint that covers what was removed: consistent in
    // itself (as with a file ledger, only a checkpoint kept outside the database can tell).
    sql("delete from custody_chain_heads");
    sql("delete from custody_entries where log_index >= 2");
    sql("delete from custody_checkpoints where tree_size > 2");

    Cli.Result v = Cli.run("verify", "--ledger", db.text(), "--trust", keys, "--log-key", vkey, "--checkpoint", auditors);

    assertThat(v.err()).contains("copied 2 entries");
    assertThat(v.code()).as(v.toString()).isEqualTo(1);
  }

  @Test
  void verify_rowInserted_failsExit1() throws Exception {
    record(4);
    // A DBA appends a copy of entry 3 as entry 4 (a replay), with no checkpoint covering it.
    sql("insert into custody_entries (log_index, chain, sequence, hash, record) select 4, chain, 99,"
        + " sha256(record || '\\x20'::bytea), record || '\\x20'::bytea from custody_entries where log_index = 3");

    Cli.Result v = verify();

    assertThat(v.code()).as(v.toString()).isEqualTo(1);
  }

  @Test
  void record_urlWithoutLogKey_appendsButSignsNoCheckpoint() throws Exception {
    Cli.ok("record", "annotation", "--ledger", db.text(), "--chain", "acme/a", "--key", keys.resolve("alice.key"),
        "--text", "no key");
    List<Long> sizes = new ArrayList<>();
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement();
        var rs = s.executeQuery("select tree_size from custody_checkpoints order by tree_size")) {
      while (rs.next()) {
        sizes.add(rs.getLong(1));
      }
    }
    assertThat(sizes).containsExactly(0L);
  }
}
