package dev.custody.postgresql;

import static dev.custody.attest.TestFixtures.maker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.note.SignedNote;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only store is one snapshot: the newest checkpoint it hands out ({@code custody prove} checks
 * the ledger against it) is the newest of the snapshot its size comes from, not one a writer signed
 * after the reader opened — which would make an honest, growing ledger look truncated.
 */
class PostgresReadSnapshotTest {
  @TempDir Path tmp;

  private static Checkpoint parse(byte[] note) throws Exception {
    return Checkpoint.parse(SignedNote.parse(note).unverifiedText());
  }

  @Test
  void latestCheckpoint_writerSignsAfterTheReaderOpened_theReadersSnapshotsNewest() throws Exception {
    PostgresUrl url = PgServer.shared().newDatabase();
    Path logKey = tmp.resolve("log.key");
    PostgresLogStore.create(url, new LogConfig("example.org/snapshot", Optional.empty()), logKey, new SecureRandom(),
        PostgresLogStore.Options.defaults());
    PostgresLogStore.Options writer = PostgresLogStore.Options.defaults().withLogKeyFile(logKey);
    try (PostgresLogStore w = PostgresLogStore.open(url, writer)) {
      w.append("c", maker("c", "t")).get(60, TimeUnit.SECONDS);
      w.append("c", maker("c", "t")).get(60, TimeUnit.SECONDS);
      w.signCheckpoint();
      try (PostgresLogStore r = PostgresLogStore.openReadOnly(url, PostgresLogStore.Options.defaults())) {
        w.append("c", maker("c", "t")).get(60, TimeUnit.SECONDS);
        w.signCheckpoint();

        Checkpoint newest = parse(r.latestCheckpoint().orElseThrow());

        assertThat(r.size()).isEqualTo(2);
        assertThat(newest.size()).isEqualTo(2);
        assertThat(newest.rootHash()).isEqualTo(r.rootHash(2));
      }
    }
  }

  @Test
  void latestCheckpoint_tailDeletedButItsCheckpointKept_theCheckpointBeyondTheLogIsHandedOut() throws Exception {
    PostgresUrl url = PgServer.shared().newDatabase();
    Path logKey = tmp.resolve("log.key");
    PostgresLogStore.create(url, new LogConfig("example.org/snapshot", Optional.empty()), logKey, new SecureRandom(),
        PostgresLogStore.Options.defaults());
    try (PostgresLogStore w = PostgresLogStore.open(url, PostgresLogStore.Options.defaults().withLogKeyFile(logKey))) {
      for (int i = 0; i < 3; i++) {
        w.append("c", maker("c", "t")).get(60, TimeUnit.SECONDS);
      }
      w.signCheckpoint();
    }
    // Truncation behind custody's back: the reader must still see the checkpoint that proves it.
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement()) {
      s.execute("delete from custody_chain_heads");
      s.execute("delete from custody_entries where log_index = 2");
    }

    try (PostgresLogStore r = PostgresLogStore.openReadOnly(url, PostgresLogStore.Options.defaults())) {
      assertThat(r.size()).isEqualTo(2);
      assertThat(parse(r.latestCheckpoint().orElseThrow()).size()).isEqualTo(3);
    }
  }
}
