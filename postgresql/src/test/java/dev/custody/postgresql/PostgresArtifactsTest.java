package dev.custody.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.attest.StoredTimestamp;
import dev.custody.attest.internal.artifacts.ManifestStore;
import dev.custody.attest.internal.artifacts.ModelArtifacts;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.core.Digest;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests, certificate chains and OpenSSF signature files of a PostgreSQL ledger ({@code V2__artifacts.sql},
 * {@link PostgresArtifacts}) on a real server: kept through the {@link Ledger} as a directory keeps them,
 * exact bytes, never replaced — and what someone with database access can do to the rows.
 */
class PostgresArtifactsTest {
  private static final String KEY_A = "a".repeat(64);
  @TempDir Path tmp;
  private PostgresUrl url;
  private PostgresLogStore.Options options;

  @BeforeEach
  void setUp() throws Exception {
    url = PgServer.shared().newDatabase();
    options = PostgresLogStore.Options.defaults().withLogKeyFile(tmp.resolve("log.key"));
    PostgresLogStore.create(url, new LogConfig("example.org/artifacts", Optional.empty()), tmp.resolve("log.key"),
        new SecureRandom(), PostgresLogStore.Options.defaults());
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private byte[] manifestRow(Digest d) throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url));
        PreparedStatement ps = c.prepareStatement("select manifest from custody_manifests where digest = ?")) {
      ps.setBytes(1, d.value().toByteArray());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  private Path model(String name, String weights) throws IOException {
    Path m = Files.createDirectories(tmp.resolve(name));
    Files.writeString(m.resolve("config.json"), "{\"layers\":2}");
    Files.writeString(m.resolve("weights.bin"), weights);
    return m;
  }

  private static Digest bytesDigest(ArtifactRef ref) throws Exception {
    return ManifestFiles.manifestDigest(ref).orElseThrow();
  }

  /** Records {@code model} through a writer, returning the artifact. */
  private ArtifactRef keep(Path model) throws Exception {
    try (Ledger ledger = Ledger.over(PostgresLogStore.open(url, options), Clock.systemUTC())) {
      return ledger.model("model", model);
    }
  }

  /** The SQL state of what {@code statement} fails with. */
  private String refusal(String statement) {
    try {
      sql(statement);
    } catch (SQLException e) {
      return e.getSQLState();
    }
    throw new AssertionError("the schema accepted: " + statement);
  }

  @Test
  void model_postgresLedger_manifestRowHoldsTheExactBytesAndReadsBackChecked() throws Exception {
    Path model = model("m", "w1");
    ModelManifest expected = ModelArtifacts.hash(model, ModelHasher.builder(), null);

    ArtifactRef ref = keep(model);

    assertThat(ref.digest()).isEqualTo(expected.rootDigest());
    assertThat(manifestRow(bytesDigest(ref))).isEqualTo(expected.toJson());
    try (PostgresLogStore reader = PostgresLogStore.openReadOnly(url, options)) {
      assertThat(ManifestStore.over(reader.artifacts().orElseThrow()).get(ref)).isEqualTo(expected);
    }
  }

  @Test
  void model_sameModelTwice_oneRowKept() throws Exception {
    Path model = model("m", "w1");

    ArtifactRef first = keep(model);
    ArtifactRef second = keep(model);

    assertThat(second).isEqualTo(first);
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from custody_manifests")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }

  @Test
  void model_readOnlyLedger_refusedSayingReadOnlyAndNothingStored() throws Exception {
    Path model = model("m", "w1");
    try (Ledger ledger = Ledger.over(PostgresLogStore.openReadOnly(url, options), Clock.systemUTC())) {
      assertThatThrownBy(() -> ledger.model("model", model)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keeps no model manifests").hasMessageContaining("read-only");
    }
    assertThat(manifestRow(ModelArtifacts.hash(model, ModelHasher.builder(), null).rootDigest())).isNull();
  }

  @Test
  void schema_secondRowForOneDigest_refusedUniqueViolation() throws Exception {
    ArtifactRef ref = keep(model("m", "w1"));
    String hex = bytesDigest(ref).value().hex();

    // Other bytes fail the content check; the very same bytes fail the key: a stored manifest cannot be replaced.
    assertThat(refusal("insert into custody_manifests (digest, manifest) values ('\\x" + hex + "', '\\x00')"))
        .isEqualTo("23514");
    assertThat(refusal("insert into custody_manifests (digest, manifest) select digest, manifest from custody_manifests"))
        .isEqualTo("23505");
  }

  @Test
  void schema_rowSwappedBetweenDigests_refusedByTheContentCheck() throws Exception {
    ArtifactRef a = keep(model("a", "w1"));
    ArtifactRef b = keep(model("b", "w2"));
    String ha = bytesDigest(a).value().hex();
    String hb = bytesDigest(b).value().hex();

    assertThat(refusal("update custody_manifests set manifest = (select manifest from custody_manifests where digest = '\\x"
        + hb + "') where digest = '\\x" + ha + "'")).isEqualTo("23514");
    assertThat(refusal("update custody_manifests set digest = case when digest = '\\x" + ha + "' then '\\x" + hb
        + "'::bytea else '\\x" + ha + "'::bytea end")).isIn("23514", "23505");
  }

  @Test
  void schema_truncatedManifest_refusedByTheContentCheck() throws Exception {
    ArtifactRef ref = keep(model("m", "w1"));

    assertThat(refusal("update custody_manifests set manifest = substring(manifest from 1 for 10) where digest = '\\x"
        + bytesDigest(ref).value().hex() + "'")).isEqualTo("23514");
  }

  @Test
  void model_storedRowAlteredWithTheCheckDropped_refusedNotReplaced() throws Exception {
    Path model = model("m", "w1");
    ArtifactRef ref = keep(model);
    String hex = bytesDigest(ref).value().hex();
    sql("alter table custody_manifests drop constraint custody_manifests_check");
    sql("update custody_manifests set manifest = '\\x7b7d' where digest = '\\x" + hex + "'");

    assertThatThrownBy(() -> keep(model)).isInstanceOf(IOException.class)
        .hasMessageContaining("custody_manifests row sha256:" + hex).hasMessageContaining("holds other bytes")
        .hasMessageContaining("nothing was recorded");
    assertThat(manifestRow(bytesDigest(ref))).isEqualTo("{}".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void certificates_secondChainForOneKey_refusedAndTheFirstKept() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      ArtifactStore artifacts = store.artifacts().orElseThrow();
      assertThat(artifacts.createCertificateChain(KEY_A, "first".getBytes(StandardCharsets.US_ASCII))).isTrue();
      assertThat(artifacts.createCertificateChain(KEY_A, "second".getBytes(StandardCharsets.US_ASCII))).isFalse();
      assertThat(artifacts.certificateChain(KEY_A)).hasValueSatisfying(b ->
          assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("first"));
    }
    assertThat(refusal("insert into custody_certificates (key_id, chain) values ('" + KEY_A + "', '\\x00')"))
        .isEqualTo("23505");
  }

  private static final byte[] SIG = "{\"mediaType\":\"sig\"}".getBytes(StandardCharsets.US_ASCII);
  private static final String SIG_NAME = OmsSignatureFiles.signatureName(Digest.sha256(SIG));

  /** The bytes of the custody_oms_signatures row {@code name}; null if there is none. */
  private byte[] omsRow(String name) throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url));
        PreparedStatement ps = c.prepareStatement("select bytes from custody_oms_signatures where name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  private long omsRows() throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from custody_oms_signatures")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void putOmsFile_sameFileTwice_oneRowWithTheExactBytes() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      ArtifactStore artifacts = store.artifacts().orElseThrow();

      artifacts.putOmsFile(SIG_NAME, SIG);
      artifacts.putOmsFile(SIG_NAME, SIG.clone());
    }

    assertThat(omsRow(SIG_NAME)).isEqualTo(SIG);
    assertThat(omsRows()).isEqualTo(1);
  }

  @Test
  void putOmsFile_bytesNotTheNamesDigestOrNotAName_refusedBeforeAnythingIsStored() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      ArtifactStore artifacts = store.artifacts().orElseThrow();

      assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME, "other".getBytes(StandardCharsets.US_ASCII)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not have the digest");
      assertThatThrownBy(() -> artifacts.putOmsFile("../" + SIG_NAME, SIG))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the name");
      assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME.replace(".json", ".sh"), SIG))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the name");
    }
    assertThat(omsRows()).isZero();
  }

  @Test
  void putOmsFile_readOnlyStore_refusedSayingReadOnlyAndNothingStored() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.openReadOnly(url, options)) {
      ArtifactStore artifacts = store.artifacts().orElseThrow();

      assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME, SIG)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("OpenSSF signatures").hasMessageContaining("read-only");
    }
    assertThat(omsRows()).isZero();
  }

  @Test
  void putOmsFile_storedRowAlteredWithTheCheckDropped_refusedNamingTheRowNotReplaced() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      store.artifacts().orElseThrow().putOmsFile(SIG_NAME, SIG);
    }
    sql("alter table custody_oms_signatures drop constraint custody_oms_signatures_check");
    sql("update custody_oms_signatures set bytes = '\\x7b7d' where name = '" + SIG_NAME + "'");

    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      ArtifactStore artifacts = store.artifacts().orElseThrow();
      assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME, SIG)).isInstanceOf(IOException.class)
          .hasMessageContaining("custody_oms_signatures row " + SIG_NAME).hasMessageContaining("holds other bytes")
          .hasMessageContaining("nothing was recorded");
    }
    assertThat(omsRow(SIG_NAME)).isEqualTo("{}".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void schema_omsSignatureFileNotItsNameOrNotAName_refused() {
    String hex = Digest.sha256(new byte[] {1}).value().hex();

    assertThat(refusal("insert into custody_oms_signatures (name, bytes) values ('sha256-" + hex + ".json', '\\x02')"))
        .isEqualTo("23514");
    assertThat(refusal("insert into custody_oms_signatures (name, bytes) values ('../evil.json', '\\x01')"))
        .isEqualTo("23514");
    assertThat(refusal("insert into custody_oms_signatures (name, bytes) values ('sha256-" + hex + ".sh', '\\x01')"))
        .isEqualTo("23514");
  }

  private byte[] timestampRow(long size) throws SQLException {
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url));
        PreparedStatement ps = c.prepareStatement("select token from custody_checkpoint_timestamps where tree_size = ?")) {
      ps.setLong(1, size);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  @Test
  void putCheckpointTimestamp_storedCheckpoint_oneRowTheFirstTokenKeptNeverReplaced() throws Exception {
    byte[] first = {0x30, 0x01, 0x02};
    byte[] second = {0x30, 0x03};
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      byte[] note = store.signCheckpoint().encoded();
      ArtifactStore artifacts = store.artifacts().orElseThrow();
      String row = "custody_checkpoint_timestamps row 0 of " + artifacts.describe();

      assertThat(artifacts.putCheckpointTimestamp(0, note, first)).isEqualTo(new StoredTimestamp(List.of(row), false));
      assertThat(artifacts.putCheckpointTimestamp(0, note, first)).isEqualTo(new StoredTimestamp(List.of(row), false));
      assertThat(artifacts.putCheckpointTimestamp(0, note, second)).isEqualTo(new StoredTimestamp(List.of(row), true));
    }
    assertThat(timestampRow(0)).isEqualTo(first);
  }

  @Test
  void putCheckpointTimestamp_noSuchCheckpointOtherNoteBadTokenOrReadOnly_refusedNothingStored() throws Exception {
    try (PostgresLogStore store = PostgresLogStore.open(url, options)) {
      byte[] note = store.signCheckpoint().encoded();
      ArtifactStore artifacts = store.artifacts().orElseThrow();
      byte[] other = note.clone();
      other[other.length - 2] ^= 1;

      assertThatThrownBy(() -> artifacts.putCheckpointTimestamp(0, other, new byte[] {1}))
          .isInstanceOf(dev.custody.core.FormatException.class)
          .hasMessageContaining("custody_checkpoints row 0 of").hasMessageContaining("does not hold the checkpoint");
      assertThatThrownBy(() -> artifacts.putCheckpointTimestamp(7, note, new byte[] {1}))
          .isInstanceOf(dev.custody.core.FormatException.class).hasMessageContaining("custody_checkpoints row 7 of");
      assertThatThrownBy(() -> artifacts.putCheckpointTimestamp(0, note, new byte[0]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> artifacts.putCheckpointTimestamp(0, note,
          new byte[dev.custody.core.timestamp.TimestampToken.MAX_BYTES + 1])).isInstanceOf(IllegalArgumentException.class);
      try (PostgresLogStore reader = PostgresLogStore.openReadOnly(url, options)) {
        assertThatThrownBy(() -> reader.artifacts().orElseThrow().putCheckpointTimestamp(0, note, new byte[] {1}))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
      }
    }
    assertThat(timestampRow(0)).isNull();
    assertThat(timestampRow(7)).isNull();
  }

  @Test
  void schema_checkpointTimestampEmptyTooLargeOrNegativeSize_refused() {
    assertThat(refusal("insert into custody_checkpoint_timestamps (tree_size, token) values (1, '')")).isEqualTo("23514");
    assertThat(refusal("insert into custody_checkpoint_timestamps (tree_size, token) values (-1, '\\x01')"))
        .isEqualTo("23514");
    assertThat(refusal("insert into custody_checkpoint_timestamps (tree_size, token) values (1,"
        + " decode(repeat('00', 262145), 'hex'))")).isEqualTo("23514");
  }

  @Test
  void schema_certificateKeyIdNotAKeyId_refused() {
    assertThat(refusal("insert into custody_certificates (key_id, chain) values ('../../evil', '\\x00')"))
        .isEqualTo("23514");
  }

  @Test
  void copyToDirectory_rowsWithHostileKeysAfterTheChecksWereDropped_nameNoFileOutsideTheirDirectories()
      throws Exception {
    sql("alter table custody_certificates drop constraint custody_certificates_key_id_check");
    sql("alter table custody_manifests drop constraint custody_manifests_digest_check");
    sql("alter table custody_manifests drop constraint custody_manifests_check");
    sql("insert into custody_certificates (key_id, chain) values ('../../evil', '\\x00')");
    sql("insert into custody_manifests (digest, manifest) values ('\\x2e2e2f', '\\x00')");
    sql("insert into custody_certificates (key_id, chain) values ('" + KEY_A + "', '\\x01')");
    sql("alter table custody_oms_signatures drop constraint custody_oms_signatures_name_check");
    sql("alter table custody_oms_signatures drop constraint custody_oms_signatures_check");
    sql("insert into custody_oms_signatures (name, bytes) values ('../../evil.json', '\\x00')");
    Path copy = tmp.resolve("copy").resolve("ledger");

    PostgresCopy.toDirectory(url, copy, options);

    try (Stream<Path> all = Files.walk(tmp.resolve("copy"))) {
      assertThat(all.filter(Files::isRegularFile).map(p -> copy.relativize(p).toString().replace('\\', '/'))
          .filter(p -> p.startsWith("certificates/") || p.startsWith("manifests/") || p.startsWith("oms-signatures/")
              || p.contains("evil")))
          .containsExactly(CertificateFiles.DIR + "/" + KEY_A + ".pem");
    }
  }

  @Test
  void migrate_directoryWithADamagedManifest_refusedNamingItAndNothingStored() throws Exception {
    Path dir = tmp.resolve("dir");
    Ledger.create(dir);
    ArtifactRef ref;
    try (Ledger ledger = Ledger.open(dir)) {
      ref = ledger.model("model", model("m", "w1"));
    }
    Path file = ManifestFiles.path(dir, bytesDigest(ref));
    Files.writeString(file, "{}");
    PostgresUrl empty = PgServer.shared().newDatabase();

    assertThatThrownBy(() -> PostgresCopy.fromDirectory(dir, empty, options.withoutLogKey()))
        .hasMessageContaining(file.toString()).hasMessageContaining("altered or damaged");
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(empty)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from custody_entries")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  @Test
  void open_databaseAtSchemaVersion1_readerRefusesSayingSoAndTheFirstWriterAddsTheArtifactTables() throws Exception {
    // A database made by the custody before version 2: the ledger's tables, without the artifacts'.
    sql("drop table custody_manifests, custody_certificates, custody_oms_signatures, custody_checkpoint_timestamps");
    sql("delete from custody_schema_history where version = '2'");

    assertThatThrownBy(() -> PostgresLogStore.openReadOnly(url, options)).isInstanceOf(
        dev.custody.core.FormatException.class).hasMessageContaining("schema version 1, older than 2");
    keep(model("m", "w1"));

    try (PostgresLogStore reader = PostgresLogStore.openReadOnly(url, options)) {
      assertThat(reader.artifacts()).isPresent();
    }
    try (Connection c = PgServer.shared().connect(PgServer.databaseOf(url)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from custody_manifests")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }
}
