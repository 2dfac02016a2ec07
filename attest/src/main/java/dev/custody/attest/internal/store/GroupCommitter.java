package dev.custody.attest.internal.store;

import dev.custody.attest.AttestException;
import dev.custody.attest.SignedEntry;
import dev.custody.attest.internal.store.LogStore.Appended;
import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.attest.internal.store.LogStore.RecordMaker;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * The append queue and group commit every store shares (Tessera's {@code storage/internal/queue.go}
 * and the sequencing half of its drivers' {@code sequenceBatch}); the storage steps are the
 * {@link LogBackend}'s.
 *
 * <p><b>An append</b> makes (signs) its record in the caller's thread, for the position the chain's
 * newest queued entry implies, so signing runs on all cores and overlaps the disk; the record is
 * checked (one line, within the size limit, a well-formed entry naming the chain, sequence and
 * {@code prev} it was made for) before it is queued.
 *
 * <p><b>A commit.</b> One committer thread takes every queued append (at most {@value #MAX_BATCH}),
 * takes the backend's write lock, catches up with other writers, and writes the records whose
 * position is still their chain's next one as they are; a record whose position moved (another
 * process appended to its chain, or an earlier append failed) is made again for its true position.
 * Then one durable write ({@link LogBackend#writeDurably}: one fsync of the segment) carries the
 * whole batch, and the appends are <b>acknowledged</b> (their futures complete). Only then, still
 * under the lock, come the derived files ({@link LogBackend#writeDerived()}) and, when due, a
 * checkpoint ({@link Checkpointer}): neither adds latency to the acknowledged appends. Appends that
 * arrive while a commit is in flight queue up and form the next batch.
 *
 * <p><b>Failures.</b> A maker's failure fails that append only. A damaged log (the backend's
 * {@link FormatException} on catch-up) fails the batch and the committer goes on. A failed durable
 * write or a foreign write fails the batch and every queued append, and the committer stops (the
 * store is closed): nothing of the batch was acknowledged and the backend left nothing of it.
 *
 * <p><b>Closing</b> finishes every accepted append (their futures complete as usual), then, when
 * this store appended since the last checkpoint and automatic checkpoints are on, signs a final one
 * ({@link Checkpointer#signIfBehind()}), so that a short run does not end unchecked. The committer
 * is never interrupted: an interrupt closes NIO channels in the middle of a write and would fail
 * appends already accepted.
 */
public final class GroupCommitter {
  /** Most appends written by one durable write. */
  static final int MAX_BATCH = 4096;

  private final LogBackend backend;
  private final Optional<Checkpointer> checkpointer;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  /** Orders {@link #append} against {@link #close}, so that no request is queued after {@link #STOP}. */
  private final Object accepting = new Object();
  /** Guarded by {@link #accepting} for writes. */
  private volatile boolean closed;
  private final Map<String, ChainSlot> slots = new ConcurrentHashMap<>();
  /** Committer thread: whether this store wrote records that no checkpoint it signed covers yet. */
  private boolean appendedSinceCheckpoint;
  /** Guarded by this object: the counters of {@link CommitStats}. */
  private final long[] times = new long[Phase.values().length];
  private long batches;
  private long appends;
  private long syncs;

  private enum Phase { WAITING, LOCK, SEQUENCE, WRITE, SYNC, ACK, DERIVED, CHECKPOINT }

  /**
   * An append, with the record its caller already made for the position the store expected then.
   * The committer writes {@code record} as is when that position is still the chain's next one
   * (the common case), and calls {@code maker} again under the lock when it is not.
   */
  private record Request(String chain, RecordMaker maker, CompletableFuture<Appended> result, long sequence,
      Optional<Digest> prev, byte[] record, Digest hash) {}

  /**
   * Queued last by {@link #close}: the committer finishes everything before it, then stops. It is no
   * append: its fields are placeholders, never read (it is taken out of every batch before use).
   */
  private static final Request STOP = new Request("", (sequence, prev) -> {
    throw new IllegalStateException("STOP makes no record");
  }, new CompletableFuture<>(), -1, Optional.empty(), new byte[0], Digest.sha256(new byte[0]));

  /**
   * Per chain: the lock under which its appends are made, and the newest entry made for it that is
   * queued or written. Making entries of different chains in the callers' threads spreads signing
   * over the cores and overlaps it with the committer's fsync.
   */
  private static final class ChainSlot {
    /** Guarded by this slot; null when nothing is reserved. */
    @Nullable ChainHead reserved;
  }

  /**
   * @param checkpointer signs automatic checkpoints after batches and the final one on close; empty
   *     when the log has no identity
   */
  public GroupCommitter(LogBackend backend, Optional<Checkpointer> checkpointer, String threadName) {
    this.backend = backend;
    this.checkpointer = checkpointer;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Queues the next entry of {@code chain}; see {@link LogStore#append}. */
  public CompletableFuture<Appended> append(String chain, RecordMaker maker) {
    CompletableFuture<Appended> f = new CompletableFuture<>();
    EntryPayload.requireChainId(chain);
    ChainSlot slot = slots.computeIfAbsent(chain, c -> new ChainSlot());
    synchronized (slot) {
      // The newest of what this process queued and what the log holds (which may include other
      // processes' appends seen at the last batch); the committer re-checks under the lock.
      ChainHead committed = backend.head(chain).orElse(null);
      ChainHead h = slot.reserved != null && (committed == null || slot.reserved.sequence() >= committed.sequence())
          ? slot.reserved : committed;
      long seq = h == null ? 0 : h.sequence() + 1;
      Optional<Digest> prev = h == null ? Optional.empty() : Optional.of(h.hash());
      Request r;
      try {
        Made m = make(maker, chain, seq, prev);
        r = new Request(chain, maker, f, seq, prev, m.record, m.hash);
      } catch (AttestException | RuntimeException e) {
        f.completeExceptionally(e);
        return f;
      }
      synchronized (accepting) {
        if (closed) {
          f.completeExceptionally(new IllegalStateException(backend.describe() + " is closed"));
          return f;
        }
        queue.add(r);
      }
      slot.reserved = new ChainHead(chain, seq, r.hash, -1);
    }
    return f;
  }

  /** Stops accepting appends, finishes those accepted, signs a final checkpoint if due, and stops the thread. */
  public void close() {
    synchronized (accepting) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the committer did so far. */
  public synchronized CommitStats stats() {
    return new CommitStats(batches, appends, syncs, times[Phase.WAITING.ordinal()], times[Phase.LOCK.ordinal()],
        times[Phase.SEQUENCE.ordinal()], times[Phase.WRITE.ordinal()], times[Phase.SYNC.ordinal()],
        times[Phase.ACK.ordinal()], times[Phase.DERIVED.ordinal()], times[Phase.CHECKPOINT.ordinal()]);
  }

  /** Adds the time since {@code since} to {@code phase}; returns now. */
  private synchronized long took(Phase phase, long since) {
    long now = System.nanoTime();
    times[phase.ordinal()] += now - since;
    return now;
  }

  // ---------------------------------------------------------------- committer thread

  private void run() {
    List<Request> batch = new ArrayList<>();
    try {
      while (true) {
        long t = System.nanoTime();
        Request first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          continue; // only close() stops the committer, so that no accepted append is dropped
        }
        took(Phase.WAITING, t);
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        boolean stop = batch.remove(STOP);
        if (!batch.isEmpty()) {
          commit(batch);
        }
        batch.clear();
        if (stop) {
          try {
            finalCheckpoint();
          } finally {
            backend.closeWriter();
          }
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      failAll(batch, e);
      List<Request> rest = new ArrayList<>();
      synchronized (accepting) {
        closed = true;
        queue.drainTo(rest);
      }
      rest.remove(STOP);
      failAll(rest, e);
      try {
        backend.closeWriter();
      } catch (IOException ignored) {
        // already failing with e
      }
    }
  }

  private static void failAll(List<Request> requests, Throwable e) {
    for (Request r : requests) {
      r.result.completeExceptionally(e);
    }
  }

  /** A record made for this batch, not yet durable. */
  private record Pending(Request request, LogBackend.NewRecord record) {}

  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  private void commit(List<Request> batch) throws IOException {
    long t = System.nanoTime();
    try (LogBackend.WriteLock lock = backend.lock()) {
      try {
        backend.catchUp();
      } catch (FormatException e) {
        failAll(batch, new AttestException("cannot append: " + e.getMessage(), e));
        return;
      }
      t = took(Phase.LOCK, t);
      List<Pending> pending = sequence(batch);
      t = took(Phase.SEQUENCE, t);
      if (pending.isEmpty()) {
        return;
      }
      long first = backend.size();
      List<LogBackend.NewRecord> records = new ArrayList<>(pending.size());
      pending.forEach(p -> records.add(p.record));
      LogBackend.WriteTimes w;
      try {
        w = backend.writeDurably(records);
      } catch (IOException e) {
        // Nothing of the batch was acknowledged, and the backend left nothing of it. Entries queued
        // after it were made on top of it; forget them so they are made again.
        forgetReservations();
        throw e;
      }
      synchronized (this) {
        times[Phase.WRITE.ordinal()] += w.writeNanos();
        times[Phase.SYNC.ordinal()] += w.syncNanos();
        syncs += w.syncs();
        batches++;
        appends += records.size();
      }
      t = System.nanoTime();
      for (int i = 0; i < pending.size(); i++) {
        LogBackend.NewRecord r = pending.get(i).record;
        pending.get(i).request.result.complete(new Appended(r.chain(), r.sequence(), first + i, r.hash()));
      }
      t = took(Phase.ACK, t);
      appendedSinceCheckpoint = true;
      backend.writeDerived();
      t = took(Phase.DERIVED, t);
      if (checkpointer.isPresent() && checkpointer.get().afterBatch()) {
        appendedSinceCheckpoint = false;
      }
      took(Phase.CHECKPOINT, t);
    }
  }

  /** The batch's records for their true positions (re-made where the position moved). Under the lock, caught up. */
  private List<Pending> sequence(List<Request> batch) {
    Map<String, ChainHead> batchHeads = new HashMap<>();
    List<Pending> pending = new ArrayList<>(batch.size());
    for (Request r : batch) {
      ChainHead head = batchHeads.containsKey(r.chain) ? batchHeads.get(r.chain) : backend.head(r.chain).orElse(null);
      long seq = head == null ? 0 : head.sequence() + 1;
      Optional<Digest> prev = head == null ? Optional.empty() : Optional.of(head.hash());
      byte[] record = r.record;
      Digest hash = r.hash;
      if (r.sequence != seq || !r.prev.equals(prev)) {
        // Another process appended to this chain, or an earlier append of it failed: make the
        // entry again for its true position.
        try {
          Made m = make(r.maker, r.chain, seq, prev);
          record = m.record;
          hash = m.hash;
        } catch (AttestException | RuntimeException e) {
          r.result.completeExceptionally(e);
          continue;
        }
        ChainSlot slot = Objects.requireNonNull(slots.get(r.chain), "append made the chain's slot before queueing");
        synchronized (slot) {
          if (slot.reserved == null || slot.reserved.sequence() <= seq) {
            slot.reserved = new ChainHead(r.chain, seq, hash, -1);
          }
        }
      }
      pending.add(new Pending(r, new LogBackend.NewRecord(r.chain, seq, hash, record)));
      batchHeads.put(r.chain, new ChainHead(r.chain, seq, hash, -1));
    }
    return pending;
  }

  private void forgetReservations() {
    for (ChainSlot slot : slots.values()) {
      synchronized (slot) {
        slot.reserved = null;
      }
    }
  }

  /** On close: a checkpoint covering what this store appended, if automatic checkpoints are on and none does yet. */
  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  private void finalCheckpoint() {
    if (!appendedSinceCheckpoint || checkpointer.isEmpty()) {
      return;
    }
    long t = System.nanoTime();
    try (LogBackend.WriteLock lock = backend.lock()) {
      backend.catchUp();
      checkpointer.get().signIfBehind();
    } catch (IOException | FormatException | RuntimeException e) {
      // Every append is durable and acknowledged; the ledger is only less checkpointed.
      backend.note("the final checkpoint on close failed: " + e.getMessage());
    }
    took(Phase.CHECKPOINT, t);
  }

  /** A record made for a position, and its hash. */
  private record Made(byte[] record, Digest hash) {}

  /**
   * The maker's record for {@code chain:seq} after {@code prev}, checked: a {@link RecordMaker#signed} one's is
   * in canonical form by construction ({@link SignedEntry}), so only its position and size are checked
   * (and, when assertions are on, as in the tests, all the rest too); any other record is parsed and
   * checked in full ({@link #checkRecord}).
   */
  private static Made make(RecordMaker maker, String chain, long seq, Optional<Digest> prev) throws AttestException {
    if (maker instanceof LogStore.Signed signed) {
      SignedEntry e = signed.maker().make(seq, prev);
      byte[] record = e.record();
      requireSize(record);
      requirePosition(e.chain(), e.sequence(), e.prev(), chain, seq, prev);
      assert checkRecord(record, chain, seq, prev).equals(e.hash()) : "the signer's record does not parse as made";
      return new Made(record, e.hash());
    }
    byte[] record = maker.make(seq, prev);
    return new Made(record, checkRecord(record, chain, seq, prev));
  }

  private static void requireSize(byte[] record) throws AttestException {
    if (record.length > EntryRecord.MAX_RECORD_BYTES) {
      throw new AttestException("entry is " + record.length + " bytes, over the limit of "
          + EntryRecord.MAX_RECORD_BYTES + "; keep large data in artifacts and record their digests");
    }
  }

  private static void requirePosition(String chain, long seq, Optional<Digest> prev, String assignedChain,
      long assignedSeq, Optional<Digest> assignedPrev) throws AttestException {
    if (!chain.equals(assignedChain) || seq != assignedSeq || !prev.equals(assignedPrev)) {
      throw new AttestException("new entry names " + chain + ":" + seq + " but the store assigned "
          + assignedChain + ":" + assignedSeq);
    }
  }

  /**
   * The maker must produce one line that names the chain, sequence and prev it was given.
   *
   * @return the record's hash
   */
  static Digest checkRecord(byte[] record, String chain, long seq, Optional<Digest> prev) throws AttestException {
    requireSize(record);
    // JSON admits line breaks as whitespace, but a stored record is one line of a segment: a break
    // would split it in two and make the ledger unreadable (LedgerLayout).
    for (int i = 0; i < record.length; i++) {
      if (record[i] == '\n' || record[i] == '\r') {
        throw new AttestException("refusing to store an entry containing a line break (at byte " + i
            + "); records are stored one per line");
      }
    }
    try {
      EntryRecord rec = EntryRecord.parse(record, "new entry");
      EntryPayload p = rec.payload("new entry");
      requirePosition(p.chain(), p.sequence(), p.prev(), chain, seq, prev);
      return rec.hash();
    } catch (FormatException e) {
      throw new AttestException("refusing to store a malformed entry: " + e.getMessage(), e);
    }
  }
}
