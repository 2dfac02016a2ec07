package dev.custody.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.custody.attest.AttestException;
import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.attest.internal.store.Checkpointer;
import dev.custody.attest.internal.store.GroupCommitter;
import dev.custody.attest.internal.store.LogBackend;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.CommittingLogStore;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.note.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link LogStore} in a PostgreSQL database, for many writers on many machines: the shared
 * {@link GroupCommitter} and {@link Checkpointer} over a {@link PostgresBackend} (advisory lock, one
 * transaction per batch, tiles and checkpoints in tables). Connections come from a HikariCP pool.
 *
 * <p><b>Log key.</b> The database holds the log's config and verifier key, never its private key: a
 * writer that signs checkpoints is given the key file ({@link Options#logKeyFile()}), written by
 * {@link #create} where the caller says. A writer without it appends but signs no checkpoint.
 */
public final class PostgresLogStore extends CommittingLogStore<PostgresBackend> {
  private final PostgresUrl url;
  private final HikariDataSource ds;
  private final PostgresArtifacts artifacts;

  private PostgresLogStore(PostgresUrl url, HikariDataSource ds, PostgresBackend backend, Optional<LogIdentity> identity,
      Optional<Checkpointer> checkpointer, Optional<GroupCommitter> committer) {
    super(backend, identity, checkpointer, committer);
    this.url = url;
    this.ds = ds;
    // A reader has no committer: its artifact store refuses writes, as its connections would.
    this.artifacts = new PostgresArtifacts(ds, url.text(), committer.isEmpty());
  }

  /**
   * How a store is opened.
   *
   * @param logKeyFile the log's private note key, for a writer that signs checkpoints
   * @param poolSize connections kept open (at least 2: the writer's lock holds one between batches)
   * @param env where {@code PGPASSWORD} and {@code PGUSER} are read ({@link System#getenv()})
   */
  public record Options(Optional<Path> logKeyFile, int poolSize, Map<String, String> env) {
    public Options {
      if (poolSize < 2) {
        throw new IllegalArgumentException("poolSize must be at least 2, got " + poolSize);
      }
      env = Map.copyOf(env);
    }

    /** No log key, 4 connections, the process environment. */
    public static Options defaults() {
      return new Options(Optional.empty(), 4, System.getenv());
    }

    public Options withLogKeyFile(Path file) {
      return new Options(Optional.of(file), poolSize, env);
    }

    public Options withoutLogKey() {
      return new Options(Optional.empty(), poolSize, env);
    }

    public Options withEnv(Map<String, String> newEnv) {
      return new Options(logKeyFile, poolSize, newEnv);
    }
  }

  /**
   * Creates the schema of an empty ledger without a log identity in the (empty) database at {@code url}.
   *
   * @throws FormatException if the database already holds a ledger
   */
  public static void create(PostgresUrl url, Options options) throws IOException, FormatException {
    try (HikariDataSource ds = pool(url, options, false, "create")) {
      PostgresSchema.create(ds, url.text());
      insertIdentity(ds, url, null, null);
    }
  }

  /**
   * Creates a ledger with a log identity for {@code config}: the schema, the config and verifier key in
   * the database, the new private log key in {@code logKeyFile} (created with mode 0600, never over an
   * existing file), then the signed checkpoint of the empty tree.
   *
   * @throws FormatException if the database already holds a ledger or the origin is not a valid key name
   */
  public static void create(PostgresUrl url, LogConfig config, Path logKeyFile, SecureRandom random, Options options)
      throws IOException, FormatException {
    Ed25519NoteSigner key = Ed25519NoteSigner.generate(config.origin(), random);
    DurableFiles.createPrivate(logKeyFile, (key.exportSecretPrivateKey() + "\n").getBytes(StandardCharsets.US_ASCII));
    try (HikariDataSource ds = pool(url, options, false, "create")) {
      PostgresSchema.create(ds, url.text());
      insertIdentity(ds, url, config.toBytes(), key.verifierKey().encode());
    }
    try (PostgresLogStore store = open(url, options.withLogKeyFile(logKeyFile))) {
      store.signCheckpoint();
    } catch (AttestException e) {
      throw new IOException("signing the first checkpoint of " + url + " failed: " + e.getMessage(), e);
    }
  }

  private static void insertIdentity(HikariDataSource ds, PostgresUrl url, byte[] config, String vkey) throws IOException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("insert into custody_log (id, config, verifier_key) values (1, ?, ?)")) {
      ps.setBytes(1, config);
      ps.setString(2, vkey);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("ledger " + url + ": storing the log identity failed: " + e.getMessage(), e);
    }
  }

  /** Opens a ledger for appending and reading. */
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  public static PostgresLogStore open(PostgresUrl url, Options options) throws IOException, FormatException {
    HikariDataSource ds = pool(url, options, false, "writer");
    try {
      PostgresSchema.check(ds, url.text(), true);
      requireWriter(ds, url);
      Optional<LogIdentity> identity = loadIdentity(ds, url, options);
      PostgresBackend backend = PostgresBackend.open(ds, url.text(), false, identity);
      Optional<Checkpointer> checkpointer = identity.map(id -> new Checkpointer(backend, id));
      try (LogBackend.WriteLock lock = backend.lock()) {
        backend.catchUp();
        if (checkpointer.isPresent()) {
          checkpointer.get().checkStored();
        }
      }
      GroupCommitter committer = new GroupCommitter(backend, checkpointer, "custody-committer postgresql");
      committer.start();
      return new PostgresLogStore(url, ds, backend, identity, checkpointer, Optional.of(committer));
    } catch (IOException | FormatException | RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /** Opens a ledger for reading only, through read-only connections: a snapshot as of the open. */
  public static PostgresLogStore openReadOnly(PostgresUrl url, Options options) throws IOException, FormatException {
    HikariDataSource ds = pool(url, options, true, "reader");
    try {
      PostgresSchema.check(ds, url.text(), false);
      Optional<LogIdentity> identity = loadIdentity(ds, url, options.withoutLogKey());
      PostgresBackend backend = PostgresBackend.open(ds, url.text(), true, identity);
      return new PostgresLogStore(url, ds, backend, identity, Optional.empty(), Optional.empty());
    } catch (IOException | FormatException | RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /**
   * Refuses, before anything is written, a writer whose role cannot write: read-only transactions (a reader
   * role's {@code default_transaction_read_only}, a standby) or a grant of the writer role missing (README, Roles).
   */
  private static void requireWriter(HikariDataSource ds, PostgresUrl url) throws IOException {
    String[][] needed = {{"custody_entries", "INSERT"}, {"custody_chain_heads", "INSERT"},
        {"custody_chain_heads", "UPDATE"}, {"custody_checkpoints", "INSERT"}, {"custody_tiles", "INSERT"},
        {"custody_tiles", "UPDATE"}};
    List<String> missing = new java.util.ArrayList<>();
    boolean readOnly;
    try (Connection c = ds.getConnection()) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select current_setting('transaction_read_only')")) {
        rs.next();
        readOnly = "on".equals(rs.getString(1));
      }
      try (PreparedStatement ps = c.prepareStatement("select has_table_privilege(?, ?)")) {
        for (String[] n : needed) {
          ps.setString(1, n[0]);
          ps.setString(2, n[1]);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
              missing.add(n[1] + " on " + n[0]);
            }
          }
        }
      }
    } catch (SQLException e) {
      throw new IOException("ledger " + url + ": checking the role's grants failed: " + e.getMessage(), e);
    }
    if (readOnly || !missing.isEmpty()) {
      throw new IOException("ledger " + url + ": this role may not append or sign checkpoints ("
          + (readOnly ? "its transactions are read-only" + (missing.isEmpty() ? "" : "; ") : "")
          + (missing.isEmpty() ? "" : "it lacks " + String.join(", ", missing)) + "); nothing was changed. Use a"
          + " role with the writer grants (README, 'Roles'); a reader role serves log, show, chains, verify, prove and info");
    }
  }

  private static Optional<LogIdentity> loadIdentity(HikariDataSource ds, PostgresUrl url, Options options)
      throws IOException, FormatException {
    byte[] config;
    String vkey;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select config, verifier_key from custody_log where id = 1")) {
      if (!rs.next()) {
        throw new FormatException("ledger " + url + ": custody_log has no row; the creation was interrupted. Drop the"
            + " database's custody tables (or the database) and run 'custody init' again");
      }
      config = rs.getBytes(1);
      vkey = rs.getString(2);
    } catch (SQLException e) {
      throw new IOException("ledger " + url + ": reading the log identity failed: " + e.getMessage(), e);
    }
    if (config == null) {
      return Optional.empty();
    }
    Optional<String> privateKey = Optional.empty();
    if (options.logKeyFile().isPresent()) {
      privateKey = Optional.of(Files.readString(options.logKeyFile().get(), StandardCharsets.US_ASCII));
    }
    try {
      return Optional.of(LogIdentity.of(LogConfig.parse(config, "custody_log.config of " + url), VerifierKey.parse(vkey),
          privateKey));
    } catch (FormatException e) {
      throw new FormatException("ledger " + url + ": " + e.getMessage()
          + options.logKeyFile().map(f -> " (log key file " + f + ")").orElse(""), e);
    }
  }

  static HikariDataSource pool(PostgresUrl url, Options options, boolean readOnly, String role) throws IOException {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url.jdbcUrl());
    cfg.setDataSourceProperties(url.properties(options.env()));
    cfg.setMaximumPoolSize(options.poolSize());
    cfg.setMinimumIdle(1);
    cfg.setReadOnly(readOnly);
    cfg.setPoolName("custody-" + role);
    cfg.setConnectionTimeout(10_000);
    try {
      return new HikariDataSource(cfg);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("cannot connect to the PostgreSQL ledger " + url + ": " + cause.getMessage(), e);
    }
  }

  /** The URL this store was opened with. */
  public PostgresUrl url() {
    return url;
  }

  /** The model manifests and certificate chains in {@code custody_manifests} and {@code custody_certificates}. */
  @Override
  public Optional<ArtifactStore> artifacts() {
    return Optional.of(artifacts);
  }

  @Override
  public List<ChainHead> chains() {
    return backend.chains();
  }

  @Override
  public long[] chainIndexes(String chain) {
    long n = backend.size();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select log_index from custody_entries where chain = ? and log_index < ? order by sequence")) {
      ps.setString(1, chain);
      ps.setLong(2, n);
      long[] out = new long[16];
      int k = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (k == out.length) {
            out = Arrays.copyOf(out, k * 2);
          }
          out[k++] = rs.getLong(1);
        }
      }
      return Arrays.copyOf(out, k);
    } catch (SQLException e) {
      throw new java.io.UncheckedIOException(backend.sqlFailure("listing the entries of a chain", e));
    }
  }

  @Override
  public OptionalLong indexOf(Digest hash) {
    long n = backend.size();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select log_index from custody_entries where hash = ? and log_index < ?")) {
      ps.setBytes(1, hash.value().toByteArray());
      ps.setLong(2, n);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw new java.io.UncheckedIOException(backend.sqlFailure("looking up an entry by hash", e));
    }
  }

  @Override
  public EntryRecord read(long logIndex) throws IOException, FormatException {
    if (logIndex < 0 || logIndex >= backend.size()) {
      throw new IndexOutOfBoundsException("log index " + logIndex + " of a ledger of " + backend.size() + " entries");
    }
    byte[] record;
    byte[] hash;
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("select record, hash from custody_entries where log_index = ?")) {
      ps.setLong(1, logIndex);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new FormatException("ledger " + url + ": custody_entries has no row for log index " + logIndex
              + " (the ledger holds " + backend.size() + "): a row was deleted; run 'custody verify'");
        }
        record = rs.getBytes(1);
        hash = rs.getBytes(2);
      }
    } catch (SQLException e) {
      throw backend.sqlFailure("reading log index " + logIndex, e);
    }
    EntryRecord rec = EntryRecord.parse(record, "ledger " + url + " log index " + logIndex);
    if (!MessageDigest.isEqual(rec.hash().value().toByteArray(), hash)) {
      throw new FormatException("ledger " + url + " log index " + logIndex + ": the record's SHA-256 is not its hash"
          + " column: the row was edited; run 'custody verify'");
    }
    return rec;
  }

  @Override
  public List<String> repairs() {
    return backend.repairs();
  }

  /** Finishes queued appends (signing a final checkpoint when due, as the file store does), then closes the pool. */
  @Override
  public void close() {
    super.close();
    ds.close();
  }

  @Override
  public Optional<byte[]> latestCheckpoint() throws IOException {
    return backend.latestCheckpointBytes();
  }

  @Override
  protected String noLogKeyAdvice() {
    return " to sign checkpoints with: give the log's private key file made by 'custody init' ($"
        + dev.custody.attest.StoreSettings.LOG_KEY_VARIABLE + ", ?logKey=PATH or, to 'custody checkpoint',"
        + " --log-private-key FILE)";
  }

  @Override
  protected String tilesRepairAdvice() {
    return "; delete the rows of custody_tiles and open the ledger for writing (e.g. 'custody checkpoint') to rebuild them";
  }
}
