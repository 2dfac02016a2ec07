package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.merkle.MerkleHash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The record index of a {@link FileLogStore}: where each record is, which chain and sequence it
 * holds and its entry hash, in memory and persisted under {@code DIR/index/} so that opening a large
 * ledger does not parse every record.
 *
 * <p><b>Format</b> (derived data; the segments are the truth):
 *
 * <pre>
 * DIR/index/chains        chain ids, one per line ('\n'-terminated, US-ASCII, valid chain ids,
 *                         no duplicates); the 0-based line number is the chain's number
 * DIR/index/NNN….idx      one file per segment NNN….jsonl: {@value #ROW_BYTES}-byte rows, one per
 *                         record of the segment in order, no header; big-endian:
 *                           0  u64 end offset: the offset just after the record's '\n' in the segment
 *                           8  u32 chain number (a line of DIR/index/chains)
 *                          12  u64 sequence number in the chain
 *                          20  32  entry hash, SHA-256 of the record bytes
 *                          52  u32 CRC-32C of bytes 0..51 (catches a damaged row, not a forged one)
 *                         record i spans [end(i-1), end(i) - 1) (end(-1) = 0), its '\n' at end(i) - 1
 * </pre>
 *
 * <p><b>Writing.</b> Only a writer, under the ledger's OS lock, after the records are durable in
 * the segment; without fsync (a crash may leave the index behind the segments, or a row half
 * written). A row is written at its position ({@code row * ROW_BYTES}), so a re-written row
 * replaces what a crashed writer left. A file is never shortened in place (another process may
 * have mapped it): a shorter version is written aside and renamed over it. Files are reached only
 * through {@link LedgerFiles} (no links, no special files, no multiply-linked file written), and
 * deleted only by their exact names.
 *
 * <p><b>Trust.</b> Rows are adopted on open only after checks ({@link #adopt}); a record
 * read through the index is parsed and its hash compared with its row. Callers hold this object's
 * monitor for every method.
 */
final class RecordIndex {
  /** Directory of the index files, relative to the ledger. */
  static final String DIR = "index";
  /** The chain-name table, relative to the ledger. */
  static final String CHAINS = DIR + "/chains";
  /** Suffix of a segment's row file (its name is the segment's, with this suffix instead of .jsonl). */
  static final String ROW_SUFFIX = ".idx";
  static final int ROW_BYTES = 56;
  private static final int END = 0;
  private static final int CHAIN = 8;
  private static final int SEQUENCE = 12;
  private static final int HASH = 20;
  private static final int CRC = 52;
  private static final int HASH_BYTES = Digest.SHA256_LENGTH;

  /** Rows of one segment: a read-only mapping of its row file, then rows added in this process. */
  static final class Segment {
    final Path path;
    final long firstIndex;
    /** Rows 0..mappedRows-1, from the row file (may be null when there are none). */
    @Nullable ByteBuffer mapped;
    int mappedRows;
    /** Rows from mappedRows on. */
    byte[] heap = new byte[0];
    int heapRows;
    /** Offset after the last complete record indexed. */
    long end;
    /** Rows known to be in the row file (written by this process or adopted from it). */
    int persistedRows;

    Segment(Path path, long firstIndex) {
      this.path = path;
      this.firstIndex = firstIndex;
    }

    int rows() {
      return mappedRows + heapRows;
    }

    private ByteBuffer buf(int row) {
      return row < mappedRows ? Objects.requireNonNull(mapped, "rows are mapped only with their mapping")
          : ByteBuffer.wrap(heap);
    }

    private int pos(int row) {
      return (row < mappedRows ? row : row - mappedRows) * ROW_BYTES;
    }

    long end(int row) {
      return buf(row).getLong(pos(row) + END);
    }

    long start(int row) {
      return row == 0 ? 0 : end(row - 1);
    }

    int chain(int row) {
      return buf(row).getInt(pos(row) + CHAIN);
    }

    long sequence(int row) {
      return buf(row).getLong(pos(row) + SEQUENCE);
    }

    byte[] hash(int row) {
      byte[] h = new byte[HASH_BYTES];
      buf(row).get(pos(row) + HASH, h);
      return h;
    }

    boolean hashEquals(int row, long[] h) {
      ByteBuffer b = buf(row);
      int p = pos(row) + HASH;
      for (int k = 0; k < 4; k++) {
        if (b.getLong(p + 8 * k) != h[k]) {
          return false;
        }
      }
      return true;
    }

    /** Whether the row's CRC-32C matches its content. */
    boolean crcMatches(int row, byte[] scratch, java.util.zip.CRC32C crc) {
      ByteBuffer b = buf(row);
      int p = pos(row);
      b.get(p, scratch, 0, CRC);
      crc.reset();
      crc.update(scratch, 0, CRC);
      return (int) crc.getValue() == b.getInt(p + CRC);
    }

    /** The encoded row, for writing to the row file. */
    byte[] encoded(int row) {
      byte[] out = new byte[ROW_BYTES];
      buf(row).get(pos(row), out);
      return out;
    }

    void addRow(long end, int chain, long sequence, byte[] hash) {
      if ((heapRows + 1) * ROW_BYTES > heap.length) {
        heap = Arrays.copyOf(heap, Math.max(64 * ROW_BYTES, heap.length * 2));
      }
      ByteBuffer b = ByteBuffer.wrap(heap, heapRows * ROW_BYTES, ROW_BYTES).putLong(end).putInt(chain).putLong(sequence)
          .put(hash);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(heap, heapRows * ROW_BYTES, CRC);
      b.putInt((int) crc.getValue());
      heapRows++;
      this.end = end;
    }
  }

  final List<Segment> segments = new ArrayList<>();
  final Map<String, ChainHead> heads = new HashMap<>();
  /** Chain number → id; numbers below {@link #persistedChains} are the lines of the chains file. */
  final List<String> chainNames = new ArrayList<>();
  final Map<String, Integer> chainNumbers = new HashMap<>();
  int persistedChains;
  /** Byte length of the complete lines of the chains file. */
  long chainsFileBytes;
  long size;
  /** Records parsed (rather than taken from the persisted index) since open; a test hook. */
  long parsed;

  @Nullable Segment segmentByPath(Path p) {
    for (Segment s : segments) {
      if (s.path.equals(p)) {
        return s;
      }
    }
    return null;
  }

  Segment segmentOf(long logIndex) {
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (segments.get(mid).firstIndex <= logIndex) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return segments.get(lo);
  }

  int chainNumber(String chain) {
    Integer n = chainNumbers.get(chain);
    if (n == null) {
      n = chainNames.size();
      chainNames.add(chain);
      chainNumbers.put(chain, n);
    }
    return n;
  }

  /** Adds a parsed record (or one this process wrote) as the next log index. */
  void add(Segment seg, long end, String chain, long sequence, Digest hash) {
    seg.addRow(end, chainNumber(chain), sequence, hash.value().toByteArray());
    heads.put(chain, new ChainHead(chain, sequence, hash, size));
    size++;
  }

  /** Forgets everything (the persisted rows are not trusted after all). */
  void clear() {
    segments.clear();
    heads.clear();
    chainNames.clear();
    chainNumbers.clear();
    persistedChains = 0;
    chainsFileBytes = 0;
    size = 0;
  }

  /** After the index files were deleted: the whole chain table is to be written again. */
  void forgetPersistedChains() {
    persistedChains = 0;
    chainsFileBytes = 0;
  }

  /** Log index of the record with this hash: a scan of the rows, newest first (no in-memory hash table). */
  long indexOf(Digest hash) {
    ByteBuffer t = ByteBuffer.wrap(hash.value().toByteArray());
    long[] h = {t.getLong(0), t.getLong(8), t.getLong(16), t.getLong(24)};
    for (int s = segments.size() - 1; s >= 0; s--) {
      Segment seg = segments.get(s);
      for (int r = seg.rows() - 1; r >= 0; r--) {
        if (seg.hashEquals(r, h)) {
          return seg.firstIndex + r;
        }
      }
    }
    return -1;
  }

  /** Log indexes of a chain by sequence: a backward scan of the rows from its head to its first entry. */
  long[] chainIndexes(String chain) {
    ChainHead head = heads.get(chain);
    Integer number = chainNumbers.get(chain);
    if (head == null || number == null) {
      return new long[0];
    }
    long[] out = new long[Math.toIntExact(head.sequence() + 1)];
    int left = out.length;
    Segment seg = segmentOf(head.logIndex());
    int s = segments.indexOf(seg);
    int r = (int) (head.logIndex() - seg.firstIndex);
    while (left > 0) {
      if (seg.chain(r) == number) {
        out[(int) seg.sequence(r)] = seg.firstIndex + r;
        left--;
      }
      if (--r < 0) {
        if (--s < 0) {
          break;
        }
        seg = segments.get(s);
        r = seg.rows() - 1;
      }
    }
    return out;
  }

  /** Reads the bytes of a record (without its newline) through the rows. */
  @FunctionalInterface
  interface RowReader {
    byte[] read(Segment seg, int row) throws IOException, FormatException;
  }

  /**
   * Takes the rows of each segment's row file in order while they are plausible: CRC intact, end
   * offsets increasing within the segment, record lengths within the limit, known chain numbers,
   * and each chain's sequence numbers consecutive from 0. It stops at the first implausible row,
   * at a segment the rows do not cover exactly (the rest is parsed), and at a segment whose name
   * does not follow on. Then checks the adopted rows against the segments: the record of every
   * chain head (parsed: hash, chain, sequence), the first and last record of every segment (hash),
   * and the last leaf the tiles hold (leaf hash), reading records with {@code reader}. Caller holds this monitor.
   *
   * @return null if the adopted rows passed, else what was wrong
   */
  @Nullable String adopt(Path dir, TreeKeeper tree, RowReader reader) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    List<Path> segmentFiles = LedgerLayout.segments(dir);
    if (!files.isDirectory(indexDir(dir)) || segmentFiles.isEmpty()) {
      return null;
    }
    if (!loadChains(dir)) {
      return CHAINS + " is not a table of distinct chain ids";
    }
    int chains = chainNames.size();
    long[] lastSeq = new long[chains];
    long[] lastIndex = new long[chains];
    Arrays.fill(lastSeq, -1);
    byte[] scratch = new byte[ROW_BYTES];
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    long size = 0;
    for (Path p : segmentFiles) {
      if (LedgerLayout.firstIndexOf(p) != size) {
        break; // catch-up reports the misnamed segment
      }
      long segLength = files.sizeOrZero(p);
      Path rows = rowFile(dir, p);
      long n = rowsIn(rows);
      Segment seg = new Segment(p, size);
      Optional<ByteBuffer> m = map(rows, n);
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
          if (length < 2 || length > MAX_LINE || end > segLength || c < 0 || c >= chains
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
      segments.add(seg);
      size += good;
      if (prevEnd != segLength) {
        break;
      }
    }
    this.size = size;
    for (int c = 0; c < chains; c++) {
      if (lastSeq[c] < 0) {
        continue;
      }
      String chain = chainNames.get(c);
      Segment seg = segmentOf(lastIndex[c]);
      int row = (int) (lastIndex[c] - seg.firstIndex);
      try {
        EntryRecord rec = EntryRecord.parse(reader.read(seg, row), "log index " + lastIndex[c]);
        EntryPayload pl = rec.payload("log index " + lastIndex[c]);
        if (!Arrays.equals(rec.hash().value().toByteArray(), seg.hash(row)) || !pl.chain().equals(chain)
            || pl.sequence() != lastSeq[c]) {
          return "its head of chain " + chain + " (log index " + lastIndex[c] + ", sequence " + lastSeq[c]
              + ") is not the record there (" + pl.chain() + ":" + pl.sequence() + ", " + rec.hash() + ")";
        }
        heads.put(chain, new ChainHead(chain, lastSeq[c], rec.hash(), lastIndex[c]));
      } catch (FormatException e) {
        return "its head of chain " + chain + " (log index " + lastIndex[c] + ") is not a record: " + e.getMessage();
      }
    }
    for (Segment seg : segments) {
      for (int row : new int[] {0, seg.rows() - 1}) {
        if (seg.rows() > 0 && !Arrays.equals(Digest.sha256(reader.read(seg, row)).value().toByteArray(), seg.hash(row))) {
          return "its hash of log index " + (seg.firstIndex + row) + " does not match the record";
        }
      }
    }
    long t = tree.size();
    if (t > 0 && t <= size) {
      Segment seg = segmentOf(t - 1);
      if (!MerkleHash.leafHash(reader.read(seg, (int) (t - 1 - seg.firstIndex))).equals(tree.leafHash(t - 1))) {
        return "the record it places at log index " + (t - 1) + " is not the leaf the Merkle tiles hold there";
      }
    }
    return null;
  }

  /**
   * Hashes into the tree the records the index holds beyond the tiles (the right edge, fewer than
   * 256, or all when the tiles are missing); no parsing. Caller holds this monitor.
   */
  void feedTree(TreeKeeper tree) throws IOException {
    long n = size;
    for (Segment seg : segments) {
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

  // ---------------------------------------------------------------- files

  static Path indexDir(Path ledger) {
    return ledger.resolve(DIR);
  }

  static Path rowFile(Path ledger, Path segment) {
    String name = segment.getFileName().toString();
    return indexDir(ledger).resolve(name.substring(0, name.length() - LedgerLayout.SEGMENT_SUFFIX.length()) + ROW_SUFFIX);
  }

  /**
   * Reads the complete lines of the chains file into the table (from line {@link #persistedChains}
   * on; earlier lines are not re-read).
   *
   * @return false if the file is not a valid table (a bad id, a duplicate)
   */
  boolean loadChains(Path ledger) throws IOException {
    byte[] all;
    try {
      Optional<byte[]> read = LedgerFiles.of(ledger).readIfPresent(ledger.resolve(CHAINS), MAX_CHAINS_BYTES);
      if (read.isEmpty()) {
        return true;
      }
      all = read.get();
    } catch (FormatException tooLarge) {
      return false;
    }
    int from = (int) chainsFileBytes;
    for (int i = from; i < all.length; i++) {
      if (all[i] != '\n') {
        continue;
      }
      String name = new String(all, from, i - from, StandardCharsets.US_ASCII);
      try {
        EntryPayload.requireChainId(name);
      } catch (IllegalArgumentException e) {
        return false;
      }
      Integer known = chainNumbers.get(name);
      if (persistedChains < chainNames.size()) {
        // This process numbered chains the file did not hold yet: the file must agree.
        if (!chainNames.get(persistedChains).equals(name)) {
          return false;
        }
      } else if (known != null) {
        return false;
      } else {
        chainNames.add(name);
        chainNumbers.put(name, persistedChains);
      }
      persistedChains++;
      from = i + 1;
      chainsFileBytes = from;
    }
    return true;
  }

  /** Writes the chain names numbered in this process after the file's lines. Writer under the OS lock. */
  void persistChains(Path ledger) throws IOException {
    if (persistedChains == chainNames.size()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = persistedChains; i < chainNames.size(); i++) {
      sb.append(chainNames.get(i)).append('\n');
    }
    byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
    LedgerFiles files = LedgerFiles.of(ledger);
    files.createDirectories(indexDir(ledger));
    try (FileChannel ch = files.openWrite(ledger.resolve(CHAINS), StandardOpenOption.CREATE)) {
      writeFully(ch, ByteBuffer.wrap(b), chainsFileBytes);
      if (ch.size() > chainsFileBytes + b.length) {
        ch.truncate(chainsFileBytes + b.length); // a torn line no process has read as a chain
      }
    }
    chainsFileBytes += b.length;
    persistedChains = chainNames.size();
  }

  /** Writes the segment's rows not yet in its row file. Writer under the OS lock. */
  void persistRows(Path ledger, Segment seg) throws IOException {
    if (seg.persistedRows == seg.rows()) {
      return;
    }
    persistChains(ledger);
    Path f = rowFile(ledger, seg.path);
    LedgerFiles files = LedgerFiles.of(ledger);
    files.createDirectories(indexDir(ledger)); // f's directory
    int n = seg.rows() - seg.persistedRows;
    ByteBuffer b = ByteBuffer.allocate(n * ROW_BYTES);
    for (int r = seg.persistedRows; r < seg.rows(); r++) {
      b.put(seg.encoded(r));
    }
    b.flip();
    long at = (long) seg.persistedRows * ROW_BYTES;
    boolean longer;
    try (FileChannel ch = files.openWrite(f, StandardOpenOption.CREATE)) {
      writeFully(ch, b, at);
      longer = ch.size() > at + (long) n * ROW_BYTES;
    }
    seg.persistedRows = seg.rows();
    if (longer) {
      truncateAside(ledger, f, (long) seg.persistedRows * ROW_BYTES);
    }
  }

  /** Replaces {@code f} by its first {@code length} bytes, without shortening a file another process may map. */
  static void truncateAside(Path ledger, Path f, long length) throws IOException {
    LedgerFiles files = LedgerFiles.of(ledger);
    Path tmp = f.resolveSibling(LedgerLayout.temporaryName(f.getFileName().toString(),
        java.util.concurrent.ThreadLocalRandom.current().nextLong()));
    try {
      try (FileChannel in = files.openRead(f); FileChannel out = files.createNew(tmp)) {
        long done = 0;
        while (done < length) {
          done += in.transferTo(done, length - done, out);
        }
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the index files of the given segments and the chain table, by their exact names (unlinked,
   * so mappings in other processes stay valid); nothing else in {@code index/} is touched. Writer under
   * the OS lock.
   */
  static void deleteFiles(Path ledger, List<Path> segments) throws IOException {
    LedgerFiles files = LedgerFiles.of(ledger);
    if (!files.isDirectory(indexDir(ledger))) {
      return;
    }
    files.deleteFile(ledger.resolve(CHAINS));
    for (Path seg : segments) {
      files.deleteFile(rowFile(ledger, seg));
    }
  }

  /**
   * Maps the first {@code rows} rows of a row file, or returns empty when the file holds fewer
   * (or is absent, or too large to map).
   */
  static Optional<ByteBuffer> map(Path file, long rows) throws IOException {
    long bytes = rows * ROW_BYTES;
    if (rows <= 0 || bytes > Integer.MAX_VALUE) {
      return Optional.empty();
    }
    Path ledger = ledgerOf(file);
    try (FileChannel ch = LedgerFiles.of(ledger).openRead(file)) {
      if (ch.size() < bytes) {
        return Optional.empty();
      }
      return Optional.of(ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Number of whole rows in a row file (0 when absent). */
  static long rowsIn(Path file) throws IOException {
    return LedgerFiles.of(ledgerOf(file)).sizeOrZero(file) / ROW_BYTES;
  }

  /** The ledger directory of a row file ({@link #rowFile}: {@code LEDGER/index/NAME}). */
  private static Path ledgerOf(Path rowFile) {
    return LedgerFiles.parentOf(LedgerFiles.parentOf(rowFile));
  }

  /** Replaces the segment's in-memory rows by a mapping of its (complete) row file, to bound memory. */
  static void remap(Path ledger, Segment seg) throws IOException {
    if (seg.heapRows == 0 || seg.persistedRows != seg.rows()) {
      return;
    }
    Optional<ByteBuffer> m = map(rowFile(ledger, seg.path), seg.rows());
    if (m.isPresent()) {
      seg.mapped = m.get();
      seg.mappedRows = seg.rows();
      seg.heap = new byte[0];
      seg.heapRows = 0;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  /** Largest chain table read: far more chains than any ledger holds. */
  private static final int MAX_CHAINS_BYTES = 64 << 20;

  /** Largest length of a row's record including its '\n'. */
  static final long MAX_LINE = EntryRecord.MAX_RECORD_BYTES + 1L;
}
