package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody migrate}: a file ledger into PostgreSQL and back, records and checkpoints byte for
 * byte, both verifying; the copy in the database goes on appending and signing.
 */
class PostgresMigrateCliTest {
  @TempDir Path tmp;

  private static List<String> checkpointFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("checkpoints"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void migrate_directoryToPostgresqlAndBack_bytesIndexesAndCheckpointsPreservedBothVerify() throws Exception {
    Path ledger = tmp.resolve("ledger");
    Path keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Path logKey = tmp.resolve("log.key");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.com/migrate", "--checkpoint-interval", "0",
        "--log-private-key", logKey);
    for (int i = 0; i < 5; i++) {
      Cli.ok("record", "annotation", "--ledger", ledger, "--chain", i % 2 == 0 ? "a" : "b", "--key",
          keys.resolve("alice.key"), "--text", "n" + i);
    }
    PostgresUrl db = PgServer.shared().newDatabase();
    Path vkey = ledger.resolve("log/vkey");

    Cli.Result in = Cli.ok("migrate", "--from", ledger, "--to", db.text());
    Cli.Result verifyDb = Cli.run("verify", "--ledger", db.text(), "--trust", keys, "--log-key", vkey);
    Path back = tmp.resolve("back");
    Cli.ok("migrate", "--from", db.text(), "--to", back, "--log-private-key", logKey);
    Cli.Result verifyBack = Cli.run("verify", "--ledger", back, "--trust", keys, "--log-key", vkey);

    assertThat(in.out()).contains("copied 5 entries");
    assertThat(verifyDb.code()).as(verifyDb.toString()).isZero();
    assertThat(verifyBack.code()).as(verifyBack.toString()).isZero();
    assertThat(Cli.records(back)).isEqualTo(Cli.records(ledger));
    assertThat(checkpointFiles(back)).isEqualTo(checkpointFiles(ledger));
    for (String cp : checkpointFiles(ledger)) {
      assertThat(Files.readAllBytes(back.resolve("checkpoints").resolve(cp)))
          .isEqualTo(Files.readAllBytes(ledger.resolve("checkpoints").resolve(cp)));
    }
    assertThat(Files.readAllBytes(back.resolve("checkpoint"))).isEqualTo(Files.readAllBytes(ledger.resolve("checkpoint")));
    // The directory copy holds its log key again: it appends and signs.
    Cli.ok("record", "annotation", "--ledger", back, "--chain", "a", "--key", keys.resolve("alice.key"), "--text", "more");
    Cli.Result verifyMore = Cli.run("verify", "--ledger", back, "--trust", keys, "--log-key", vkey);
    assertThat(verifyMore.code()).as(verifyMore.toString()).isZero();
    // So does the database, with the key named in its URL.
    Cli.ok("record", "annotation", "--ledger", db.text() + "?logKey=" + logKey, "--chain", "b",
        "--key", keys.resolve("alice.key"), "--text", "more");
    Cli.Result verifyDbMore = Cli.run("verify", "--ledger", db.text(), "--trust", keys, "--log-key", vkey);
    assertThat(verifyDbMore.code()).as(verifyDbMore.toString()).isZero();
    assertThat(verifyDbMore.err()).contains("copied 6 entries");
  }

  @Test
  void migrate_twoDirectories_refusedExit2() {
    Cli.Result r = Cli.run("migrate", "--from", tmp.resolve("a"), "--to", tmp.resolve("b"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("give one directory and one URL");
  }

  @Test
  void migrate_intoADatabaseHoldingALedger_refusedAndTheLedgerKept() throws Exception {
    Path ledger = tmp.resolve("ledger");
    Cli.ok("init", "--ledger", ledger);
    PostgresUrl db = PgServer.shared().newDatabase();
    Cli.ok("migrate", "--from", ledger, "--to", db.text());

    Cli.Result again = Cli.run("migrate", "--from", ledger, "--to", db.text());

    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a custody ledger");
  }

  @Test
  void migrate_json_printsFromToAndEntriesOnly() throws Exception {
    Path ledger = tmp.resolve("ledger");
    Path keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Cli.ok("init", "--ledger", ledger, "--log-private-key", tmp.resolve("log.key"));
    Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "a", "--key", keys.resolve("alice.key"), "--text", "n");
    PostgresUrl db = PgServer.shared().newDatabase();

    Cli.Result r = Cli.ok("migrate", "--from", ledger, "--to", db.text(), "--json");

    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(r.out().strip().lines()).hasSize(1);
    assertThat(json.get("from").asText()).isEqualTo(ledger.toString());
    assertThat(json.get("to").asText()).isEqualTo(db.text());
    assertThat(json.get("entries").asLong()).isEqualTo(1);
  }
}
