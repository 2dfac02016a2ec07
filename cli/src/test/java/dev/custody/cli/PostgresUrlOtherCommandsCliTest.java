package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read a ledger only in passing, on a PostgreSQL URL (a real server): {@code export
 * --format intoto} exports the same entries as from a directory, {@code hash} is unaffected by a URL
 * ledger, and {@code keys move-log-key} says why there is nothing to move instead of "not a directory".
 */
class PostgresUrlOtherCommandsCliTest {
  @TempDir Path tmp;
  private World w;
  private String url;
  private World.Signer trainer;

  @BeforeEach
  void setUp() throws Exception {
    w = new World(tmp);
    PostgresUrl db = PgServer.shared().newDatabase();
    Path logKey = tmp.resolve("log.key");
    Cli.ok("init", "--store", db.text(), "--log-private-key", logKey, "--origin", "example.com/other",
        "--checkpoint-interval", "0");
    url = db.text() + "?logKey=" + logKey;
    trainer = w.key("acme/trainer");
    for (int i = 0; i < 3; i++) {
      Cli.ok("record", "training", "--ledger", url, "--chain", "acme/m", "--key", trainer.key(), "--output",
          "model=sha256:" + String.format("%064x", i + 1));
    }
  }

  @Test
  void exportIntoto_url_sameStatementsAsTheDirectoryItMigratesTo() throws Exception {
    Path dir = tmp.resolve("dir");
    Cli.ok("migrate", "--from", url, "--to", dir);

    Cli.Result fromUrl = Cli.run("export", "--ledger", url, "--format", "intoto", "--key", trainer.key(), "--out",
        tmp.resolve("url.jsonl"), "--json");
    Cli.Result fromDir = Cli.ok("export", "--ledger", dir, "--format", "intoto", "--key", trainer.key(), "--out",
        tmp.resolve("dir.jsonl"), "--json");

    assertThat(fromUrl.code()).as(fromUrl.toString()).isZero();
    assertThat(fromUrl.json().get("bundles").intValue()).isEqualTo(3).isEqualTo(fromDir.json().get("bundles").intValue());
    assertThat(Files.readAllLines(tmp.resolve("url.jsonl"))).hasSize(3);
  }

  @Test
  void hash_withAUrlLedger_hashesTheModel() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");

    Cli.Result onUrl = Cli.run("hash", model, "--ledger", url);

    assertThat(onUrl.code()).as(onUrl.toString()).isZero();
    assertThat(onUrl.out()).isEqualTo(Cli.ok("hash", model).out());
  }

  @Test
  void keysMoveLogKey_url_refusedSayingTheDatabaseHoldsNoKey() {
    Cli.Result r = Cli.run("keys", "move-log-key", "--ledger", url, "--to", tmp.resolve("moved.key"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("never holds the log's private key").contains("$CUSTODY_LOG_KEY");
    assertThat(List.of(tmp.resolve("moved.key"))).noneMatch(Files::exists);
  }
}
