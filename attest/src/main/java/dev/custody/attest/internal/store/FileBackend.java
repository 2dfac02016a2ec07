package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.attest.internal.store.RecordIndex.Segment;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.internal.ledger.RawRecord;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The file backend of {@link FileLogStore} ({@link LogBackend}): a ledger directory on local disk
 * ({@link LedgerLayout}) — segments and their rolling, catch-up with other processes, torn-tail
 * repair and the record index; the OS lock is a {@link WriterLock} and reads go through
 * {@link IndexedReads}. The queue, group commit and checkpoints are the
 * shared {@link GroupCommitter} and {@link Checkpointer}; see {@link FileLogStore} for the
 * contract (durability, several processes, crashes, the record index, nothing outside the ledger).
 *
 * <p><b>What one durable write does</b> ({@link #writeDurably}): notes the batch in the lock file
 * ({@link TailGuard}), writes its records at the end of the last segment (a new one when the last
 * exceeds the segment size: created, then the directory fsynced), and fsyncs the segment once; then
 * adds the records to the in-memory index and tree. The record index rows and the hash tiles are
 * written after the acknowledgement ({@link #writeDerived()}), without fsync for the rows (the next
 * open checks them and parses what they do not cover) and whole-or-absent for the tiles (the next
 * open hashes the records beyond them).
 *
 * <p>Thread-safety: the index and tree are guarded by the {@link RecordIndex} monitor
 * ({@link #treeMonitor()}); the write side is the committer's (and a checkpoint signer's), under
 * the OS lock.
 */
final class FileBackend implements LogBackend {
  /** Directory of the bytes of incomplete records cut off after a crash. */
  static final String TORN = "torn";

  private final Path dir;
  private final LedgerFiles files;
  private final long segmentBytes;
  private final boolean readOnly;
  private final TailGuard tail;
  /** The OS lock (writer). */
  private final WriterLock lock;
  private final RecordIndex index = new RecordIndex();
  private final IndexedReads reads;
  /** False once writing the record index failed or disagreed with another process: left for the next open to rebuild. */
  private boolean indexWritable = true;
  /** What {@link #note} was told (guarded by itself); shared with the tree, which notes its own repairs. */
  private final List<String> repairs;
  /** The Merkle tree over the records; appended to under the {@link #index} monitor, with the index. */
  private final TreeKeeper tree;
  /** The stored checkpoints, when the ledger has a log identity (writer only). */
  private final Optional<StoredCheckpoints> checkpoints;
  /** Segments whose rows were added since the last {@link #writeDerived()} (committer only). */
  private final List<Segment> rowsToWrite = new ArrayList<>();

  private FileBackend(Path dir, long segmentBytes, boolean readOnly, Optional<LogIdentity> identity,
      List<String> repairs, TreeKeeper tree) {
    this.dir = dir;
    this.files = LedgerFiles.of(dir);
    this.segmentBytes = segmentBytes;
    this.readOnly = readOnly;
    this.tail = new TailGuard(files);
    this.lock = new WriterLock(files);
    this.reads = new IndexedReads(dir, files, index);
    this.checkpoints = readOnly ? Optional.empty() : identity.map(id -> new StoredCheckpoints(files, id));
    this.repairs = repairs;
    this.tree = tree;
  }

  /**
   * A backend over the ledger at {@code dir}, with its tree as far as the tiles go; nothing is read
   * yet ({@link #recover()}).
   */
  static FileBackend of(Path dir, long segmentBytes, boolean readOnly, Optional<LogIdentity> identity)
      throws IOException {
    // The tree is opened first (the constructor does no I/O), its notes going to the backend's list of repairs.
    List<String> repairs = new ArrayList<>();
    TreeKeeper tree = TreeKeeper.open(dir, !readOnly, repair -> note(repairs, repair));
    if (!readOnly) {
      tree.deferTileWrites();
    }
    return new FileBackend(dir, segmentBytes, readOnly, identity, repairs, tree);
  }

  /**
   * On open (a writer holds the lock): removes temporaries of interrupted writes, adopts the record
   * index as far as it is consistent, reads (and for a writer, repairs) what it does not cover, and
   * makes the tree cover exactly the records (rebuilding it from the segments when its tiles reach
   * beyond them).
   */
  void recover() throws IOException, FormatException {
    if (!readOnly) {
      for (String removed : StoredCheckpoints.removeTemporaries(files)) {
        note("removed " + removed + ", a temporary file left by an interrupted write");
      }
    }
    loadIndex();
    catchUpLog();
    synchronized (index) {
      if (tree.size() != index.size) {
        rebuildTree("the tiles cover " + tree.size() + " leaves but the ledger holds " + index.size + " records");
      }
    }
    if (!readOnly) {
      tree.writeTiles();
    }
  }

  /**
   * After a successful open for writing, still under the lock: cuts stale rows ({@link #dropStaleRows})
   * and notes the tail as found ({@link #noteTail}).
   */
  void opened() throws IOException {
    dropStaleRows();
    noteTail(lock.channel());
  }

  @Override
  public String describe() {
    return "ledger " + dir;
  }

  @Override
  public Object treeMonitor() {
    return index;
  }

  @Override
  public TreeKeeper tree() {
    return tree;
  }

  @Override
  public long size() {
    synchronized (index) {
      return index.size;
    }
  }

  /** All chains, sorted by id. */
  List<ChainHead> chains() {
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

  long[] chainIndexes(String chain) {
    synchronized (index) {
      return index.chainIndexes(chain);
    }
  }

  OptionalLong indexOf(Digest hash) {
    synchronized (index) {
      long i = index.indexOf(hash);
      return i < 0 ? OptionalLong.empty() : OptionalLong.of(i);
    }
  }

  EntryRecord read(long logIndex) throws IOException, FormatException {
    return reads.read(logIndex);
  }

  void read(long from, long to, LogStore.RecordReceiver receiver) throws IOException, FormatException {
    reads.read(from, to, receiver);
  }

  List<String> repairs() {
    synchronized (repairs) {
      return List.copyOf(repairs);
    }
  }

  // ---------------------------------------------------------------- writing

  @Override
  public WriteLock lock() throws IOException {
    if (readOnly) {
      throw new IllegalStateException(describe() + " was opened read-only");
    }
    return lock.lock();
  }

  @Override
  public void closeWriter() throws IOException {
    try {
      closeWriteChannel();
    } finally {
      lock.close();
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
  @Override
  public void catchUp() throws IOException, FormatException {
    Optional<TailNote> note = tail.check(lock.channel(), writeChannel, writePath);
    long before = tree.size();
    catchUpLog();
    if (!readOnly && tree.size() != before) {
      tree.writeTiles(); // the tiles of other writers' records (this writer's own follow its acknowledgements)
    }
    synchronized (index) {
      if (!index.segments.isEmpty()) {
        tail.checkNoLaterSegment(note, index.segments.get(index.segments.size() - 1).firstIndex);
      }
    }
  }


  @Override
  public WriteTimes writeDurably(List<NewRecord> records) throws IOException {
    long t0 = System.nanoTime();
    int size = 0;
    for (NewRecord r : records) {
      size += r.bytes().length + 1;
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (NewRecord r : records) {
      System.arraycopy(r.bytes(), 0, bytes, at, r.bytes().length);
      at += r.bytes().length;
      bytes[at++] = '\n';
    }
    Segment last;
    Optional<Digest> before;
    long firstIndex;
    synchronized (index) {
      last = index.segments.isEmpty() ? null : index.segments.get(index.segments.size() - 1);
      before = last == null || last.rows() == 0 ? Optional.empty()
          : Optional.of(Digest.ofSha256(last.hash(last.rows() - 1)));
      firstIndex = index.size;
    }
    // The segment the batch extends, or null when it starts a new one (rollover).
    Segment extended = last == null || last.end >= segmentBytes ? null : last;
    long segmentFirst = extended == null ? firstIndex : extended.firstIndex;
    long start = extended == null ? 0 : extended.end;
    // Announce the batch in the lock file before writing it (TailGuard), then create the segment if new.
    FileChannel lockCh = lock.channel();
    tail.note(lockCh, new TailNote(segmentFirst, start, start + bytes.length,
        Optional.of(records.get(records.size() - 1).hash())));
    int syncs = 1;
    Segment seg;
    if (extended == null) {
      seg = newSegment();
      syncs++; // the directory
    } else {
      seg = extended;
    }
    FileChannel ch = writeChannel(seg);
    requireSameFile(files, seg.path, writeKey, "the records would go to the file it was moved to");
    long t1;
    long t2;
    try {
      ByteBuffer bb = ByteBuffer.wrap(bytes);
      while (bb.hasRemaining()) {
        ch.write(bb, start + bb.position());
      }
      t1 = System.nanoTime();
      ch.force(false);
      t2 = System.nanoTime();
    } catch (IOException e) {
      // Leave no partial batch behind: nothing of it was acknowledged.
      ch.truncate(start);
      ch.force(false);
      tail.note(lockCh, new TailNote(seg.firstIndex, start, start, start == 0 ? Optional.empty() : before));
      throw e;
    }
    synchronized (index) {
      long end = start;
      int off = 0;
      for (NewRecord r : records) {
        int len = r.bytes().length + 1;
        end += len;
        index.add(seg, end, r.chain(), r.sequence(), r.hash());
        tree.appendRecord(bytes, off, len - 1);
        off += len;
      }
      if (rowsToWrite.isEmpty() || rowsToWrite.get(rowsToWrite.size() - 1) != seg) {
        rowsToWrite.add(seg);
      }
    }
    return new WriteTimes(t1 - t0, t2 - t1, syncs);
  }

  @Override
  public void writeDerived() {
    synchronized (index) {
      for (Segment seg : rowsToWrite) {
        persistIndex(seg);
      }
      rowsToWrite.clear();
    }
    tree.writeTiles();
  }

  /** The open channel of the segment appended to; replaced when a new segment starts. Committer only. */
  private @Nullable FileChannel writeChannel;
  private @Nullable Path writePath;
  /** {@link LedgerFiles#fileKey} of {@link #writePath} when it was opened (null if absent then). Committer only. */
  private @Nullable Object writeKey;

  /**
   * The file at {@code p} is still the one this writer opened ({@code key}): a name moved away and
   * replaced (possibly by a copy) must not be written through the old file, which may now be outside
   * the ledger.
   */
  static void requireSameFile(LedgerFiles files, Path p, @Nullable Object key, String why) throws IOException {
    Object now = files.fileKey(p);
    if (key != null && !key.equals(now)) {
      throw new dev.custody.core.internal.ledger.UnsafeFileException(p, "is no longer the file this writer opened (it was"
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

  @SuppressWarnings("try") // the segment file is only created here (empty) and closed at once
  private Segment newSegment() throws IOException {
    long first = size();
    Path p = dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(first));
    try (FileChannel created = files.createNew(p)) {
      // created empty; written through the write channel
    }
    DurableFiles.syncDirectory(LedgerFiles.parentOf(p));
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
  private void catchUpLog() throws IOException, FormatException {
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
      byte[] bytes = Objects.requireNonNull(raw.bytes(), "LogReader gives the bytes of a record that is not oversize");
      EntryRecord rec = EntryRecord.parse(bytes, raw.where());
      EntryPayload p = rec.payload(raw.where());
      synchronized (index) {
        index.parsed++;
        requireContinues(p, raw.where());
        addLeaf(bytes);
        index.add(seg, raw.offset() + bytes.length + 1, p.chain(), p.sequence(), rec.hash());
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


  @Override
  public void rebuildTree(String why) throws IOException, FormatException {
    tree.rebuild(index.size, why);
  }

  @Override
  public void readRecords(long from, long to, RecordVisitor visitor) throws IOException, FormatException {
    reads.readRecords(from, to, visitor);
  }

  @Override
  public List<StoredCheckpoints.Stored> bindingCheckpoints() throws IOException, FormatException {
    return checkpoints.isEmpty() ? List.of() : checkpoints.get().binding();
  }

  @Override
  public Optional<StoredCheckpoints.Stored> newestCheckpoint() throws IOException, FormatException {
    return checkpoints.isEmpty() ? Optional.empty() : checkpoints.get().latest();
  }

  @Override
  public void storeCheckpoint(SignedNote note, long size) throws IOException {
    checkpoints.orElseThrow().store(note, size);
  }

  @Override
  public void note(String repair) {
    note(repairs, repair);
  }

  private static void note(List<String> repairs, String repair) {
    synchronized (repairs) {
      repairs.add(repair);
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
      String problem = index.adopt(dir, tree, reads::readRaw);
      if (problem != null) {
        index.clear();
        if (!readOnly) {
          // Deleted when the first rebuilt rows are written: a store that then refuses to open
          // (a damaged segment) leaves the directory as it found it.
          staleIndexFiles = true;
          note("rebuilding the record index " + dir.resolve(RecordIndex.DIR) + " from the segments: " + problem);
        }
      }
      index.feedTree(tree);
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