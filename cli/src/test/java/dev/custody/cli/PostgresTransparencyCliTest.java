package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.internal.timestamp.TestTsa;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.postgresql.PgServer;
import dev.custody.postgresql.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transparency commands on a ledger reached by URL — {@code checkpoint}, {@code prove inclusion},
 * {@code prove consistency}, {@code info}, and {@code witness cosign} fed from them — against a real
 * PostgreSQL ({@link PgServer}): the same entries in a directory and in a database give the same
 * bytes out and the same errors; checkpoints are signed through the store's writer with the log key
 * named by {@code --log-private-key} or {@code ?logKey=}; proofs come from the database's tiles and
 * are checked before they are printed.
 */
class PostgresTransparencyCliTest {
  private static final String ORIGIN = "example.com/transparent";
  @TempDir Path tmp;

  /** A file ledger with entries on two chains, and the same ledger copied into a new database. */
  private record Twins(Path dir, PostgresUrl db, Path logKey, Path keys, Path vkey) {}

  private Twins twins(int entries) throws Exception {
    Path dir = tmp.resolve("ledger");
    Path keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    Path logKey = tmp.resolve("log.key");
    Cli.ok("init", "--ledger", dir, "--origin", ORIGIN, "--checkpoint-interval", "0", "--log-private-key", logKey);
    for (int i = 0; i < entries; i++) {
      Cli.ok("record", "annotation", "--ledger", dir, "--chain", i % 2 == 0 ? "acme/a" : "acme/b", "--key",
          keys.resolve("alice.key"), "--text", "note " + i);
    }
    PostgresUrl db = PgServer.shared().newDatabase();
    Cli.ok("migrate", "--from", dir, "--to", db.text());
    return new Twins(dir, db, logKey, keys, dir.resolve("log/vkey"));
  }

  private static List<Long> checkpointSizes(PostgresUrl db) throws Exception {
    List<Long> sizes = new ArrayList<>();
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select tree_size from custody_checkpoints order by tree_size")) {
      while (rs.next()) {
        sizes.add(rs.getLong(1));
      }
    }
    return sizes;
  }

  private static void sql(PostgresUrl db, String statement) throws Exception {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db)); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** The same command on the directory and on the URL: same exit code, same stdout, same stderr (location aside). */
  private static void assertSame(Twins t, String... args) {
    Cli.Result onDir = Cli.run(withLedger(args, t.dir().toString()));
    Cli.Result onUrl = Cli.run(withLedger(args, t.db().text()));
    assertThat(onUrl.code()).as("%s\non the URL: %s\non the directory: %s", List.of(args), onUrl, onDir)
        .isEqualTo(onDir.code());
    assertThat(onUrl.out()).as("stdout of %s", List.of(args)).isEqualTo(onDir.out());
    assertThat(onUrl.err().replace(t.db().text(), "LEDGER")).as("stderr of %s", List.of(args))
        .isEqualTo(onDir.err().replace(t.dir().toString(), "LEDGER"));
  }

  private static Object[] withLedger(String[] args, String ledger) {
    List<Object> a = new ArrayList<>(List.of((Object[]) args));
    a.add("--ledger");
    a.add(ledger);
    return a.toArray();
  }

  @Test
  void proveAndInfo_sameEntriesInADirectoryAndADatabase_sameOutputsAndSameErrors() throws Exception {
    Twins t = twins(7);
    Path cp3 = Files.write(tmp.resolve("cp3"), Files.readAllBytes(t.dir().resolve("checkpoints/3")));

    assertSame(t, "info", "--json");
    assertSame(t, "prove", "inclusion", "acme/a:0");
    assertSame(t, "prove", "inclusion", "acme/b:2", "--json");
    assertSame(t, "prove", "inclusion", "acme/a:1", "--checkpoint", cp3.toString(), "--json");
    assertSame(t, "prove", "consistency", "--from", "2");
    assertSame(t, "prove", "consistency", "--from", "1", "--to", "5", "--json");
    assertSame(t, "prove", "consistency", "--from", cp3.toString(), "--json");
    // The same errors: an unknown entry (with its suggestion), a size beyond the log, an entry after the checkpoint.
    assertSame(t, "prove", "inclusion", "acme/c:0");
    assertSame(t, "prove", "inclusion", "acme/a:9", "--json");
    assertSame(t, "prove", "consistency", "--from", "8");
    assertSame(t, "prove", "inclusion", "acme/b:2", "--checkpoint", cp3.toString());
    // info's text differs only in the line naming the ledger.
    String onDir = Cli.ok("info", "--ledger", t.dir()).out();
    String onUrl = Cli.ok("info", "--ledger", t.db().text()).out();
    assertThat(onUrl.lines().skip(1).toList()).isEqualTo(onDir.lines().skip(1).toList());
    assertThat(onUrl.lines().findFirst().orElseThrow()).isEqualTo("ledger       " + t.db().text());
    assertThat(Cli.run("prove", "inclusion", "acme/a:9", "--ledger", t.db().text()).code()).isEqualTo(2);
  }

  @Test
  void checkpoint_sameEntriesInADirectoryAndADatabase_sameSignedNote() throws Exception {
    Twins t = twins(5);

    Cli.Result onDir = Cli.ok("checkpoint", "--ledger", t.dir(), "--json");
    Cli.Result onUrl = Cli.ok("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey(), "--json");

    // Ed25519 is deterministic: the same log key over the same tree head signs the same note.
    assertThat(onUrl.out()).isEqualTo(onDir.out());
    assertThat(onUrl.json().get("size").asLong()).isEqualTo(5);
    assertThat(checkpointSizes(t.db())).contains(5L);
  }

  @Test
  void checkpoint_urlOfAWriterWithoutTheLogKey_signedWithLogPrivateKeyAndStoredInTheDatabase() throws Exception {
    Twins t = twins(1);
    // Writers without the log key append but sign nothing.
    for (int i = 0; i < 3; i++) {
      Cli.ok("record", "annotation", "--ledger", t.db().text(), "--chain", "acme/a", "--key",
          t.keys().resolve("alice.key"), "--text", "keyless " + i);
    }
    assertThat(checkpointSizes(t.db())).doesNotContain(4L);

    Cli.Result r = Cli.ok("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey());

    assertThat(r.out()).startsWith(ORIGIN + "\n4\n");
    assertThat(checkpointSizes(t.db())).contains(4L);
    assertThat(Cli.ok("info", "--ledger", t.db().text(), "--json").json().get("size").asLong()).isEqualTo(4);
    // The key in the URL serves as well, and a second checkpoint of one size is the same note.
    Cli.Result again = Cli.ok("checkpoint", "--ledger", t.db().text() + "?logKey=" + t.logKey());
    assertThat(again.out()).isEqualTo(r.out());
    Cli.Result v = Cli.run("verify", "--ledger", t.db().text(), "--trust", t.keys(), "--log-key", t.vkey());
    assertThat(v.code()).as(v.toString()).isZero();
  }

  @Test
  void checkpoint_urlWithoutAnyLogKey_refusedExit2NothingStored() throws Exception {
    Twins t = twins(1);
    Cli.ok("record", "annotation", "--ledger", t.db().text(), "--chain", "acme/a", "--key",
        t.keys().resolve("alice.key"), "--text", "keyless");
    List<Long> before = checkpointSizes(t.db());

    Cli.Result r = Cli.run("checkpoint", "--ledger", t.db().text());

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("has no log key").contains("--log-private-key");
    assertThat(r.out()).isEmpty();
    assertThat(checkpointSizes(t.db())).isEqualTo(before);
  }

  @Test
  void checkpoint_urlWithAWrongLogKey_refusedExit2NothingStored() throws Exception {
    Twins t = twins(1);
    Path otherDir = tmp.resolve("other");
    Path otherKey = tmp.resolve("other.key");
    Cli.ok("init", "--ledger", otherDir, "--origin", ORIGIN, "--log-private-key", otherKey);
    Cli.ok("record", "annotation", "--ledger", t.db().text(), "--chain", "acme/a", "--key",
        t.keys().resolve("alice.key"), "--text", "keyless");
    List<Long> before = checkpointSizes(t.db());

    Cli.Result r = Cli.run("checkpoint", "--ledger", t.db().text(), "--log-private-key", otherKey);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("other.key");
    assertThat(checkpointSizes(t.db())).isEqualTo(before);
  }

  /** The TSA of {@link TimestampCliTest}: attest's RFC 3161 test server on loopback. */
  @AutoClose
  private static final TestTsa tsa = TestTsa.started();


  private static byte[] tokenRow(PostgresUrl db, long size) throws Exception {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(db));
        PreparedStatement ps = c.prepareStatement("select token from custody_checkpoint_timestamps where tree_size = ?")) {
      ps.setLong(1, size);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Exit code and finding codes of {@code verify --tsa-root} on {@code ledger}. */
  private List<String> timestampVerdict(Twins t, Object ledger) throws Exception {
    Path root = TimestampCliTest.pem(tmp.resolve("tsa-root.pem"), tsa.root.cert());
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", t.keys(), "--log-key", t.vkey(), "--tsa-root", root,
        "--format", "json");
    List<String> out = new ArrayList<>(List.of("exit " + r.code()));
    for (JsonNode f : r.json().get("findings")) {
      out.add(f.get("code").textValue());
    }
    return out;
  }

  /** Twins whose checkpoint of size 3 is timestamped in both, each by its own {@code checkpoint --tsa}. */
  private Twins timestampedTwins() throws Exception {
    Twins t = twins(3);
    Cli.ok("checkpoint", "--ledger", t.dir(), "--tsa", tsa.uri());
    Cli.ok("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey(), "--tsa", tsa.uri());
    return t;
  }

  @Test
  void checkpointWithTsa_url_storesTheRowPrintsTheDirectoryShapeAndVerifyReportsItAsForADirectory() throws Exception {
    Twins t = twins(3);

    Cli.Result onDir = Cli.ok("checkpoint", "--ledger", t.dir(), "--tsa", tsa.uri(), "--json");
    Cli.Result onUrl = Cli.ok("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey(), "--tsa",
        tsa.uri(), "--json");

    JsonNode dir = onDir.json();
    JsonNode url = onUrl.json();
    assertThat(fieldNames(url)).isEqualTo(fieldNames(dir));
    assertThat(fieldNames(url.get("timestamp"))).isEqualTo(fieldNames(dir.get("timestamp")))
        .containsExactly("tsa", "time", "files");
    assertThat(url.get("note")).isEqualTo(dir.get("note"));
    assertThat(url.get("timestamp").get("tsa")).isEqualTo(dir.get("timestamp").get("tsa"));
    assertThat(dir.get("timestamp").get("files")).extracting(JsonNode::asText)
        .containsExactly(t.dir().resolve("checkpoints/3.tsr").toString(), t.dir().resolve("checkpoint.tsr").toString());
    assertThat(url.get("timestamp").get("files")).extracting(JsonNode::asText)
        .containsExactly("custody_checkpoint_timestamps row 3 of " + t.db().text());
    assertThat(onUrl.err()).isEqualTo(onDir.err()).isEmpty();
    byte[] row = tokenRow(t.db(), 3);
    assertThat(row).isNotNull();
    assertThat(TimestampToken.parse(row).unverifiedGenTime().toString()).isEqualTo(url.get("timestamp").get("time").asText());

    List<String> verdict = timestampVerdict(t, t.dir());
    assertThat(verdict).contains("exit 0", "TIMESTAMP_VERIFIED");
    assertThat(timestampVerdict(t, t.db().text())).isEqualTo(verdict);
    Path root = TimestampCliTest.pem(tmp.resolve("tsa-root.pem"), tsa.root.cert());
    assertThat(Cli.run("verify", "--ledger", t.db().text(), "--trust", t.keys(), "--log-key", t.vkey(), "--tsa-root",
        root).unwrapped()).contains("INFO TIMESTAMP_VERIFIED: checkpoint checkpoints/3 (size 3, root ")
        .contains(": its timestamp checkpoints/3.tsr verifies (TSA '");
  }

  @Test
  void verifyWithTsaRoot_tokenRowDeletedOrEdited_sameFindingsAsTheTsrFileDeletedOrEdited() throws Exception {
    Twins t = timestampedTwins();
    Path file = t.dir().resolve("checkpoints/3.tsr");

    // One byte of the signature, near the end, flipped in both.
    byte[] edited = Files.readAllBytes(file);
    edited[edited.length - 10] ^= 0x01;
    Files.write(file, edited);
    byte[] row = tokenRow(t.db(), 3);
    sql(t.db(), "update custody_checkpoint_timestamps set token = set_byte(token, " + (row.length - 10)
        + ", get_byte(token, " + (row.length - 10) + ") # 1) where tree_size = 3");
    List<String> editedVerdict = timestampVerdict(t, t.dir());
    assertThat(editedVerdict).contains("exit 1", "TIMESTAMP_INVALID");
    assertThat(timestampVerdict(t, t.db().text())).isEqualTo(editedVerdict);

    Files.delete(file);
    sql(t.db(), "delete from custody_checkpoint_timestamps where tree_size = 3");
    List<String> deletedVerdict = timestampVerdict(t, t.dir());
    assertThat(deletedVerdict).contains("TIMESTAMP_MISSING").doesNotContain("TIMESTAMP_VERIFIED");
    assertThat(timestampVerdict(t, t.db().text())).isEqualTo(deletedVerdict);
  }

  @Test
  void checkpointWithTsa_sizeAlreadyTimestamped_firstTokenKeptOnBothNewOneNotStored() throws Exception {
    Twins t = timestampedTwins();
    byte[] file = Files.readAllBytes(t.dir().resolve("checkpoints/3.tsr"));
    byte[] row = tokenRow(t.db(), 3);

    Cli.Result onDir = Cli.ok("checkpoint", "--ledger", t.dir(), "--tsa", tsa.uri());
    Cli.Result onUrl = Cli.ok("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey(), "--tsa",
        tsa.uri());

    assertThat(onDir.err()).contains("custody: " + t.dir().resolve("checkpoints/3.tsr") + " already holds a timestamp"
        + " of this checkpoint, kept; the one of " + tsa.uri() + " at ").contains("was not stored");
    assertThat(onUrl.err()).contains("custody: custody_checkpoint_timestamps row 3 of " + t.db().text()
        + " already holds a timestamp of this checkpoint, kept; the one of " + tsa.uri() + " at ");
    assertThat(Files.readAllBytes(t.dir().resolve("checkpoints/3.tsr"))).isEqualTo(file);
    // Re-signing replaced checkpoint and removed its .tsr; the kept token is put back beside it.
    assertThat(Files.readAllBytes(t.dir().resolve("checkpoint.tsr"))).isEqualTo(file);
    assertThat(tokenRow(t.db(), 3)).isEqualTo(row);
  }

  @Test
  void migrate_timestampedLedger_tokensCarriedByteForByteBothWays() throws Exception {
    Twins t = timestampedTwins();
    Cli.ok("record", "annotation", "--ledger", t.dir(), "--chain", "acme/a", "--key", t.keys().resolve("alice.key"),
        "--text", "more");
    Cli.ok("checkpoint", "--ledger", t.dir(), "--tsa", tsa.uri());
    PostgresUrl db = PgServer.shared().newDatabase();

    Cli.ok("migrate", "--from", t.dir(), "--to", db.text());
    Path back = tmp.resolve("back");
    Cli.ok("migrate", "--from", db.text(), "--to", back);

    assertThat(tokenRow(db, 3)).isEqualTo(Files.readAllBytes(t.dir().resolve("checkpoints/3.tsr")));
    assertThat(tokenRow(db, 4)).isEqualTo(Files.readAllBytes(t.dir().resolve("checkpoints/4.tsr")));
    List<String> names = new ArrayList<>(List.of("checkpoint", "checkpoint.tsr"));
    try (var files = Files.list(t.dir().resolve("checkpoints"))) {
      files.map(p -> "checkpoints/" + p.getFileName()).sorted().forEach(names::add);
    }
    assertThat(names).contains("checkpoints/3.tsr", "checkpoints/4.tsr");
    for (String name : names) {
      assertThat(back.resolve(name)).as(name).hasBinaryContent(Files.readAllBytes(t.dir().resolve(name)));
    }
    try (var files = Files.list(back.resolve("checkpoints"))) {
      assertThat(files.map(p -> "checkpoints/" + p.getFileName()).sorted().toList())
          .isEqualTo(names.subList(2, names.size()));
    }
    assertThat(timestampVerdict(t, back)).isEqualTo(timestampVerdict(t, t.dir())).contains("TIMESTAMP_VERIFIED");
  }

  @Test
  void witness_checkpointsAndProofFromAUrl_cosignedAndVerifyOfTheUrlAcceptsTheWitnessedCheckpoint() throws Exception {
    Twins t = twins(3);
    String url = t.db().text() + "?logKey=" + t.logKey();
    Path state = tmp.resolve("witness");
    String witnessVkey = Cli.ok("witness", "init", "--state", state, "--name", "witness.example").out().strip();
    String logVkey = Files.readString(t.vkey()).strip();
    Path cp3 = Files.writeString(tmp.resolve("cp3"), Cli.ok("checkpoint", "--ledger", url).out());
    Cli.ok("witness", "cosign", "--log-key", logVkey, "--witness-key", state.resolve("witness.key"), "--state", state,
        cp3);
    for (int i = 0; i < 2; i++) {
      Cli.ok("record", "annotation", "--ledger", url, "--chain", "acme/b", "--key", t.keys().resolve("alice.key"),
          "--text", "more " + i);
    }
    Path cp5 = Files.writeString(tmp.resolve("cp5"), Cli.ok("checkpoint", "--ledger", url).out());
    Path proof = Files.writeString(tmp.resolve("proof.json"),
        Cli.ok("prove", "consistency", "--ledger", t.db().text(), "--from", cp3, "--json").out());

    Cli.Result cosigned = Cli.run("witness", "cosign", "--log-key", logVkey, "--witness-key",
        state.resolve("witness.key"), "--state", state, cp5, proof);

    assertThat(cosigned.code()).as(cosigned.toString()).isZero();
    Path witnessed = Files.writeString(tmp.resolve("cp5.cosigned"), cosigned.out());
    Cli.Result v = Cli.run("verify", "--ledger", t.db().text(), "--trust", t.keys(), "--log-key", t.vkey(),
        "--checkpoint", witnessed, "--witness-key", witnessVkey);
    assertThat(v.code()).as(v.toString()).isZero();
    assertThat(v.unwrapped()).contains("CHECKPOINT_WITNESSED");
    // The witness's state is its own directory: nothing of it is in the database.
    assertThat(state.resolve("witness.key")).exists();
  }

  @Test
  void prove_urlWithADamagedTileRow_verificationFailsExit1NoProofPrinted() throws Exception {
    Twins t = twins(1);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      lines.append("{\"chain\":\"acme/c\",\"kind\":\"annotation\",\"text\":\"batch ").append(i).append("\"}\n");
    }
    Path batch = Files.writeString(tmp.resolve("b.jsonl"), lines.toString());
    Cli.ok("record", "--ledger", t.db().text() + "?logKey=" + t.logKey(), "--key", t.keys().resolve("alice.key"),
        "--batch", batch);
    assertThat(Cli.ok("prove", "inclusion", "acme/c:5", "--ledger", t.db().text()).out()).contains("log index  6");
    // Someone with database access changes the full tile's hash of leaf 6 (derived data, but proofs come from it).
    sql(t.db(), "update custody_tiles set hashes = set_byte(hashes, 6 * 32, (get_byte(hashes, 6 * 32) + 1) % 256)"
        + " where level = 0 and idx = 0");

    Cli.Result inclusion = Cli.run("prove", "inclusion", "acme/c:5", "--ledger", t.db().text());

    // The newest signed checkpoint's root is not the tiles' root: nothing is printed, and the error says what to run.
    assertThat(inclusion.code()).as(inclusion.toString()).isEqualTo(1);
    assertThat(inclusion.out()).isEmpty();
    assertThat(inclusion.err()).contains("at size 301").contains("stored Merkle tiles are damaged")
        .contains("'custody verify'");
  }

  private Path batchOf(int n, String chain) throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < n; i++) {
      lines.append("{\"chain\":\"").append(chain).append("\",\"kind\":\"annotation\",\"text\":\"batch ")
          .append(i).append("\"}\n");
    }
    return Files.writeString(tmp.resolve(chain.replace('/', '_') + ".jsonl"), lines.toString());
  }

  @Test
  void prove_urlWithAFullTile_readsOnlyTheRecordsPastTheTilesAndVerifyStillFindsTheEdit() throws Exception {
    Twins t = twins(1);
    Cli.ok("record", "--ledger", t.db().text() + "?logKey=" + t.logKey(), "--key", t.keys().resolve("alice.key"),
        "--batch", batchOf(300, "acme/c"));
    // A record under the full tile is replaced by garbage: a prover that scanned the log would trip on it.
    sql(t.db(), "update custody_entries set record = 'garbage'::bytea where log_index = 100");

    Cli.Result p = Cli.run("prove", "inclusion", "acme/c:5", "--ledger", t.db().text(), "--json");
    Cli.Result c = Cli.run("prove", "consistency", "--from", "7", "--ledger", t.db().text(), "--json");
    Cli.Result v = Cli.run("verify", "--ledger", t.db().text(), "--trust", t.keys(), "--log-key", t.vkey());

    assertThat(p.code()).as(p.toString()).isZero();
    assertThat(p.json().get("treeSize").asLong()).isEqualTo(301);
    assertThat(c.code()).as(c.toString()).isZero();
    assertThat(v.code()).as("verify trusts nothing in the database: %s", v).isEqualTo(1);
  }

  @Test
  void prove_newestCheckpointGarbled_refusedExit2NamingWhereOnADirectoryAndOnAUrl() throws Exception {
    Twins t = twins(3);
    Files.writeString(t.dir().resolve("checkpoint"), "garbage\n");
    sql(t.db(), "update custody_checkpoints set note = 'garbage'::bytea where tree_size = 3");

    Cli.Result onDir = Cli.run("prove", "inclusion", "acme/a:0", "--ledger", t.dir());
    Cli.Result onUrl = Cli.run("prove", "inclusion", "acme/a:0", "--ledger", t.db().text());

    assertThat(onDir.code()).as(onDir.toString()).isEqualTo(2);
    assertThat(onUrl.code()).as(onUrl.toString()).isEqualTo(2);
    assertThat(onDir.out()).isEmpty();
    assertThat(onUrl.out()).isEmpty();
    assertThat(onDir.err()).contains("checkpoint': not a checkpoint of this ledger's log");
    assertThat(onUrl.err()).contains("the newest checkpoint in '" + t.db().text() + "': not a checkpoint of this"
        + " ledger's log");
  }

  @Test
  void checkpoint_urlWithAMissingLogKeyFile_refusedExit2NothingStored() throws Exception {
    Twins t = twins(1);
    Cli.ok("record", "annotation", "--ledger", t.db().text(), "--chain", "acme/a", "--key",
        t.keys().resolve("alice.key"), "--text", "keyless");
    List<Long> before = checkpointSizes(t.db());

    Cli.Result r = Cli.run("checkpoint", "--ledger", t.db().text(), "--log-private-key", tmp.resolve("nowhere.key"));

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("nowhere.key");
    assertThat(checkpointSizes(t.db())).isEqualTo(before);
  }

  @Test
  void checkpoint_urlWhoseDatabaseHoldsAnotherNoteForTheSize_refusedExit2NothingChanged() throws Exception {
    Twins t = twins(1);
    Cli.ok("record", "annotation", "--ledger", t.db().text(), "--chain", "acme/a", "--key",
        t.keys().resolve("alice.key"), "--text", "keyless");
    // A planted row for size 2: the size-1 note (a validly signed checkpoint, of another tree head).
    sql(t.db(), "insert into custody_checkpoints (tree_size, note) select 2, note from custody_checkpoints"
        + " where tree_size = 1");
    List<Long> before = checkpointSizes(t.db());

    Cli.Result r = Cli.run("checkpoint", "--ledger", t.db().text(), "--log-private-key", t.logKey());

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("custody_checkpoints row 2 holds a checkpoint of size 1");
    assertThat(checkpointSizes(t.db())).isEqualTo(before);
  }
}
