package dev.custody.postgresql;

import static dev.custody.attest.TestFixtures.maker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.ProofVerifier;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the PostgreSQL store: its schema, its tables, and rows changed behind its back. */
class PostgresLogStoreDatabaseTest {
  @TempDir Path tmp;
  private PostgresUrl url;
  private PostgresLogStore.Options options;

  @BeforeEach
  void setUp() {
    url = PgServer.shared().newDatabase();
    options = PostgresLogStore.Options.defaults().withLogKeyFile(tmp.resolve("log.key"));
  }

  private void sql(String statement) throws Exception {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private long count(String query) throws Exception {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void createWith(int entries) throws Exception {
    PostgresLogStore.create(url, new LogConfig("example.org/db", Optional.empty()), tmp.resolve("log.key"),
        new SecureRandom(), PostgresLogStore.Options.defaults());
    try (PostgresLogStore s = PostgresLogStore.open(url, options)) {
      for (int i = 0; i < entries; i++) {
        s.append("c" + (i % 2), maker("c" + (i % 2), "t"));
      }
      if (entries > 0) {
        s.append("c0", maker("c0", "t")).get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      s.signCheckpoint();
    }
  }

  @Test
  void open_emptyDatabase_failsSayingItHoldsNoLedger() {
    assertThatThrownBy(() -> PostgresLogStore.open(url, options)).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds no custody ledger").hasMessageContaining("custody init --store");
  }

  @Test
  void create_twice_refusedAndTheFirstKept() throws Exception {
    createWith(3);

    assertThatThrownBy(() -> PostgresLogStore.create(url, PostgresLogStore.Options.defaults()))
        .isInstanceOf(FormatException.class).hasMessageContaining("already holds a custody ledger");
    assertThat(count("select count(*) from custody_entries")).isEqualTo(4);
  }

  @Test
  void open_newerSchema_failsNamingBothVersions() throws Exception {
    createWith(0);
    sql("insert into custody_schema_history (installed_rank, version, description, type, script, checksum,"
        + " installed_by, execution_time, success) values (99, '99', 'future', 'SQL', 'V99__future.sql', 0, 'x', 0,"
        + " true)");

    assertThatThrownBy(() -> PostgresLogStore.open(url, options)).isInstanceOf(FormatException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer than this custody knows (" + PostgresSchema.CURRENT + ")");
  }

  @Test
  void open_alteredMigration_failsValidation() throws Exception {
    createWith(0);
    sql("update custody_schema_history set checksum = checksum + 1 where version = '1'");

    assertThatThrownBy(() -> PostgresLogStore.open(url, options)).isInstanceOf(FormatException.class)
        .hasMessageContaining("not the one this custody made");
  }

  @Test
  void append_tilesInTheirTable_oneFullTilePer256Entries() throws Exception {
    createWith(600);

    assertThat(count("select count(*) from custody_tiles where level = 0")).isEqualTo(2);
    assertThat(count("select count(*) from custody_checkpoints")).isEqualTo(2); // the empty tree's, then 601
  }

  @Test
  void open_tilesDeletedOrDamaged_rebuiltFromTheEntriesAndProofsVerify() throws Exception {
    createWith(300);
    sql("update custody_tiles set hashes = overlay(hashes placing '\\x00'::bytea from 1 for 1)");

    try (PostgresLogStore s = PostgresLogStore.open(url, options)) {
      assertThat(s.repairs()).anyMatch(r -> r.contains("rebuilt the Merkle tree tiles"));
      byte[] leaf0 = s.read(0).bytes().toByteArray();
      ProofVerifier.verifyInclusion(s.inclusionProof(0, 301), MerkleHash.leafHash(leaf0), s.rootHash(301));
    }
    sql("delete from custody_tiles");
    try (PostgresLogStore s = PostgresLogStore.open(url, options)) {
      assertThat(s.size()).isEqualTo(301);
      assertThat(count("select count(*) from custody_tiles where level = 0")).isEqualTo(1);
    }
  }

  @Test
  void read_rowEdited_failsNamingTheLogIndex() throws Exception {
    createWith(3);
    sql("update custody_entries set record = set_byte(record, 60, case when get_byte(record, 60) = 65 then 66 else 65 end)"
        + " where log_index = 1");

    try (PostgresLogStore s = PostgresLogStore.openReadOnly(url, options)) {
      assertThatThrownBy(() -> s.read(1)).isInstanceOf(FormatException.class).hasMessageContaining("log index 1");
    }
  }

  @Test
  void open_chainHeadBehindItsEntries_refusedBeforeAnythingIsAppended() throws Exception {
    createWith(4);
    sql("update custody_chain_heads set sequence = 0, log_index = 0, hash = (select hash from custody_entries where"
        + " log_index = 0) where chain = 'c0'");

    assertThatThrownBy(() -> PostgresLogStore.open(url, options)).isInstanceOf(FormatException.class)
        .hasMessageContaining("custody_chain_heads does not match");
  }

  @Test
  void insert_forkedRow_refusedByTheSchema() throws Exception {
    createWith(2);

    // A second entry for (c0, 0) under a new log index: the unique key refuses it.
    assertThatThrownBy(() -> sql("insert into custody_entries (log_index, chain, sequence, hash, record) select 9, chain,"
        + " sequence, sha256(record || '\\x20'::bytea), record || '\\x20'::bytea from custody_entries where log_index = 0"))
        .hasMessageContaining("custody_entries_chain_sequence_key");
  }

  @Test
  void openReadOnly_appendRefused() throws Exception {
    createWith(1);
    try (LogStore s = PostgresLogStore.openReadOnly(url, options)) {
      assertThat(s.append("c0", maker("c0", "t"))).isCompletedExceptionally();
      assertThat(s.size()).isEqualTo(2);
    }
  }
}
