package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.note.SignedNote;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What a store keeps, for the parts every store shares: the {@link GroupCommitter} (append queue,
 * sequencing, group commit, acknowledgement) and the {@link Checkpointer} (when to sign, and never
 * a fork). The split follows Tessera's storage drivers, whose POSIX and MySQL drivers share the
 * queue and the tree integration and implement only the storage steps of {@code sequenceBatch}.
 * A backend stores bytes, rows and tiles; it decides nothing about sequence numbers or signatures.
 *
 * <p><b>Calls and locks.</b> The shared parts call {@link #lock()} and, holding it, {@link #catchUp()},
 * then either {@link #writeDurably} followed by {@link #writeDerived()}, or the checkpoint methods.
 * {@link #size()} and {@link #head} may be called at any time from any thread. A backend's
 * {@link #treeMonitor()} guards its Merkle tree ({@link #tree()}) and what {@link #size()} reports,
 * so that readers never see one without the other.
 *
 * <p>The file backend is {@link FileBackend}; a database backend (issue 11) implements the same
 * methods over rows: the lock as a row lock or advisory lock, catch-up as a read of rows past its
 * last known log index, a durable write as one committed transaction.
 */
public interface LogBackend {

  /** A record the committer made and checked for the next position of its chain. */
  record NewRecord(String chain, long sequence, Digest hash, byte[] bytes) {}

  /** Where the time of one durable write went, in nanoseconds; {@code syncs} is the number of fsyncs (or commits) it took. */
  record WriteTimes(long writeNanos, long syncNanos, int syncs) {}

  /** The exclusive write lock, released by {@link #close()}. */
  interface WriteLock extends Closeable {
    @Override
    void close() throws IOException;
  }

  /** Blocks until this writer holds the log's exclusive write lock (excluding every other writer: threads, processes, machines). */
  WriteLock lock() throws IOException;

  /**
   * Under the lock: checks that nobody wrote without it, then learns what other writers appended
   * since this backend last looked (extending its heads, size and tree), so that {@link #head} and
   * {@link #size} are the truth until the lock is released.
   *
   * @throws ForeignWriteException if someone wrote without the lock; the writer must stop
   * @throws FormatException if the log is damaged: nothing may be appended to it
   */
  void catchUp() throws IOException, FormatException;

  /** Number of records (the next log index). */
  long size();

  /** The newest record of a chain, as far as this backend has seen. */
  Optional<ChainHead> head(String chain);

  /**
   * Under the lock, after {@link #catchUp()}: stores {@code records} as log indexes {@link #size()}
   * onwards and returns once they are durable — the acknowledgement point. On return, {@link #size()},
   * {@link #head}, reads and the tree include them. Derived data (indexes, tiles) need not be written
   * yet ({@link #writeDerived()}).
   *
   * @throws IOException if they could not be made durable; then none of them remains
   */
  WriteTimes writeDurably(List<NewRecord> records) throws IOException;

  /**
   * Under the lock, after the records of {@link #writeDurably} were acknowledged: writes what is
   * derived from them (a record index, hash tiles). Never fails an append: a failure is noted in
   * {@link #note}, and what is missing is rebuilt from the records on the next open.
   */
  void writeDerived();

  /** When the committer stops: releases what writing held open (a segment's channel). */
  void closeWriter() throws IOException;

  /** A repair or a problem worth reporting ({@link LogStore#repairs()}). */
  void note(String message);

  /** What messages call the log, e.g. "ledger /path/to/dir". */
  String describe();

  // ---- for the checkpointer

  /** The monitor guarding {@link #tree()} and {@link #size()}. */
  Object treeMonitor();

  /** The Merkle tree of the records (one object for the backend's life), fed by this backend as records are written or caught up with. */
  TreeKeeper tree();

  /**
   * The leaf bytes of records {@code [from, to)}, in log order, read from the records themselves
   * (never from derived data). Caller holds the tree monitor.
   */
  void readRecords(long from, long to, RecordVisitor visitor) throws IOException, FormatException;

  /** Receives the bytes of one record. */
  @FunctionalInterface
  interface RecordVisitor {
    void record(byte[] bytes);
  }

  /** Rebuilds the tree from the records ({@link TreeKeeper#rebuild}). Caller holds the tree monitor. */
  void rebuildTree(String why) throws IOException, FormatException;

  /** The stored checkpoints that bind the writer ({@link StoredCheckpoints#binding()}), verified. */
  List<StoredCheckpoints.Stored> bindingCheckpoints() throws IOException, FormatException;

  /** The newest stored checkpoint, verified, if any ({@link StoredCheckpoints#latest()}). */
  Optional<StoredCheckpoints.Stored> newestCheckpoint() throws IOException, FormatException;

  /** Stores a checkpoint signed for {@code size}; refuses a second, different one for the same size. Under the lock. */
  void storeCheckpoint(SignedNote note, long size) throws IOException;
}
