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
 * extends its own newest checkpoint and refuses to append otherwise: appending to a truncated or
 * rewritten log would make the log sign a fork of its own history.
 */
public final class FileLogStore implements LogStore {
  /** A new segment is started once the current one exceeds this size, so no file grows without bound. */
  public static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
  /** Most appends written by one fsync. */
  private static final int MAX_BATCH = 4096;

  private final Path dir;
  private final long segmentBytes;
  private final boolean readOnly;
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
  private TiledTree tree;
  private Optional<LogIdentity> identity = Optional.empty();
  /** Committer (and {@link #signCheckpoint}) under the OS lock: when this process last signed. */
  private long lastCheckpointNanos;
  private long lastCheckpointSize = -1;
  private boolean checkpointedOnce;

  private FileLogStore(Path dir, long segmentBytes, boolean readOnly) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.readOnly = readOnly;
    this.committer = readOnly ? null : new Thread(this::commitLoop, "custody-committer " + dir.getFileName());
  }

  /**
   * Creates an empty ledger at {@code dir}, which must be absent or an empty directory.
   *
   * @throws FormatException if {@code dir} is already a ledger or not empty
   */
  public static void create(Path dir) throws IOException, FormatException {
    if (Files.exists(dir.resolve(LedgerLayout.MARKER))) {
      throw new FormatException(dir + " is already a custody ledger; nothing was changed");
    }
    if (Files.isDirectory(dir)) {
      // A ledger is made in a new or empty directory only: initialising one over unrelated files
      // (a mistyped --ledger) would mix them with the ledger and make later commands misread them.
      try (java.util.stream.Stream<Path> s = Files.list(dir)) {
        Optional<Path> first = s.findFirst();
        if (first.isPresent()) {
          throw new FormatException(dir + " is not empty (it holds " + first.get().getFileName() + "); a ledger is"
              + " created in a new or empty directory; nothing was changed");
        }
      }
    }
    Files.createDirectories(dir.resolve(LedgerLayout.SEGMENTS));
    DurableFiles.syncDirectory(dir.resolve(LedgerLayout.SEGMENTS));
    // The marker last: a directory without it is not a ledger, whatever else a crash left there.
    DurableFiles.replace(dir.resolve(LedgerLayout.MARKER),
        ("{\"format\":\"" + LedgerLayout.FORMAT + "\"}\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** Opens a ledger for appending and reading. */
  public static FileLogStore open(Path dir) throws IOException, FormatException {
    return open(dir, DEFAULT_SEGMENT_BYTES);
  }

  /** Opens a ledger for appending with a given segment size (tests use small ones). */
  public static FileLogStore open(Path dir, long segmentBytes) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    FileLogStore s = new FileLogStore(dir, segmentBytes, false);
    s.identity = LogIdentity.load(dir, true);
    s.tree = TiledTree.open(dir, true);
    try (FileChannel lockChannel = lockChannel(dir); FileLock lock = lock(lockChannel)) {
      s.loadIndex();
      s.catchUp();
      s.checkTree();
      s.dropStaleRows();
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
    FileLogStore s = new FileLogStore(dir, DEFAULT_SEGMENT_BYTES, true);
    s.identity = LogIdentity.load(dir, false);
    s.tree = TiledTree.open(dir, false);
    s.loadIndex();
    s.catchUp();
    s.checkTree();
    return s;
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
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ)) {
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
    try (FileChannel lockChannel = lockChannel(dir)) {
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
      try {
        catchUp();
      } catch (FormatException e) {
        failAll(batch, new AttestException("cannot append: " + e.getMessage(), e));
        return;
      }
      writeBatch(batch);
      synchronized (checkpointMonitor) {
        maybeCheckpoint();
      }
    }
  }

  /** A record made for this batch, not yet durable. */
  private record Pending(Request request, long sequence, long logIndex, Digest hash, long bufferOffset) {}

  private void writeBatch(List<Request> batch) throws IOException {
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
    synchronized (index) {
      seg = index.segments.isEmpty() ? null : index.segments.get(index.segments.size() - 1);
    }
    if (seg == null || seg.end >= segmentBytes) {
      seg = newSegment();
    }
    byte[] bytes = buf.toByteArray();
    long start = seg.end;
    FileChannel ch = writeChannel(seg);
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

  private FileChannel writeChannel(Segment seg) throws IOException {
    if (writeChannel == null || !seg.path.equals(writePath)) {
      closeWriteChannel();
      writeChannel = FileChannel.open(seg.path, StandardOpenOption.WRITE);
      writePath = seg.path;
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
    Files.createFile(p);
    DurableFiles.syncDirectory(p.getParent());
    // Rows left by a segment of the same name that was removed must not be read as this one's.
    Files.deleteIfExists(RecordIndex.rowFile(dir, p));
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
    List<Path> files = LedgerLayout.segments(dir);
    for (int i = 0; i < files.size(); i++) {
      Path path = files.get(i);
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
      if (Files.size(path) == seg.end) {
        continue;
      }
      boolean last = i == files.size() - 1;
      Segment s = seg;
      long startLine = s.rows() + 1L;
      LogReader.Position end;
      try {
        end = LogReader.readSegment(path, s.end, s.firstIndex + s.rows(), startLine,
            raw -> ingest(s, raw, last));
      } catch (Damaged d) {
        throw d.cause;
      }
      if (end.endOffset() != Files.size(path) && !last) {
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
    return Files.size(last.path) == last.end && (next.equals(last.path) || !Files.exists(next));
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
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.WRITE)) {
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
      Path tornDir = dir.resolve("torn");
      Files.createDirectories(tornDir);
      Path saved = tornDir.resolve(seg.path.getFileName() + "@" + raw.offset() + ".bin");
      try (FileChannel in = FileChannel.open(seg.path, StandardOpenOption.READ);
          FileChannel out = FileChannel.open(saved, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        in.transferTo(raw.offset(), in.size() - raw.offset(), out);
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
   * its tiles reach beyond them), and for a writer, checks it against the newest checkpoint.
   */
  private void checkTree() throws IOException, FormatException {
    synchronized (index) {
      if (tree.size() != index.size) {
        rebuildTree("the tiles cover " + tree.size() + " leaves but the ledger holds " + index.size + " records");
      }
    }
    if (readOnly) {
      return;
    }
    Optional<Checkpoint> cp = latestVerifiedCheckpoint();
    if (cp.isEmpty()) {
      return;
    }
    long size = size();
    if (cp.get().size() > size) {
      throw new FormatException("ledger " + dir + " holds " + size + " entries but its own checkpoint "
          + LedgerLayout.CHECKPOINT + " commits to " + cp.get().size() + ": entries were removed (truncation or a"
          + " restored old copy). Refusing to append, which would fork the log's signed history; run"
          + " 'custody verify' and restore the missing entries");
    }
    if (!tree.root(cp.get().size()).equals(cp.get().rootHash())) {
      rebuildTree("the tiles' root at size " + cp.get().size() + " differs from the checkpoint");
      if (!tree.root(cp.get().size()).equals(cp.get().rootHash())) {
        throw new FormatException("ledger " + dir + ": the root of its first " + cp.get().size() + " entries is "
            + b64(tree.root(cp.get().size())) + " but its own checkpoint at that size says " + b64(cp.get().rootHash())
            + ": entries were rewritten or reordered. Refusing to append, which would fork the log's signed"
            + " history; run 'custody verify'");
      }
    }
    lastCheckpointSize = cp.get().size();
  }

  private static String b64(Bytes b) {
    return java.util.Base64.getEncoder().encodeToString(b.toByteArray());
  }

  /** Rebuilds the tree from the segments (tiles are derived data). Caller holds the index monitor. */
  private void rebuildTree(String why) throws IOException, FormatException {
    TiledTree t = TiledTree.empty(dir, !readOnly);
    long n = index.size;
    LogReader.readAll(dir, raw -> {
      if (raw.terminated() && raw.logIndex() < n && raw.bytes() != null) {
        t.appendRecord(raw.bytes(), 0, raw.bytes().length);
      }
    });
    if (t.size() != n) {
      throw new FormatException("ledger " + dir + ": rebuilding the Merkle tree read " + t.size() + " records, expected "
          + n + "; run 'custody verify'");
    }
    tree = t;
    if (!readOnly) {
      note("rebuilt the Merkle tree tiles from the segments: " + why);
    }
  }

  /** The newest checkpoint file, verified with the log key; empty if there is none (or no log identity). */
  private Optional<Checkpoint> latestVerifiedCheckpoint() throws IOException, FormatException {
    Path f = dir.resolve(LedgerLayout.CHECKPOINT);
    if (identity.isEmpty() || !Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(CheckpointVerifier.forLog(identity.get().origin(), identity.get().verifierKey())
          .verify(LedgerLayout.readSmallFile(f)).checkpoint());
    } catch (NoteVerificationException | CheckpointException e) {
      throw new FormatException(f + " is not a checkpoint signed by this ledger's log key "
          + identity.get().verifierKey() + ": " + e.getMessage() + "; run 'custody verify'", e);
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
    } catch (IOException | NoteSigningException | RuntimeException e) {
      // The batch is durable and acknowledged; a failed checkpoint is retried after the next batch.
      note("automatic checkpoint failed: " + e.getMessage());
    }
  }

  /** Signs and stores a checkpoint of the current tree head. Caller holds the OS lock and has caught up. */
  private SignedNote writeCheckpointLocked() throws IOException, NoteSigningException {
    long size;
    Bytes root;
    synchronized (index) {
      size = index.size;
      root = tree.root(size);
    }
    SignedNote note = identity.get().signer().orElseThrow().sign(size, root);
    lastCheckpointNanos = System.nanoTime();
    checkpointedOnce = true;
    if (size == lastCheckpointSize) {
      return note; // already stored (Ed25519 is deterministic: the same bytes)
    }
    byte[] bytes = note.encoded();
    Path cpDir = dir.resolve(LedgerLayout.CHECKPOINTS);
    Files.createDirectories(cpDir);
    Path f = cpDir.resolve(LedgerLayout.checkpointName(size));
    if (Files.exists(f)) {
      if (!Arrays.equals(Files.readAllBytes(f), bytes)) {
        throw new IOException(f + " already holds a different checkpoint for tree size " + size
            + "; refusing to sign a second tree head for the same size (that would be a fork)");
      }
    } else {
      DurableFiles.replace(f, bytes);
    }
    // A timestamp beside the latest checkpoint belongs to the one being replaced: remove it first, so
    // that "checkpoint.tsr" never sits beside a checkpoint it does not cover. A timestamp for this
    // size, if one is made, is stored beside checkpoints/<size>.
    Files.deleteIfExists(dir.resolve(LedgerLayout.CHECKPOINT + LedgerLayout.TIMESTAMP_SUFFIX));
    DurableFiles.replace(dir.resolve(LedgerLayout.CHECKPOINT), bytes);
    lastCheckpointSize = size;
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
    try (FileChannel lockChannel = lockChannel(dir); FileLock lock = lock(lockChannel)) {
      // Serialise with this process's committer too: it writes checkpoints under the same lock.
      synchronized (checkpointMonitor) {
        catchUp();
        return writeCheckpointLocked();
      }
    } catch (NoteSigningException e) {
      throw new AttestException("signing the checkpoint failed: " + e.getMessage(), e);
    }
  }

  private final Object checkpointMonitor = new Object();

  @Override
  public Optional<byte[]> latestCheckpoint() throws IOException, FormatException {
    Path f = dir.resolve(LedgerLayout.CHECKPOINT);
    return Files.isRegularFile(f) ? Optional.of(LedgerLayout.readSmallFile(f)) : Optional.empty();
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

  private static FileChannel lockChannel(Path dir) throws IOException {
    return FileChannel.open(dir.resolve(LedgerLayout.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
    List<Path> files = LedgerLayout.segments(dir);
    if (files.isEmpty() || !Files.isDirectory(RecordIndex.indexDir(dir))) {
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
    for (Path p : files) {
      if (LedgerLayout.firstIndexOf(p) != size) {
        break; // catch-up reports the misnamed segment
      }
      long segLength = Files.size(p);
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
        if (Files.exists(rows) && Files.size(rows) > (long) seg.persistedRows * RecordIndex.ROW_BYTES) {
          RecordIndex.truncateAside(rows, (long) seg.persistedRows * RecordIndex.ROW_BYTES);
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
        RecordIndex.deleteFiles(dir);
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
