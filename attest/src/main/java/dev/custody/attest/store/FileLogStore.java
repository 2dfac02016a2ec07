package dev.custody.attest.store;

import dev.custody.attest.io.DurableFiles;
import dev.custody.attest.AttestException;
import dev.custody.core.FormatException;
import dev.custody.core.digest.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.ledger.LedgerLayout;
import dev.custody.core.ledger.LogReader;
import dev.custody.core.ledger.RawRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import dev.custody.attest.store.RecordIndex.Segment;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import dev.custody.core.bytes.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.ProofException;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.NoteVerificationException;
import dev.custody.core.note.SignedNote;
import dev.custody.core.checkpoint.CheckpointException;
import dev.custody.core.ledger.LedgerFiles;
import dev.custody.core.ledger.LogConfig;
import java.security.SecureRandom;

/**
 * The default {@link LogStore}: a ledger directory on local disk ({@link LedgerLayout}).
 *
 * <p><b>Durability and speed.</b> An append makes (signs) its record in the caller's thread, for the
 * position the chain's newest queued entry implies, so signing runs on all cores and overlaps the
 * disk. One committer thread writes the queued records in batches (group commit): while one batch
 * is being fsynced, new appends queue up and share the next fsync. A future completes only after
 * {@code fsync} of the segment (and of the directory when a segment was created) returned.
 *
 * <p><b>Several processes.</b> Each batch is written under an exclusive OS lock on {@code DIR/lock}.
 * After taking the lock the store reads whatever other processes appended since its last look, so
 * sequence numbers and {@code prev} links are assigned from the true head. Within one JVM, open
 * one store per directory and share it between threads; a second store on the same directory in
 * the same JVM works but waits for the first between batches.
 *
 * <p><b>Crashes.</b> A crash can leave at most the last line of the last segment unterminated.
 * On open and after taking the lock, such a tail is repaired: if it is a complete, valid record
 * that continues its chain, its newline is added (a complete record is never dropped); otherwise
 * its bytes are saved under {@code DIR/torn/} and the segment is truncated to the last complete
 * record. Any other damage found while parsing (a malformed record in the middle, a broken chain
 * link) makes the store refuse to open: nothing is ever rewritten to "fix" evidence; run
 * {@code custody verify}. Records covered by a consistent record index are not re-parsed on open
 * (see below); damage to them fails the read that meets it.
 *
 * <p><b>Record index.</b> Where each record is, its chain, sequence and hash are kept in
 * {@link RecordIndex} files under {@code DIR/index/} (format there), written by the writer after each
 * batch's fsync, so that opening does not parse every record. On open the rows are adopted only
 * while plausible (CRC, increasing offsets inside the segment, known chains, consecutive sequence
 * numbers) and while they cover each segment exactly; then the record of every chain head is parsed
 * and compared (hash, chain, sequence), the first and last record of each segment are hashed, and
 * the last leaf of the Merkle tiles is compared with the record the index puts there. Anything the
 * rows do not cover is parsed as before (catch-up from the last good row); a failed check discards
 * the index, parses everything and rewrites it. A record read through the index is parsed and its
 * hash compared with its row, so a segment altered after indexing fails loudly. Memory: rows are
 * memory-mapped (heap only for rows added since open, at most one segment's for a writer); chain
 * lists and hash look-ups scan the rows (no in-memory hash table). A consistent index means a
 * middle record is not re-parsed on open: damage to it surfaces on reading it and in
 * {@code custody verify}, which always reads the segments.
 *
 * <p><b>Merkle tree and checkpoints.</b> The records are the leaves of an RFC 9162 tree (leaf =
 * {@code SHA-256(0x00 || record bytes)}) kept as hash tiles ({@link TiledTree}), appended by the
 * committer after the batch's fsync, in the same critical section that makes the batch visible.
 * When the ledger has a log identity ({@link LogIdentity}) with an automatic checkpoint interval,
 * the committer signs a checkpoint of the new tree head after a batch when the interval has passed
 * since its last one, still under the OS lock, after the batch's futures completed (so checkpointing
 * adds no latency to acknowledged appends). A writer opening the ledger checks that the ledger
 * extends its largest stored checkpoint ({@link StoredCheckpoints}) and refuses to append otherwise:
 * appending to a truncated or rewritten log would make the log sign a fork of its own history. What
 * it signs is never the tiles' word: the root is recomputed from that checkpoint and the records
 * since it ({@link TreeKeeper}).
 *
 * <p><b>Nothing outside the ledger.</b> Every file is reached through {@link LedgerFiles}: links,
 * FIFOs and devices inside the ledger are refused with an error naming them, files written in place
 * must have one link, and files are deleted only by their exact names. The ledger directory itself
 * may be a link the user gave.
 *
 * <p><b>One writer per lock.</b> The store refuses to open for writing on a network or FUSE file
 * system ({@link NetworkFileSystems}) unless {@link Options#allowNetworkFileSystem()}, and before
 * each batch it checks that nobody wrote to the log without the lock ({@link TailGuard}).
 */
public final class FileLogStore implements LogStore {
  /** A new segment is started once the current one exceeds this size, so no file grows without bound. */
  public static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
  /** Most appends written by one fsync. */
  private static final int MAX_BATCH = 4096;
  /** Directory of the bytes of incomplete records cut off after a crash. */
  static final String TORN = "torn";

  private final Path dir;
  private final LedgerFiles files;
  private final long segmentBytes;
  private final boolean readOnly;
  private final TailGuard tail;
  private final RecordIndex index = new RecordIndex();
  /** False once writing the record index failed or disagreed with another process: left for the next open to rebuild. */
  private boolean indexWritable = true;
  private final List<String> repairs = new ArrayList<>();
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread committer;
  /** Orders {@link #append} against {@link #close}, so that no request is queued after {@link #STOP}. */
  private final Object accepting = new Object();
  /** Guarded by {@link #accepting} for writes. */
  private volatile boolean closed;

  /**
   * An append, with the record its caller already made for the position the store expected then.
   * The committer writes {@code record} as is when that position is still the chain's next one
   * (the common case), and calls {@code maker} again under the lock when it is not.
   */
  private record Request(String chain, RecordMaker maker, CompletableFuture<Appended> result, long sequence,
      Optional<Digest> prev, byte[] record, Digest hash) {}

  /** Queued last by {@link #close}: the committer finishes everything before it, then stops. */
  private static final Request STOP = new Request(null, null, null, -1, Optional.empty(), null, null);

  /**
   * Per chain: the lock under which its appends are made, and the newest entry made for it that is
   * queued or written. Making entries of different chains in the callers' threads spreads signing
   * over the cores and overlaps it with the committer's fsync.
   */
  private static final class ChainSlot {
    /** Guarded by this slot. */
    ChainHead reserved;
  }

  private final Map<String, ChainSlot> slots = new java.util.concurrent.ConcurrentHashMap<>();

  /** The Merkle tree over the records; appended to under the {@link #index} monitor, with the index. */
  private TreeKeeper tree;
  private Optional<LogIdentity> identity = Optional.empty();
  /** The stored checkpoints, when the ledger has a log identity (writer only). */
  private Optional<StoredCheckpoints> checkpoints = Optional.empty();
  /** The largest stored checkpoint, verified, that the tree was checked against; what signing proves from. */
  private Optional<StoredCheckpoints.Stored> anchor = Optional.empty();
  /** Committer (and {@link #signCheckpoint}) under the OS lock: when this process last signed. */
  private long lastCheckpointNanos;
  private long lastCheckpointSize = -1;
  private boolean checkpointedOnce;

  private FileLogStore(Path dir, long segmentBytes, boolean readOnly) {
    this.dir = dir;
    this.files = LedgerFiles.of(dir);
    this.segmentBytes = segmentBytes;
    this.readOnly = readOnly;
    this.tail = new TailGuard(files);
    this.committer = readOnly ? null : new Thread(this::commitLoop, "custody-committer " + dir.getFileName());
  }

  /**
   * How a store is opened for writing.
   *
   * @param segmentBytes a new segment is started once the current one exceeds this (tests use small ones)
   * @param allowNetworkFileSystem write even on a network or FUSE file system ({@link NetworkFileSystems}),
   *     where the ledger lock may not be shared between machines: only when one machine alone writes
   */
  public record Options(long segmentBytes, boolean allowNetworkFileSystem) {
    /** System property ({@code true}) that allows a network file system for {@link #defaults()}. */
    public static final String ALLOW_NETWORK_FILE_SYSTEM_PROPERTY = "custody.allowNetworkFileSystem";

    public Options {
      if (segmentBytes < 1) {
        throw new IllegalArgumentException("segmentBytes must be positive, got " + segmentBytes);
      }
    }

    /** 256 MiB segments; network file systems refused unless the system property says otherwise. */
    public static Options defaults() {
      return new Options(DEFAULT_SEGMENT_BYTES, Boolean.getBoolean(ALLOW_NETWORK_FILE_SYSTEM_PROPERTY));
    }

    public Options withSegmentBytes(long bytes) {
      return new Options(bytes, allowNetworkFileSystem);
    }

    public Options withNetworkFileSystemAllowed(boolean allow) {
      return new Options(segmentBytes, allow);
    }
  }

  /**
   * Creates an empty ledger at {@code dir} without a log identity; {@code dir} must be absent, empty,
   * or what an interrupted creation left ({@link LedgerInit}).
   *
   * @throws FormatException if {@code dir} is already a ledger or not empty
   */
  public static void create(Path dir) throws IOException, FormatException {
    LedgerInit.create(dir, Optional.empty(), null);
  }

  /**
   * Creates an empty ledger at {@code dir} with a log identity for {@code config} (a new log key
   * drawn from {@code random}); the marker {@code ledger.json} is written last, so an interrupted
   * creation is not a ledger and can be run again ({@link LedgerInit}). Then signs the checkpoint
   * of the empty tree ({@code checkpoints/0}): from its first entry on, the ledger holds a checkpoint
   * by its log key, so a verifier that trusts that key can tell a ledger whose checkpoints were
   * deleted from one that a crash stopped before its first checkpoint after an append.
   *
   * @throws FormatException if {@code dir} is already a ledger or not empty
   */
  public static void create(Path dir, LogConfig config, SecureRandom random) throws IOException, FormatException {
    LedgerInit.create(dir, Optional.of(config), random);
    try (FileLogStore store = open(dir, Options.defaults().withNetworkFileSystemAllowed(true))) {
      store.signCheckpoint();
    } catch (AttestException e) {
      throw new IOException("signing the first checkpoint of " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /** Opens a ledger for appending and reading, with {@link Options#defaults()}. */
  public static FileLogStore open(Path dir) throws IOException, FormatException {
    return open(dir, Options.defaults());
  }

  /** Opens a ledger for appending with a given segment size (tests use small ones). */
  public static FileLogStore open(Path dir, long segmentBytes) throws IOException, FormatException {
    return open(dir, Options.defaults().withSegmentBytes(segmentBytes));
  }

  /**
   * Opens a ledger for appending and reading.
   *
   * @throws NetworkFileSystemException if the ledger is on a network or FUSE file system and
   *     {@link Options#allowNetworkFileSystem()} is false
   * @throws dev.custody.core.ledger.UnsafeFileException if a link or special file is where the store reads or writes
   * @throws FormatException if the ledger is damaged or does not extend its largest stored checkpoint
   */
  public static FileLogStore open(Path dir, Options options) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    LedgerFiles files = LedgerFiles.of(dir);
    requireOrdinaryTopLevel(dir);
    // Allowed on a network file system, the caller warns (the CLI does, on stderr); see NetworkFileSystems.
    NetworkFileSystems.requireAllowed(dir, NetworkFileSystems.typeOf(dir), options.allowNetworkFileSystem());
    FileLogStore s = new FileLogStore(dir, options.segmentBytes(), false);
    s.identity = LogIdentity.load(dir, true);
    s.checkpoints = s.identity.map(id -> new StoredCheckpoints(files, id));
    s.tree = TreeKeeper.open(dir, true, s::note);
    try (FileChannel lockChannel = lockChannel(files); FileLock lock = lock(lockChannel)) {
      for (String removed : StoredCheckpoints.removeTemporaries(files)) {
        s.note("removed " + removed + ", a temporary file left by an interrupted write");
      }
      s.loadIndex();
      s.catchUp();
      s.checkTree();
      s.dropStaleRows();
      s.noteTail(lockChannel);
    }
    s.committer.setDaemon(true);
    s.committer.start();
    return s;
  }

  /**
   * Opens a ledger for reading only: takes no lock, writes nothing, and ignores an unterminated
   * last line (an append in progress, or a crash remnant that the next writer will repair).
   */
  public static FileLogStore openReadOnly(Path dir) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    requireOrdinaryTopLevel(dir);
    FileLogStore s = new FileLogStore(dir, DEFAULT_SEGMENT_BYTES, true);
    s.identity = LogIdentity.load(dir, false);
    s.tree = TreeKeeper.open(dir, false, s::note);
    s.loadIndex();
    s.catchUp();
    s.checkTree();
    return s;
  }

  /** Every entry directly in the ledger directory is a regular file or a directory (no link, FIFO, device). */
  private static void requireOrdinaryTopLevel(Path dir) throws IOException {
    LedgerFiles files = LedgerFiles.of(dir);
    try (var ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        files.kind(p);
      }
    }
  }

  @Override
  public CompletableFuture<Appended> append(String chain, RecordMaker maker) {
    CompletableFuture<Appended> f = new CompletableFuture<>();
    if (readOnly) {
      f.completeExceptionally(new IllegalStateException("ledger " + dir + " was opened read-only"));
      return f;
    }
    EntryPayload.requireChainId(chain);
    ChainSlot slot = slots.computeIfAbsent(chain, c -> new ChainSlot());
    synchronized (slot) {
      // The newest of what this process queued and what the log holds (which may include other
      // processes' appends seen at the last batch); the committer re-checks under the OS lock.
      ChainHead committed = head(chain).orElse(null);
      ChainHead h = slot.reserved != null && (committed == null || slot.reserved.sequence() >= committed.sequence())
          ? slot.reserved : committed;
      long seq = h == null ? 0 : h.sequence() + 1;
      Optional<Digest> prev = h == null ? Optional.empty() : Optional.of(h.hash());
      Request r;
      try {
        byte[] record = maker.make(seq, prev);
        Digest hash = checkRecord(record, chain, seq, prev);
        r = new Request(chain, maker, f, seq, prev, record, hash);
      } catch (AttestException | RuntimeException e) {
        f.completeExceptionally(e);
        return f;
      }
      synchronized (accepting) {
        if (closed) {
          f.completeExceptionally(new IllegalStateException("ledger " + dir + " is closed"));
          return f;
        }
        queue.add(r);
      }
      slot.reserved = new ChainHead(chain, seq, r.hash, -1);
    }
    return f;
  }

  @Override
  public long size() {
    synchronized (index) {
      return index.size;
    }
  }

  @Override
  public List<ChainHead> chains() {
    synchronized (index) {
      return new ArrayList<>(new TreeMap<>(index.heads).values());
    }
  }

  @Override
  public Optional<ChainHead> head(String chain) {
    synchronized (index) {
      return Optional.ofNullable(index.heads.get(chain));
    }
  }

  @Override
  public long[] chainIndexes(String chain) {
    synchronized (index) {
      return index.chainIndexes(chain);
    }
  }

  @Override
  public OptionalLong indexOf(Digest hash) {
    synchronized (index) {
      long i = index.indexOf(hash);
      return i < 0 ? OptionalLong.empty() : OptionalLong.of(i);
    }
  }

  @Override
  public EntryRecord read(long logIndex) throws IOException, FormatException {
    Segment seg;
    int row;
    byte[] expected;
    synchronized (index) {
      if (logIndex < 0 || logIndex >= index.size) {
        throw new IndexOutOfBoundsException("log index " + logIndex + " is not in the ledger (size " + index.size + ")");
      }
      seg = index.segmentOf(logIndex);
      row = (int) (logIndex - seg.firstIndex);
      expected = seg.hash(row);
    }
    String where = "segments/" + seg.path.getFileName() + " (log index " + logIndex + ")";
    EntryRecord rec = EntryRecord.parse(readRaw(seg, row), where);
    // The index is derived data: a record whose bytes no longer hash to what was indexed means the
    // segment was changed after indexing (or the index is damaged); never hand out either silently.
    if (!java.security.MessageDigest.isEqual(rec.hash().value().toByteArray(), expected)) {
      throw new FormatException(where + ": the record's hash " + rec.hash() + " differs from the one indexed when it"
          + " was appended; the segment was altered (run 'custody verify') or " + dir.resolve(RecordIndex.DIR)
          + " is damaged (delete it; the next open for writing rebuilds it)");
    }
    return rec;
  }

  /** The bytes of a record (without its newline), located through the index. */
  private byte[] readRaw(Segment seg, int row) throws IOException, FormatException {
    long offset;
    long end;
    synchronized (index) {
      offset = seg.start(row);
      end = seg.end(row);
    }
    long length = end - offset - 1;
    if (length < 1 || length > EntryRecord.MAX_RECORD_BYTES) {
      throw new FormatException("segments/" + seg.path.getFileName() + " row " + row + " of the record index has an"
          + " impossible length " + length + "; delete " + dir.resolve(RecordIndex.DIR) + " to rebuild it");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    try (FileChannel ch = files.openRead(seg.path)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new IOException(seg.path + " ended before log index " + (seg.firstIndex + row)
              + " (was the file truncated?)");
        }
      }
    }
    return buf.array();
  }

  @Override
  public List<String> repairs() {
    synchronized (repairs) {
      return List.copyOf(repairs);
    }
  }

  /**
   * Stops accepting appends, finishes those queued (their futures complete as usual), and stops
   * the committer. The committer is not interrupted: an interrupt closes the segment channel in
   * the middle of a write (NIO channels are interruptible) and fails appends already accepted.
   */
  @Override
  public void close() {
    synchronized (accepting) {
      if (closed) {
        return;
      }
      closed = true;
      if (committer != null) {
        queue.add(STOP);
      }
    }
    if (committer != null) {
      try {
        committer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- committer

  private void commitLoop() {
    List<Request> batch = new ArrayList<>();
    try (FileChannel lockChannel = lockChannel(files)) {
      lockKey = files.fileKey(files.resolve(LedgerLayout.LOCK));
      while (true) {
        Request first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          continue; // only close() stops the committer, so that no accepted append is dropped
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        boolean stop = batch.remove(STOP);
        if (!batch.isEmpty()) {
          commit(lockChannel, batch);
        }
        batch.clear();
        if (stop) {
          closeWriteChannel();
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
    }
  }

  private static void failAll(List<Request> requests, Throwable e) {
    for (Request r : requests) {
      r.result.completeExceptionally(e);
    }
  }

  private void commit(FileChannel lockChannel, List<Request> batch) throws IOException {
    try (FileLock lock = lock(lockChannel)) {
      requireSameFile(files.resolve(LedgerLayout.LOCK), lockKey, "its lock would no longer exclude other writers");
      try {
        lockedCatchUp(lockChannel);
      } catch (FormatException e) {
        failAll(batch, new AttestException("cannot append: " + e.getMessage(), e));
        return;
      }
      writeBatch(batch, lockChannel);
      synchronized (checkpointMonitor) {
        maybeCheckpoint();
      }
    }
  }

  /**
   * On open, under the OS lock, after catching up: makes the lock file's {@link TailNote} describe
   * the tail as found (and repaired), which opening accepts as it is — a torn tail is a crash's, and
   * a ledger of an earlier version has no note — so that {@link TailGuard} checks from here.
   */
  private void noteTail(FileChannel lockChannel) throws IOException {
    TailNote actual;
    synchronized (index) {
      if (index.segments.isEmpty()) {
        return; // the first batch notes the first segment
      }
      Segment last = index.segments.get(index.segments.size() - 1);
      actual = new TailNote(last.firstIndex, last.end, last.end,
          last.rows() == 0 ? Optional.empty() : Optional.of(Digest.ofSha256(last.hash(last.rows() - 1))));
    }
    Optional<TailNote> found = TailNote.read(lockChannel);
    if (found.isEmpty() || found.get().segment() != actual.segment() || found.get().end() != actual.end()
        || !found.get().last().equals(actual.last())) {
      tail.note(lockChannel, actual);
    }
  }

  /**
   * Under the OS lock (held for an earlier open of this store): checks that nobody wrote to the log
   * without the lock since ({@link TailGuard}), then catches up with what other lock holders wrote.
   *
   * @throws ForeignWriteException if someone did; the store then stops
   */
  private void lockedCatchUp(FileChannel lockChannel) throws IOException, FormatException {
    Optional<TailNote> note = tail.check(lockChannel, writeChannel, writePath);
    catchUp();
    synchronized (index) {
      if (!index.segments.isEmpty()) {
        tail.checkNoLaterSegment(note, index.segments.get(index.segments.size() - 1).firstIndex);
      }
    }
  }

  /** A record made for this batch, not yet durable. */
  private record Pending(Request request, long sequence, long logIndex, Digest hash, long bufferOffset) {}

  private void writeBatch(List<Request> batch, FileChannel lockChannel) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(batch.size() * 1024);
    Map<String, ChainHead> batchHeads = new HashMap<>();
    List<Pending> pending = new ArrayList<>(batch.size());
    long nextIndex;
    synchronized (index) {
      nextIndex = index.size;
    }
    for (Request r : batch) {
      ChainHead head = batchHeads.containsKey(r.chain) ? batchHeads.get(r.chain) : head(r.chain).orElse(null);
      long seq = head == null ? 0 : head.sequence() + 1;
      Optional<Digest> prev = head == null ? Optional.empty() : Optional.of(head.hash());
      byte[] record = r.record;
      Digest hash = r.hash;
      if (r.sequence != seq || !r.prev.equals(prev)) {
        // Another process appended to this chain, or an earlier append of it failed: make the
        // entry again for its true position.
        try {
          record = r.maker.make(seq, prev);
          hash = checkRecord(record, r.chain, seq, prev);
        } catch (AttestException | RuntimeException e) {
          r.result.completeExceptionally(e);
          continue;
        }
        ChainSlot slot = slots.get(r.chain);
        synchronized (slot) {
          if (slot.reserved == null || slot.reserved.sequence() <= seq) {
            slot.reserved = new ChainHead(r.chain, seq, hash, -1);
          }
        }
      }
      pending.add(new Pending(r, seq, nextIndex, hash, buf.size()));
      buf.write(record, 0, record.length);
      buf.write('\n');
      batchHeads.put(r.chain, new ChainHead(r.chain, seq, hash, nextIndex++));
    }
    if (pending.isEmpty()) {
      return;
    }
    Segment seg;
    Optional<Digest> before;
    synchronized (index) {
      seg = index.segments.isEmpty() ? null : index.segments.get(index.segments.size() - 1);
      before = seg == null || seg.rows() == 0 ? Optional.empty() : Optional.of(Digest.ofSha256(seg.hash(seg.rows() - 1)));
    }
    byte[] bytes = buf.toByteArray();
    boolean rollover = seg == null || seg.end >= segmentBytes;
    long segmentFirst = rollover ? nextIndex - pending.size() : seg.firstIndex;
    long start = rollover ? 0 : seg.end;
    // Announce the batch in the lock file before writing it (TailGuard), then create the segment if new.
    tail.note(lockChannel, new TailNote(segmentFirst, start, start + bytes.length,
        Optional.of(pending.get(pending.size() - 1).hash)));
    if (rollover) {
      seg = newSegment();
    }
    FileChannel ch = writeChannel(seg);
    requireSameFile(seg.path, writeKey, "the records would go to the file it was moved to");
    try {
      ByteBuffer bb = ByteBuffer.wrap(bytes);
      while (bb.hasRemaining()) {
        ch.write(bb, start + bb.position());
      }
      ch.force(false);
    } catch (IOException e) {
      // Leave no partial batch behind: nothing of it was acknowledged. Entries queued after it
      // were made on top of it; forget them so they are made again.
      forgetReservations();
      ch.truncate(start);
      ch.force(false);
      tail.note(lockChannel, new TailNote(seg.firstIndex, start, start, start == 0 ? Optional.empty() : before));
      throw e;
    }
    synchronized (index) {
      for (int i = 0; i < pending.size(); i++) {
        Pending p = pending.get(i);
        long len = (i + 1 < pending.size() ? pending.get(i + 1).bufferOffset : bytes.length) - p.bufferOffset;
        index.add(seg, start + p.bufferOffset + len, p.request.chain, p.sequence, p.hash);
        tree.appendRecord(bytes, (int) p.bufferOffset, (int) len - 1);
      }
      persistIndex(seg);
    }
    for (Pending p : pending) {
      p.request.result.complete(new Appended(p.request.chain, p.sequence, p.logIndex, p.hash));
    }
  }

  private void forgetReservations() {
    for (ChainSlot slot : slots.values()) {
      synchronized (slot) {
        slot.reserved = null;
      }
    }
  }

  /** The open channel of the segment appended to; replaced when a new segment starts. Committer only. */
  private FileChannel writeChannel;
  private Path writePath;
  /** {@link LedgerFiles#fileKey} of {@link #writePath} when it was opened, and of the lock file. Committer only. */
  private Object writeKey;
  private Object lockKey;

  /**
   * The file at {@code p} is still the one this writer opened ({@code key}): a name moved away and
   * replaced (possibly by a copy) must not be written through the old file, which may now be outside
   * the ledger.
   */
  private void requireSameFile(Path p, Object key, String why) throws IOException {
    Object now = files.fileKey(p);
    if (key != null && !key.equals(now)) {
      throw new dev.custody.core.ledger.UnsafeFileException(p, "is no longer the file this writer opened (it was"
          + " moved or replaced while the ledger was open: " + why + ")", "Stopped; check the ledger with 'custody"
          + " verify' and open it again.");
    }
  }

  private FileChannel writeChannel(Segment seg) throws IOException {
    if (writeChannel == null || !seg.path.equals(writePath)) {
      closeWriteChannel();
      writeChannel = files.openWrite(seg.path, StandardOpenOption.READ); // READ: TailGuard reads the tail back
      writePath = seg.path;
      writeKey = files.fileKey(seg.path);
    }
    return writeChannel;
  }

  private void closeWriteChannel() throws IOException {
    if (writeChannel != null) {
      writeChannel.close();
      writeChannel = null;
    }
  }

  /**
   * The maker must produce one line that names the chain, sequence and prev it was given.
   *
   * @return the record's hash
   */
  private static Digest checkRecord(byte[] record, String chain, long seq, Optional<Digest> prev) throws AttestException {
    if (record.length > EntryRecord.MAX_RECORD_BYTES) {
      throw new AttestException("entry is " + record.length + " bytes, over the limit of "
          + EntryRecord.MAX_RECORD_BYTES + "; keep large data in artifacts and record their digests");
    }
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
      if (!p.chain().equals(chain) || p.sequence() != seq || !p.prev().equals(prev)) {
        throw new AttestException("new entry names " + p.chain() + ":" + p.sequence() + " but the store assigned "
            + chain + ":" + seq);
      }
      return rec.hash();
    } catch (FormatException e) {
      throw new AttestException("refusing to store a malformed entry: " + e.getMessage(), e);
    }
  }

  private Segment newSegment() throws IOException {
    long first = size();
    Path p = dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(first));
    try (FileChannel created = files.createNew(p)) {
      // created empty; written through the write channel
    }
    DurableFiles.syncDirectory(p.getParent());
    // Rows left by a segment of the same name that was removed must not be read as this one's.
    files.deleteFile(RecordIndex.rowFile(dir, p));
    Segment seg = new Segment(p, first);
    synchronized (index) {
      if (!index.segments.isEmpty()) {
        RecordIndex.remap(dir, index.segments.get(index.segments.size() - 1));
      }
      index.segments.add(seg);
    }
    return seg;
  }

  // ---------------------------------------------------------------- reading and repair

  /**
   * Reads records appended since the last look (by this or other processes) into the index, and
   * repairs a torn tail if this store may write. Callers hold the OS lock unless read-only.
   */
  private void catchUp() throws IOException, FormatException {
    if (nothingNew()) {
      return;
    }
    if (!readOnly && indexWritable && !staleIndexFiles) {
      synchronized (index) {
        // Other writers number the chains they start in the shared table; learn theirs before
        // numbering any here, so that rows mean the same in every process.
        if (!index.loadChains(dir)) {
          indexWritable = false;
          note("stopped writing the record index: " + dir.resolve(RecordIndex.CHAINS) + " disagrees with this"
              + " process's chain numbers; the next open rebuilds it");
        }
      }
    }
    List<Path> segmentFiles = LedgerLayout.segments(dir);
    for (int i = 0; i < segmentFiles.size(); i++) {
      Path path = segmentFiles.get(i);
      Segment seg;
      synchronized (index) {
        seg = index.segmentByPath(path);
        if (seg == null) {
          long declared = LedgerLayout.firstIndexOf(path);
          if (declared != index.size) {
            throw new FormatException(path + " declares first log index " + declared + " but the segments before it"
                + " hold " + index.size + " records; the ledger was altered (run 'custody verify')");
          }
          seg = new Segment(path, declared);
          index.segments.add(seg);
        }
      }
      if (files.sizeOrZero(path) == seg.end) {
        continue;
      }
      boolean last = i == segmentFiles.size() - 1;
      Segment s = seg;
      long startLine = s.rows() + 1L;
      LogReader.Position end;
      try {
        end = LogReader.readSegment(path, s.end, s.firstIndex + s.rows(), startLine,
            raw -> ingest(s, raw, last));
      } catch (Damaged d) {
        throw d.cause;
      }
      if (end.endOffset() != files.sizeOrZero(path) && !last) {
        throw new FormatException(path + " does not end with a complete record but is not the last segment;"
            + " the ledger was altered (run 'custody verify')");
      }
      synchronized (index) {
        persistIndex(s);
        if (!last && !readOnly) {
          RecordIndex.remap(dir, s);
        }
      }
    }
  }

  /**
   * Fast path for every batch: the last segment has not grown and no segment was started after it
   * (a new segment is always named by the log size at its creation). Two stats instead of a listing.
   */
  private boolean nothingNew() throws IOException {
    Segment last;
    long size;
    synchronized (index) {
      if (index.segments.isEmpty()) {
        return false;
      }
      last = index.segments.get(index.segments.size() - 1);
      size = index.size;
    }
    Path next = dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(size));
    return files.sizeOrZero(last.path) == last.end
        && (next.equals(last.path) || files.kind(next) == LedgerFiles.Kind.ABSENT);
  }

  private void ingest(Segment seg, RawRecord raw, boolean lastSegment) throws IOException {
    try {
      if (raw.oversize()) {
        throw new FormatException(raw.where() + ": record is over " + EntryRecord.MAX_RECORD_BYTES + " bytes");
      }
      if (!raw.terminated()) {
        if (lastSegment) {
          repairTail(seg, raw);
        }
        return;
      }
      EntryRecord rec = EntryRecord.parse(raw.bytes(), raw.where());
      EntryPayload p = rec.payload(raw.where());
      synchronized (index) {
        index.parsed++;
        requireContinues(p, raw.where());
        addLeaf(raw.bytes());
        index.add(seg, raw.offset() + raw.bytes().length + 1, p.chain(), p.sequence(), rec.hash());
      }
    } catch (FormatException e) {
      throw new Damaged(new FormatException("ledger " + dir + " is damaged: " + e.getMessage()
          + "; nothing was changed (run 'custody verify' for a full report)", e));
    }
  }

  /** Carries a {@link FormatException} out of a {@link LogReader.Visitor}, which may only throw IOException. */
  private static final class Damaged extends IOException {
    private static final long serialVersionUID = 1L;
    final transient FormatException cause;

    Damaged(FormatException cause) {
      super(cause);
      this.cause = cause;
    }
  }

  private void repairTail(Segment seg, RawRecord raw) throws IOException {
    if (readOnly) {
      return;
    }
    byte[] bytes = raw.bytes();
    try (FileChannel ch = files.openWrite(seg.path)) {
      if (bytes != null) {
        try {
          EntryRecord rec = EntryRecord.parse(bytes, raw.where());
          EntryPayload p = rec.payload(raw.where());
          synchronized (index) {
            requireContinues(p, raw.where());
          }
          ch.write(ByteBuffer.wrap(new byte[] {'\n'}), raw.offset() + bytes.length);
          ch.force(false);
          synchronized (index) {
            addLeaf(bytes);
            index.parsed++;
            index.add(seg, raw.offset() + bytes.length + 1, p.chain(), p.sequence(), rec.hash());
          }
          note("completed the last record of " + seg.path.getFileName() + " (log index " + raw.logIndex()
              + "): it was whole but its newline was not written before a crash");
          return;
        } catch (FormatException notWhole) {
          // Not a complete record: save it below, then cut it off.
        }
      }
      Path tornDir = dir.resolve(TORN);
      files.createDirectories(tornDir);
      Path saved = tornDir.resolve(seg.path.getFileName() + "@" + raw.offset() + ".bin");
      for (int n = 1; files.kind(saved) != LedgerFiles.Kind.ABSENT; n++) {
        // The same offset torn again (after another crash): keep every copy, never overwrite one.
        saved = tornDir.resolve(seg.path.getFileName() + "@" + raw.offset() + "." + n + ".bin");
      }
      try (FileChannel in = files.openRead(seg.path); FileChannel out = files.createNew(saved)) {
        long from = raw.offset();
        long size = in.size();
        while (from < size) {
          from += in.transferTo(from, size - from, out);
        }
        out.force(true);
      }
      DurableFiles.syncDirectory(tornDir);
      ch.truncate(raw.offset());
      ch.force(false);
      note("removed an incomplete record at the end of " + seg.path.getFileName() + " (offset " + raw.offset()
          + ", a write interrupted by a crash, never acknowledged); its bytes are saved in " + saved);
    }
  }

  /**
   * Adds the leaf of the record about to become log index {@code index.size}, unless the tiles
   * already cover it. Caller holds the index monitor.
   */
  private void addLeaf(byte[] record) {
    if (index.size == tree.size()) {
      tree.appendRecord(record, 0, record.length);
    }
  }

  /**
   * After catching up: makes the tree cover exactly the records (rebuilding it from the segments when
   * its tiles reach beyond them), and for a writer, checks it against the stored checkpoints that bind
   * it ({@link StoredCheckpoints#binding()}): none commits to more entries than the ledger holds, the
   * tiles give the largest one's root (else they are rebuilt from the segments, and if the segments
   * do not give it either, entries were rewritten), and the others describe the same history.
   */
  private void checkTree() throws IOException, FormatException {
    synchronized (index) {
      if (tree.size() != index.size) {
        rebuildTree("the tiles cover " + tree.size() + " leaves but the ledger holds " + index.size + " records");
      }
    }
    if (readOnly || checkpoints.isEmpty()) {
      return;
    }
    List<StoredCheckpoints.Stored> binding = checkpoints.get().binding();
    if (binding.isEmpty()) {
      return;
    }
    long size = size();
    for (StoredCheckpoints.Stored cp : binding) {
      if (cp.size() > size) {
        throw new FormatException("ledger " + dir + " holds " + size + " entries but its own checkpoint " + cp.name()
            + " commits to " + cp.size() + " (root " + b64(cp.checkpoint().rootHash()) + "): entries were removed"
            + " (truncation or a restored old copy). Refusing to append or sign, which would fork the log's signed"
            + " history; run 'custody verify' and restore the missing entries");
      }
    }
    StoredCheckpoints.Stored largest = binding.get(0);
    synchronized (index) {
      if (!tree.root(largest.size()).equals(largest.checkpoint().rootHash())) {
        rebuildTree("their root at size " + largest.size() + " differs from " + largest.describe());
        if (!tree.root(largest.size()).equals(largest.checkpoint().rootHash())) {
          throw new FormatException("ledger " + dir + ": the root of its first " + largest.size() + " entries is "
              + b64(tree.root(largest.size())) + " but its own checkpoint " + largest.describe() + " says "
              + b64(largest.checkpoint().rootHash()) + ": entries were rewritten or reordered. Refusing to append or"
              + " sign, which would fork the log's signed history; run 'custody verify'");
        }
      }
      for (StoredCheckpoints.Stored other : binding.subList(1, binding.size())) {
        requireSameHistory(other, largest.size(), largest.checkpoint().rootHash(), largest.describe());
      }
    }
    anchor = Optional.of(largest);
    lastCheckpointSize = largest.size();
  }

  /**
   * Checks that signed checkpoint {@code cp} (at most {@code size} entries) is a prefix of the tree
   * whose root at {@code size} is {@code root} — the same root at the same size, or an RFC 9162
   * consistency proof from the tiles that verifies against both roots (so damaged tiles cannot make
   * it pass; they are rebuilt once before giving up). Caller holds the index monitor.
   *
   * @throws FormatException if it is not: two signed checkpoints of this log disagree (a fork)
   */
  private void requireSameHistory(StoredCheckpoints.Stored cp, long size, Bytes root, String what)
      throws IOException, FormatException {
    for (int attempt = 0; ; attempt++) {
      String problem = differs(cp.checkpoint(), size, root);
      if (problem == null) {
        return;
      }
      if (attempt > 0) {
        throw new FormatException("ledger " + dir + ": its checkpoints " + cp.describe() + " and " + what + " are both"
            + " signed by its log key but are not one history (" + problem + "): the log key signed a fork. Refusing to"
            + " append or sign; keep both files as evidence and run 'custody verify'");
      }
      rebuildTree("they do not prove " + cp.describe() + " a prefix of " + what);
    }
  }

  /** Why {@code cp} is not the prefix of size {@code cp.size()} of the tree with {@code root} at {@code size}; null if it is. */
  private String differs(Checkpoint cp, long size, Bytes root) {
    if (cp.size() == size || cp.size() == 0) {
      Bytes expected = cp.size() == 0 ? MerkleHash.EMPTY_ROOT : root;
      return cp.rootHash().equals(expected) ? null : "same size, different roots";
    }
    try {
      ProofVerifier.verifyConsistency(tree.merkleTree().consistencyProof(cp.size(), size), cp.rootHash(), root);
      return null;
    } catch (ProofException e) {
      return "no consistency proof from size " + cp.size() + " to " + size + ": " + e.getMessage();
    }
  }

  private static String b64(Bytes b) {
    return StoredCheckpoints.b64(b.toByteArray());
  }

  /** Rebuilds the tree from the segments (tiles are derived data). Caller holds the index monitor. */
  private void rebuildTree(String why) throws IOException, FormatException {
    tree.rebuild(index.size, why);
  }

  /**
   * The root the log may sign for its current size {@code n}: proven from the largest stored checkpoint
   * and every record since it (see {@link TreeKeeper}), whatever the tiles say; tiles that disagree are
   * rebuilt. Also checks that a newer {@code checkpoint} another writer stored since is a prefix of it.
   * Caller holds the OS lock (caught up) and the index monitor.
   *
   * @throws FormatException if the ledger does not extend its largest stored checkpoint
   */
  private Bytes provenRoot() throws IOException, FormatException {
    long n = index.size;
    Optional<StoredCheckpoints.Stored> latest = checkpoints.get().latest();
    if (latest.isPresent() && latest.get().size() > anchor.map(StoredCheckpoints.Stored::size).orElse(-1L)) {
      if (latest.get().size() > n) {
        throw new FormatException("ledger " + dir + " holds " + n + " entries but its own checkpoint "
            + latest.get().describe() + " commits to more: entries were removed while this writer had the ledger open."
            + " Refusing to sign; run 'custody verify'");
      }
    }
    if (tree.provenSize() != n) {
      Optional<Checkpoint> from = anchor.map(StoredCheckpoints.Stored::checkpoint);
      if (!tree.startProof(from)) {
        rebuildTree("their nodes at size " + from.get().size() + " do not give the root of " + anchor.get().describe());
        if (!tree.startProof(from)) {
          throw new FormatException("ledger " + dir + " does not extend its checkpoint " + anchor.get().describe()
              + ": the root of its first " + from.get().size() + " entries is " + b64(tree.root(from.get().size()))
              + ". Refusing to sign, which would fork the log's signed history; run 'custody verify'");
        }
      }
      proveRecords(tree.provenSize(), n);
    }
    Bytes root = tree.provenRoot(n);
    if (!tree.root(n).equals(root)) {
      rebuildTree("their root at size " + n + " differs from the one recomputed from "
          + anchor.map(StoredCheckpoints.Stored::describe).orElse("the empty tree") + " and the records since");
      if (!tree.root(n).equals(root)) {
        throw new FormatException("ledger " + dir + ": the records changed while the tree was checked; refusing to"
            + " sign. Run 'custody verify'");
      }
    }
    if (latest.isPresent() && latest.get().size() > anchor.map(StoredCheckpoints.Stored::size).orElse(-1L)) {
      requireSameHistory(latest.get(), n, root, "the current tree (size " + n + ", root " + b64(root) + ")");
      anchor = latest;
    }
    return root;
  }

  /** Extends the proven range by the leaves of records {@code [from, to)}, read from the segments. */
  private void proveRecords(long from, long to) throws IOException, FormatException {
    long next = from;
    while (next < to) {
      Segment seg = index.segmentOf(next);
      int row = (int) (next - seg.firstIndex);
      long limit = Math.min(to, seg.firstIndex + seg.rows());
      long[] at = {next};
      LogReader.readSegment(seg.path, seg.start(row), next, row + 1L, raw -> {
        if (raw.terminated() && raw.bytes() != null && raw.logIndex() == at[0] && at[0] < limit) {
          tree.proveNext(raw.bytes());
          at[0]++;
        }
      });
      if (at[0] != limit) {
        throw new FormatException("ledger " + dir + ": " + seg.path.getFileName() + " ended at log index " + at[0]
            + " while its records up to " + limit + " were being checked; run 'custody verify'");
      }
      next = limit;
    }
  }

  private void maybeCheckpoint() {
    if (identity.isEmpty() || identity.get().signer().isEmpty()) {
      return;
    }
    Optional<Long> interval = identity.get().config().checkpointIntervalMillis();
    if (interval.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    if (checkpointedOnce && now - lastCheckpointNanos < interval.get() * 1_000_000L) {
      return;
    }
    try {
      writeCheckpointLocked();
    } catch (IOException | NoteSigningException | FormatException | RuntimeException e) {
      // The batch is durable and acknowledged; a failed checkpoint is retried after the next batch.
      note("automatic checkpoint failed: " + e.getMessage());
    }
  }

  /** Signs and stores a checkpoint of the current tree head. Caller holds the OS lock and has caught up. */
  private SignedNote writeCheckpointLocked() throws IOException, NoteSigningException, FormatException {
    long size;
    Bytes root;
    synchronized (index) {
      size = index.size;
      root = provenRoot();
    }
    SignedNote note = identity.get().signer().orElseThrow().sign(size, root);
    lastCheckpointNanos = System.nanoTime();
    checkpointedOnce = true;
    if (size == lastCheckpointSize) {
      return note; // already stored (Ed25519 is deterministic: the same bytes)
    }
    checkpoints.get().store(note, size);
    lastCheckpointSize = size;
    anchor = Optional.of(new StoredCheckpoints.Stored(LedgerLayout.CHECKPOINTS + "/" + size,
        Checkpoint.of(identity.get().origin(), size, root)));
    return note;
  }

  // ---------------------------------------------------------------- transparency API

  @Override
  public Optional<LogIdentity> identity() {
    return identity;
  }

  @Override
  public SignedNote signCheckpoint() throws IOException, FormatException, AttestException {
    if (readOnly) {
      throw new IllegalStateException("ledger " + dir + " was opened read-only");
    }
    if (identity.isEmpty() || identity.get().signer().isEmpty()) {
      throw new AttestException("ledger " + dir + " has no log key (" + LedgerLayout.LOG_KEY + "); it was created"
          + " before checkpoints existed. Create a new ledger with 'custody init' to get one");
    }
    try (FileChannel lockChannel = lockChannel(files); FileLock lock = lock(lockChannel)) {
      // Serialise with this process's committer too: it writes checkpoints under the same lock.
      synchronized (checkpointMonitor) {
        lockedCatchUp(lockChannel);
        return writeCheckpointLocked();
      }
    } catch (NoteSigningException e) {
      throw new AttestException("signing the checkpoint failed: " + e.getMessage(), e);
    }
  }

  private final Object checkpointMonitor = new Object();

  @Override
  public Optional<byte[]> latestCheckpoint() throws IOException, FormatException {
    return files.readIfPresent(dir.resolve(LedgerLayout.CHECKPOINT), LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
  }

  @Override
  public Bytes rootHash(long treeSize) {
    synchronized (index) {
      return tree.root(treeSize);
    }
  }

  @Override
  public InclusionProof inclusionProof(long leafIndex, long treeSize) throws IOException, FormatException {
    InclusionProof proof;
    Bytes root;
    synchronized (index) {
      proof = tree.merkleTree().inclusionProof(leafIndex, treeSize);
      root = tree.root(treeSize);
    }
    Bytes leaf = MerkleHash.leafHash(read(leafIndex).bytes());
    try {
      // Tiles are derived data: never hand out a proof they produced without checking it.
      ProofVerifier.verifyInclusion(proof, leaf, root);
    } catch (ProofException e) {
      throw new FormatException("the stored Merkle tiles of " + dir + " are damaged (the inclusion proof for log"
          + " index " + leafIndex + " does not verify: " + e.getMessage() + "); delete " + dir.resolve(LedgerLayout.TILES)
          + " and open the ledger for writing (e.g. 'custody checkpoint') to rebuild them", e);
    }
    return proof;
  }

  @Override
  public ConsistencyProof consistencyProof(long size1, long size2) throws FormatException {
    ConsistencyProof proof;
    Bytes root1;
    Bytes root2;
    synchronized (index) {
      proof = tree.merkleTree().consistencyProof(size1, size2);
      root1 = tree.root(size1);
      root2 = tree.root(size2);
    }
    try {
      ProofVerifier.verifyConsistency(proof, root1, root2);
    } catch (ProofException e) {
      throw new FormatException("the stored Merkle tiles of " + dir + " are damaged (consistency proof " + size1 + " -> "
          + size2 + " does not verify: " + e.getMessage() + "); delete " + dir.resolve(LedgerLayout.TILES)
          + " and open the ledger for writing to rebuild them", e);
    }
    return proof;
  }

  private void note(String repair) {
    synchronized (repairs) {
      repairs.add(repair);
    }
  }

  // ---------------------------------------------------------------- OS helpers

  /** The lock file, which also holds the {@link TailNote}; never a link, special or multiply-linked file. */
  private static FileChannel lockChannel(LedgerFiles files) throws IOException {
    return files.openWrite(files.resolve(LedgerLayout.LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ);
  }

  /** Blocks until this process holds the ledger's exclusive lock. */
  private static FileLock lock(FileChannel ch) throws IOException {
    while (true) {
      try {
        return ch.lock();
      } catch (OverlappingFileLockException sameJvm) {
        // Another store in this JVM holds it; the OS lock is per process, so wait our turn.
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the ledger lock", e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- record index

  /**
   * Checks that a parsed record continues its chain. Caller holds the index monitor. (A duplicate
   * of an earlier record is caught here too: the same bytes name the same chain and sequence.)
   */
  private void requireContinues(EntryPayload p, String where) throws FormatException {
    ChainHead h = index.heads.get(p.chain());
    long expected = h == null ? 0 : h.sequence() + 1;
    if (p.sequence() != expected || !p.prev().equals(h == null ? Optional.empty() : Optional.of(h.hash()))) {
      throw new FormatException(where + ": entry " + p.chain() + ":" + p.sequence()
          + " does not continue its chain (expected sequence " + expected + " linked to the previous entry)");
    }
  }

  /**
   * Adopts the persisted record index as far as it is consistent with the segments (catch-up then
   * parses the rest); discards all of it when a check of it against the segments fails.
   */
  private void loadIndex() throws IOException, FormatException {
    synchronized (index) {
      String problem = adoptIndex();
      if (problem != null) {
        index.clear();
        if (!readOnly) {
          // Deleted when the first rebuilt rows are written: a store that then refuses to open
          // (a damaged segment) leaves the directory as it found it.
          staleIndexFiles = true;
          note("rebuilding the record index " + dir.resolve(RecordIndex.DIR) + " from the segments: " + problem);
        }
      }
      feedTree();
    }
  }

  /**
   * Takes the rows of each segment's row file in order while they are plausible: CRC intact, end
   * offsets increasing within the segment, record lengths within the limit, known chain numbers,
   * and each chain's sequence numbers consecutive from 0. It stops at the first implausible row,
   * at a segment the rows do not cover exactly (the rest is parsed), and at a segment whose name
   * does not follow on. Then checks the adopted rows against the segments: the record of every
   * chain head (parsed: hash, chain, sequence), the first and last record of every segment (hash),
   * and the last leaf the tiles hold (leaf hash). Caller holds the index monitor.
   *
   * @return null if the adopted rows passed, else what was wrong
   */
  private String adoptIndex() throws IOException, FormatException {
    List<Path> segmentFiles = LedgerLayout.segments(dir);
    if (!files.isDirectory(RecordIndex.indexDir(dir)) || segmentFiles.isEmpty()) {
      return null;
    }
    if (!index.loadChains(dir)) {
      return RecordIndex.CHAINS + " is not a table of distinct chain ids";
    }
    int chains = index.chainNames.size();
    long[] lastSeq = new long[chains];
    long[] lastIndex = new long[chains];
    Arrays.fill(lastSeq, -1);
    byte[] scratch = new byte[RecordIndex.ROW_BYTES];
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    long size = 0;
    for (Path p : segmentFiles) {
      if (LedgerLayout.firstIndexOf(p) != size) {
        break; // catch-up reports the misnamed segment
      }
      long segLength = files.sizeOrZero(p);
      Path rows = RecordIndex.rowFile(dir, p);
      long n = RecordIndex.rowsIn(rows);
      Segment seg = new Segment(p, size);
      Optional<ByteBuffer> m = RecordIndex.map(rows, n);
      int good = 0;
      long prevEnd = 0;
      if (m.isPresent()) {
        seg.mapped = m.get();
        seg.mappedRows = (int) n;
        for (int r = 0; r < n; r++) {
          if (!seg.crcMatches(r, scratch, crc)) {
            break;
          }
          long end = seg.end(r);
          int c = seg.chain(r);
          long length = end - prevEnd;
          if (length < 2 || length > RecordIndex.MAX_LINE || end > segLength || c < 0 || c >= chains
              || seg.sequence(r) != lastSeq[c] + 1) {
            break;
          }
          lastSeq[c]++;
          lastIndex[c] = size + r;
          prevEnd = end;
          good++;
        }
        seg.mappedRows = good;
      }
      seg.end = prevEnd;
      seg.persistedRows = good;
      index.segments.add(seg);
      size += good;
      if (prevEnd != segLength) {
        break;
      }
    }
    index.size = size;
    for (int c = 0; c < chains; c++) {
      if (lastSeq[c] < 0) {
        continue;
      }
      String chain = index.chainNames.get(c);
      Segment seg = index.segmentOf(lastIndex[c]);
      int row = (int) (lastIndex[c] - seg.firstIndex);
      try {
        EntryRecord rec = EntryRecord.parse(readRaw(seg, row), "log index " + lastIndex[c]);
        EntryPayload pl = rec.payload("log index " + lastIndex[c]);
        if (!Arrays.equals(rec.hash().value().toByteArray(), seg.hash(row)) || !pl.chain().equals(chain)
            || pl.sequence() != lastSeq[c]) {
          return "its head of chain " + chain + " (log index " + lastIndex[c] + ", sequence " + lastSeq[c]
              + ") is not the record there (" + pl.chain() + ":" + pl.sequence() + ", " + rec.hash() + ")";
        }
        index.heads.put(chain, new ChainHead(chain, lastSeq[c], rec.hash(), lastIndex[c]));
      } catch (FormatException e) {
        return "its head of chain " + chain + " (log index " + lastIndex[c] + ") is not a record: " + e.getMessage();
      }
    }
    for (Segment seg : index.segments) {
      for (int row : new int[] {0, seg.rows() - 1}) {
        if (seg.rows() > 0 && !Arrays.equals(Digest.sha256(readRaw(seg, row)).value().toByteArray(), seg.hash(row))) {
          return "its hash of log index " + (seg.firstIndex + row) + " does not match the record";
        }
      }
    }
    long t = tree.size();
    if (t > 0 && t <= size) {
      Segment seg = index.segmentOf(t - 1);
      if (!MerkleHash.leafHash(readRaw(seg, (int) (t - 1 - seg.firstIndex))).equals(tree.leafHash(t - 1))) {
        return "the record it places at log index " + (t - 1) + " is not the leaf the Merkle tiles hold there";
      }
    }
    return null;
  }

  /**
   * Hashes into the tree the records the index holds beyond the tiles (the right edge, fewer than
   * 256, or all when the tiles are missing); no parsing. Caller holds the index monitor.
   */
  private void feedTree() throws IOException {
    long n = index.size;
    for (Segment seg : index.segments) {
      long from = Math.max(tree.size(), seg.firstIndex);
      if (from >= seg.firstIndex + seg.rows() || from >= n) {
        continue;
      }
      int row = (int) (from - seg.firstIndex);
      LogReader.readSegment(seg.path, seg.start(row), from, row + 1L, raw -> {
        if (raw.terminated() && raw.bytes() != null && raw.logIndex() == tree.size() && raw.logIndex() < n) {
          tree.appendRecord(raw.bytes(), 0, raw.bytes().length);
        }
      });
    }
  }

  /**
   * After a successful open for writing: cuts rows past what the segments hold (e.g. of a torn
   * record cut off since) from the row files, so that they can never be read as a later record's.
   */
  private void dropStaleRows() throws IOException {
    synchronized (index) {
      if (!indexWritable) {
        return;
      }
      for (Segment seg : index.segments) {
        Path rows = RecordIndex.rowFile(dir, seg.path);
        if (files.sizeOrZero(rows) > (long) seg.persistedRows * RecordIndex.ROW_BYTES) {
          RecordIndex.truncateAside(dir, rows, (long) seg.persistedRows * RecordIndex.ROW_BYTES);
        }
      }
    }
  }

  /** Set on open when the persisted index failed its checks: its files are deleted before rows are rewritten. */
  private boolean staleIndexFiles;

  /** Writes the segment's new rows to its row file (writer only); a failure leaves the rows to the next open. */
  private void persistIndex(Segment seg) {
    if (readOnly || !indexWritable) {
      return;
    }
    try {
      if (staleIndexFiles && seg.persistedRows < seg.rows()) {
        List<Path> all = new ArrayList<>();
        index.segments.forEach(x -> all.add(x.path));
        RecordIndex.deleteFiles(dir, all);
        index.forgetPersistedChains();
        staleIndexFiles = false;
      }
      index.persistRows(dir, seg);
    } catch (IOException | RuntimeException e) {
      indexWritable = false;
      note("stopped writing the record index (" + e + "); the ledger is unaffected and the next open rebuilds it");
    }
  }

  /** Number of records this store parsed (rather than took from the persisted index) since it was opened. */
  long parsedRecords() {
    synchronized (index) {
      return index.parsed;
    }
  }
}
