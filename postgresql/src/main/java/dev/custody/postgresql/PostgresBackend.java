package dev.custody.postgresql;

import dev.custody.attest.internal.store.LogBackend;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.attest.internal.store.StoredCheckpoints;
import dev.custody.attest.internal.store.TreeKeeper;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.CheckpointException;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.NoteVerificationException;
import dev.custody.core.note.SignedNote;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.security.MessageDigest;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The {@link LogBackend} of a ledger in a PostgreSQL database (tables in {@code V1__ledger.sql}).
 *
 * <p><b>The write lock</b> is a session-level advisory lock ({@code pg_advisory_lock}) on a connection
 * held from {@link #lock()} to the lock's close: one writer at a time across threads, processes and
 * machines. If that connection breaks, the server drops the lock with the session; the unique keys
 * (log index; chain and sequence; hash) still make a fork or a duplicate impossible to insert.
 * Checkpoints are signed under the same lock, so exactly one writer signs at a time, and the
 * checkpoint table's key (tree size) refuses a second checkpoint for one size.
 *
 * <p><b>Catch-up</b> reads the rows past this backend's last known log index; a <b>durable write</b>
 * is one transaction inserting the batch's rows and moving their chains' heads, committed (with the
 * server's {@code synchronous_commit}: on a synchronous standby too). When a commit fails with the
 * connection (server killed), whether it happened is checked on a new connection before the batch is
 * failed: an append is acknowledged, or fails with nothing of it stored, never both.
 *
 * <p><b>Derived data</b>: the Merkle tree's full tiles in {@code custody_tiles} ({@link PostgresTiles}),
 * written after the acknowledgement; the writer proves what it signs from its largest checkpoint and
 * the records ({@link TreeKeeper}), never from the tiles alone.
 */
final class PostgresBackend implements LogBackend {
  /** How long a writer keeps asking whether a commit whose answer was lost happened (a server restart or failover). */
  private static final long ASK_AFTER_FAILED_COMMIT_NANOS = 60_000_000_000L;
  /** The advisory lock key of a custody ledger (a database holds one ledger): "custody" in ASCII. */
  static final long LOCK_KEY = 0x637573746f6479L;

  private final DataSource ds;
  private final String where;
  private final boolean readOnly;
  private final Optional<LogIdentity> identity;
  /** Guards heads, size and the tree ({@link #treeMonitor()}). */
  private final Object state = new Object();
  private final Map<String, ChainHead> heads = new HashMap<>();
  private volatile long size;
  private final TreeKeeper tree;
  private final List<String> repairs = new ArrayList<>();
  /** A reader's newest checkpoint, read in the snapshot its size and heads come from ({@link #recover()}). */
  private volatile Optional<byte[]> snapshotCheckpoint = Optional.empty();
  private static final String NEWEST_CHECKPOINT = "select note from custody_checkpoints order by tree_size desc limit 1";
  /** The connection holding the advisory lock; set by {@link #lock()} on the committer's thread. */
  private volatile Connection lockConnection;

  private PostgresBackend(DataSource ds, String where, boolean readOnly, Optional<LogIdentity> identity)
      throws IOException {
    this.ds = ds;
    this.where = where;
    this.readOnly = readOnly;
    this.identity = identity;
    this.tree = TreeKeeper.open(new PostgresTiles(ds, where), (n, visitor) -> readRecords(0, n, visitor),
        describe(), !readOnly, this::note);
    if (!readOnly) {
      tree.deferTileWrites();
    }
  }

  /** A backend over the ledger in {@code ds}, with what the database holds read ({@link #recover()}). */
  static PostgresBackend open(DataSource ds, String where, boolean readOnly, Optional<LogIdentity> identity)
      throws IOException, FormatException {
    PostgresBackend b = new PostgresBackend(ds, where, readOnly, identity);
    b.recover();
    return b;
  }

  /**
   * Reads the chain heads and the log size in one snapshot, then the records the tiles do not cover
   * (their leaves); a tree longer than the log is rebuilt from the records.
   */
  private void recover() throws IOException, FormatException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      long n;
      try (Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("select coalesce(max(log_index) + 1, 0) from custody_entries")) {
          rs.next();
          n = rs.getLong(1);
        }
        synchronized (state) {
          try (ResultSet rs = s.executeQuery("select chain, sequence, hash, log_index from custody_chain_heads")) {
            while (rs.next()) {
              ChainHead h = new ChainHead(rs.getString(1), rs.getLong(2), digest(rs.getBytes(3), "custody_chain_heads"),
                  rs.getLong(4));
              if (h.logIndex() >= n) {
                throw new FormatException(where + ": custody_chain_heads puts the head of chain " + Untrusted.quote(h.chain())
                    + " at log index " + h.logIndex() + " but the log holds " + n + " entries; run 'custody verify'");
              }
              heads.put(h.chain(), h);
            }
          }
          size = n;
        }
        // The heads are the rows they point at, and no chain goes on past its head.
        try (ResultSet rs = s.executeQuery("select h.chain from custody_chain_heads h left join custody_entries e"
            + " on e.log_index = h.log_index where e.log_index is null or e.chain <> h.chain or e.sequence <> h.sequence"
            + " or e.hash <> h.hash or exists (select 1 from custody_entries x where x.chain = h.chain"
            + " and x.sequence = h.sequence + 1) limit 1")) {
          if (rs.next()) {
            throw new FormatException(where + ": custody_chain_heads does not match custody_entries for chain "
                + Untrusted.quote(rs.getString(1)) + "; nothing may be appended. Run 'custody verify'");
          }
        }
        if (readOnly) {
          // A reader's newest checkpoint is its snapshot's: not one a writer signed for entries it cannot see.
          try (ResultSet rs = s.executeQuery(NEWEST_CHECKPOINT)) {
            snapshotCheckpoint = rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
          }
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw sqlFailure("reading the chain heads", e);
    }
    synchronized (state) {
      if (tree.size() > size) {
        rebuildTree("the tiles cover " + tree.size() + " leaves but the ledger holds " + size + " records");
      } else if (tree.size() < size) {
        readRecords(tree.size(), size, bytes -> tree.appendRecord(bytes, 0, bytes.length));
      }
    }
    if (!readOnly) {
      tree.writeTiles();
    }
  }

  @Override
  public WriteLock lock() throws IOException {
    Connection c;
    try {
      c = ds.getConnection();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("select pg_advisory_lock(" + LOCK_KEY + ")");
      }
    } catch (SQLException e) {
      throw sqlFailure("taking the ledger's write lock", e);
    }
    lockConnection = c;
    return () -> {
      lockConnection = null;
      try (c) {
        if (!c.isClosed()) {
          try (Statement s = c.createStatement()) {
            s.execute("select pg_advisory_unlock(" + LOCK_KEY + ")");
          }
        }
      } catch (SQLException e) {
        // The session is gone, and the lock with it.
      }
    };
  }

  private Connection locked() {
    Connection c = lockConnection;
    if (c == null) {
      throw new IllegalStateException(describe() + ": the write lock is not held");
    }
    return c;
  }

  @Override
  public void catchUp() throws IOException, FormatException {
    Connection c = locked();
    long before = tree.size();
    try {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "select log_index, chain, sequence, hash, record from custody_entries where log_index >= ? order by log_index")) {
        ps.setFetchSize(1000);
        ps.setLong(1, size);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            synchronized (state) {
              ingest(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4), rs.getBytes(5));
            }
          }
        }
      } finally {
        c.commit();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw sqlFailure("reading the entries other writers appended", e);
    }
    if (!readOnly && tree.size() != before) {
      tree.writeTiles();
    }
  }

  /** Adds a row another writer committed: it must be the next log index and continue its chain. Caller holds {@link #state}. */
  private void ingest(long logIndex, String chain, long sequence, byte[] hash, byte[] record) throws FormatException {
    String row = where + ": custody_entries row " + logIndex;
    if (logIndex != size) {
      throw new FormatException(row + " follows log index " + (size - 1) + " (a gap); run 'custody verify'");
    }
    Digest d = digest(hash, row);
    if (!MessageDigest.isEqual(Digest.sha256(record).value().toByteArray(), hash)) {
      throw new FormatException(row + ": the hash column is not the SHA-256 of the record; run 'custody verify'");
    }
    ChainHead h = heads.get(chain);
    long expected = h == null ? 0 : h.sequence() + 1;
    if (sequence != expected) {
      throw new FormatException(row + ": chain " + Untrusted.quote(chain) + " sequence " + sequence + ", expected "
          + expected + "; run 'custody verify'");
    }
    heads.put(chain, new ChainHead(chain, sequence, d, logIndex));
    if (tree.size() == size) {
      tree.appendRecord(record, 0, record.length);
    }
    size = logIndex + 1;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Optional<ChainHead> head(String chain) {
    synchronized (state) {
      return Optional.ofNullable(heads.get(chain));
    }
  }

  /** All chains' heads, sorted by chain id. */
  List<ChainHead> chains() {
    synchronized (state) {
      return new ArrayList<>(new TreeMap<>(heads).values());
    }
  }

  @Override
  public WriteTimes writeDurably(List<NewRecord> records) throws IOException {
    Connection c = locked();
    long t0 = System.nanoTime();
    long first = size;
    Map<String, ChainHead> moved = new LinkedHashMap<>();
    long t1;
    try {
      c.setAutoCommit(false);
      try (PreparedStatement ins = c.prepareStatement(
          "insert into custody_entries (log_index, chain, sequence, hash, record) values (?, ?, ?, ?, ?)");
          PreparedStatement heads = c.prepareStatement(
              "insert into custody_chain_heads (chain, sequence, hash, log_index) values (?, ?, ?, ?)"
                  + " on conflict (chain) do update set sequence = excluded.sequence, hash = excluded.hash,"
                  + " log_index = excluded.log_index where custody_chain_heads.sequence < excluded.sequence")) {
        long i = first;
        for (NewRecord r : records) {
          ins.setLong(1, i);
          ins.setString(2, r.chain());
          ins.setLong(3, r.sequence());
          ins.setBytes(4, r.hash().value().toByteArray());
          ins.setBytes(5, r.bytes());
          ins.addBatch();
          moved.remove(r.chain());
          moved.put(r.chain(), new ChainHead(r.chain(), r.sequence(), r.hash(), i));
          i++;
        }
        ins.executeBatch();
        for (ChainHead h : moved.values()) {
          heads.setString(1, h.chain());
          heads.setLong(2, h.sequence());
          heads.setBytes(3, h.hash().value().toByteArray());
          heads.setLong(4, h.logIndex());
          heads.addBatch();
        }
        heads.executeBatch();
      }
      t1 = System.nanoTime();
    } catch (SQLException e) {
      rollback(c);
      throw sqlFailure("writing " + records.size() + " entries (nothing of them was stored)", e);
    }
    try {
      c.commit();
    } catch (SQLException e) {
      if (!committedAnyway(first, records)) {
        throw sqlFailure("committing " + records.size() + " entries (they were not stored)", e);
      }
      note("the commit of log indexes " + first + "-" + (first + records.size() - 1) + " reported " + e.getMessage()
          + " but the entries are in the database: acknowledged");
    }
    long t2 = System.nanoTime();
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      // The connection broke after the commit; the lock's close discards it.
    }
    synchronized (state) {
      long i = first;
      for (NewRecord r : records) {
        heads.put(r.chain(), new ChainHead(r.chain(), r.sequence(), r.hash(), i));
        tree.appendRecord(r.bytes(), 0, r.bytes().length);
        i++;
      }
      size = i;
    }
    return new WriteTimes(t1 - t0, t2 - t1, 1);
  }

  /**
   * After a failed commit: whether the batch is in the database all the same (the server committed
   * and the connection broke before the answer came). Asked on a new connection, retried while the
   * server restarts.
   *
   * @throws IOException if that cannot be known: the batch is not acknowledged and the writer stops
   */
  private boolean committedAnyway(long first, List<NewRecord> records) throws IOException {
    NewRecord last = records.get(records.size() - 1);
    SQLException failure = null;
    long deadline = System.nanoTime() + ASK_AFTER_FAILED_COMMIT_NANOS;
    while (System.nanoTime() < deadline) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("select hash from custody_entries where log_index = ?")) {
        ps.setLong(1, first + records.size() - 1);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          if (MessageDigest.isEqual(rs.getBytes(1), last.hash().value().toByteArray())) {
            return true;
          }
          return false;
        }
      } catch (SQLException e) {
        failure = e;
        sleep(1000);
      }
    }
    throw new IOException(describe() + ": the commit of log indexes " + first + "-" + (first + records.size() - 1)
        + " failed and the server could not be asked whether it happened: " + (failure == null ? "no answer" : failure.getMessage())
        + ". The appends are not acknowledged; 'custody log' shows whether they are there once the server is back",
        failure);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // The transaction dies with a broken connection.
    }
  }

  @Override
  public void writeDerived() {
    tree.writeTiles();
  }

  @Override
  public void closeWriter() {
    // Nothing is held open between batches: the lock's connection goes back to the pool.
  }

  @Override
  public void note(String message) {
    synchronized (repairs) {
      repairs.add(message);
    }
  }

  List<String> repairs() {
    synchronized (repairs) {
      return List.copyOf(repairs);
    }
  }

  @Override
  public String describe() {
    return "ledger " + where;
  }

  @Override
  public Object treeMonitor() {
    return state;
  }

  @Override
  public TreeKeeper tree() {
    return tree;
  }

  @Override
  public void readRecords(long from, long to, RecordVisitor visitor) throws IOException, FormatException {
    if (from >= to) {
      return;
    }
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "select log_index, record from custody_entries where log_index >= ? and log_index < ? order by log_index")) {
        ps.setFetchSize(1000);
        ps.setLong(1, from);
        ps.setLong(2, to);
        long next = from;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getLong(1) != next) {
              break;
            }
            visitor.record(rs.getBytes(2));
            next++;
          }
        }
        c.commit();
        if (next != to) {
          throw new FormatException(describe() + ": custody_entries has no row for log index " + next + " while its"
              + " records up to " + to + " were read; run 'custody verify'");
        }
      }
    } catch (SQLException e) {
      throw sqlFailure("reading entries " + from + "-" + (to - 1), e);
    }
  }

  @Override
  public void rebuildTree(String why) throws IOException, FormatException {
    tree.rebuild(size, why);
  }

  @Override
  public List<StoredCheckpoints.Stored> bindingCheckpoints() throws IOException, FormatException {
    return newestCheckpoint().map(List::of).orElse(List.of());
  }

  @Override
  public Optional<StoredCheckpoints.Stored> newestCheckpoint() throws IOException, FormatException {
    if (identity.isEmpty()) {
      return Optional.empty();
    }
    Optional<byte[]> note;
    long rowSize;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select tree_size, note from custody_checkpoints order by tree_size desc limit 1")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      rowSize = rs.getLong(1);
      note = Optional.of(rs.getBytes(2));
    } catch (SQLException e) {
      throw sqlFailure("reading the newest checkpoint", e);
    }
    String name = LedgerLayout.CHECKPOINTS + "/" + rowSize;
    try {
      var cp = CheckpointVerifier.forLog(identity.get().origin(), identity.get().verifierKey()).verify(note.get()).checkpoint();
      if (cp.size() != rowSize) {
        throw new FormatException(where + ": custody_checkpoints row " + rowSize + " holds a checkpoint of size " + cp.size());
      }
      return Optional.of(new StoredCheckpoints.Stored(name, cp));
    } catch (NoteVerificationException | CheckpointException | FormatException e) {
      throw new FormatException(where + ": custody_checkpoints row " + rowSize + " is not a checkpoint signed by this"
          + " ledger's log key " + identity.get().verifierKey() + ": " + e.getMessage() + ". Refusing to append or sign:"
          + " the largest stored checkpoint decides what the log may sign next; run 'custody verify'", e);
    }
  }

  /** The bytes of the newest stored checkpoint, not verified; a reader's is the newest in its snapshot. */
  Optional<byte[]> latestCheckpointBytes() throws IOException {
    if (readOnly) {
      return snapshotCheckpoint.map(byte[]::clone);
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(NEWEST_CHECKPOINT)) {
      return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
    } catch (SQLException e) {
      throw sqlFailure("reading the newest checkpoint", e);
    }
  }

  @Override
  public void storeCheckpoint(SignedNote note, long treeSize) throws IOException {
    byte[] bytes = note.encoded();
    Connection c = locked();
    try {
      try (PreparedStatement ps = c.prepareStatement(
          "insert into custody_checkpoints (tree_size, note) values (?, ?) on conflict (tree_size) do nothing")) {
        ps.setLong(1, treeSize);
        ps.setBytes(2, bytes);
        if (ps.executeUpdate() == 1) {
          return;
        }
      }
      try (PreparedStatement ps = c.prepareStatement("select note from custody_checkpoints where tree_size = ?")) {
        ps.setLong(1, treeSize);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && MessageDigest.isEqual(rs.getBytes(1), bytes)) {
            return;
          }
        }
      }
    } catch (SQLException e) {
      throw sqlFailure("storing the checkpoint of tree size " + treeSize, e);
    }
    throw new IOException(where + ": custody_checkpoints already holds a different checkpoint for tree size " + treeSize
        + "; refusing to sign a second tree head for the same size (that would be a fork)");
  }

  private static Digest digest(byte[] hash, String where) throws FormatException {
    if (hash == null || hash.length != 32) {
      throw new FormatException(where + ": a hash column is not 32 bytes; run 'custody verify'");
    }
    return Digest.ofSha256(hash);
  }

  IOException sqlFailure(String what, SQLException e) {
    // A batch's failure repeats every statement of the batch (records in hex); the server's reason is the next one.
    SQLException reason = e instanceof BatchUpdateException && e.getNextException() != null ? e.getNextException() : e;
    return new IOException(describe() + ": " + what + " failed: " + reason.getMessage() + " (SQL state "
        + reason.getSQLState() + ")", e);
  }
}
