package dev.custody.attest.internal.store;

import dev.custody.attest.AttestException;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * The default {@link LogStore}: a ledger directory on local disk ({@link LedgerLayout}).
 *
 * <p><b>Structure.</b> This class is the front door: it opens the ledger and wires three parts that
 * it delegates to. The {@link GroupCommitter} (append queue, sequencing, group commit,
 * acknowledgement) and the {@link Checkpointer} (when to sign, never a fork) are shared by every
 * store; the {@link FileBackend} is what is particular to files ({@link LogBackend}: segments, the OS
 * lock, catch-up, torn-tail repair, the record index, reads, tiles and checkpoint files).
 *
 * <p><b>Durability and speed.</b> An append makes (signs) its record in the caller's thread, for the
 * position the chain's newest queued entry implies, so signing runs on all cores and overlaps the
 * disk. One committer thread writes the queued records in batches (group commit): while one batch
 * is being fsynced, new appends queue up and share the next fsync. A future completes only after
 * {@code fsync} of the segment (and of the directory when a segment was created) returned — the
 * segment is the only file that must be durable at acknowledgement. The derived files (record index
 * rows, hash tiles) are written after the acknowledgement, and checkpoints after that; all of them
 * are rebuilt or re-checked from the segments on the next open, so a crash between the
 * acknowledgement and them loses nothing. {@link #commitStats()} tells where the committer's time
 * went.
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
 * adds no latency to acknowledged appends), and {@link #close()} signs a final one when this store
 * appended entries that no stored checkpoint covers yet. A writer opening the ledger checks that the ledger
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
public final class FileLogStore extends CommittingLogStore<FileBackend> {
  /** A new segment is started once the current one exceeds this size, so no file grows without bound. */
  public static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
  /** Directory of the bytes of incomplete records cut off after a crash. */
  static final String TORN = FileBackend.TORN;

  private final Path dir;

  private FileLogStore(Path dir, FileBackend backend, Optional<LogIdentity> identity,
      Optional<Checkpointer> checkpointer, Optional<GroupCommitter> committer) {
    super(backend, identity, checkpointer, committer);
    this.dir = dir;
  }

  /**
   * How a store is opened for writing.
   *
   * @param segmentBytes a new segment is started once the current one exceeds this (tests use small ones)
   * @param allowNetworkFileSystem write even on a network or FUSE file system ({@link NetworkFileSystems}),
   *     where the ledger lock may not be shared between machines: only when one machine alone writes
   * @param logPrivateKey the file of the log's private key when it is not where the ledger says
   *     ({@link LogIdentity#load(Path, boolean, Optional)})
   */
  public record Options(long segmentBytes, boolean allowNetworkFileSystem, Optional<Path> logPrivateKey) {
    /** System property ({@code true}) that allows a network file system for {@link #defaults()}. */
    public static final String ALLOW_NETWORK_FILE_SYSTEM_PROPERTY = "custody.allowNetworkFileSystem";

    public Options {
      if (segmentBytes < 1) {
        throw new IllegalArgumentException("segmentBytes must be positive, got " + segmentBytes);
      }
      Objects.requireNonNull(logPrivateKey, "logPrivateKey");
    }

    public Options(long segmentBytes, boolean allowNetworkFileSystem) {
      this(segmentBytes, allowNetworkFileSystem, Optional.empty());
    }

    /** 256 MiB segments; network file systems refused unless the system property says otherwise. */
    public static Options defaults() {
      return new Options(DEFAULT_SEGMENT_BYTES, Boolean.getBoolean(ALLOW_NETWORK_FILE_SYSTEM_PROPERTY));
    }

    public Options withSegmentBytes(long bytes) {
      return new Options(bytes, allowNetworkFileSystem, logPrivateKey);
    }

    public Options withNetworkFileSystemAllowed(boolean allow) {
      return new Options(segmentBytes, allow, logPrivateKey);
    }

    /** Reads the log's private key from {@code file} (outside the ledger), see {@link LogKeyLocation}. */
    public Options withLogPrivateKey(Path file) {
      return new Options(segmentBytes, allowNetworkFileSystem, Optional.of(file));
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
    create(dir, config, random, Optional.empty());
  }

  /**
   * As {@link #create(Path, LogConfig, SecureRandom)}, with the log's private key written outside the
   * ledger to {@code keyFile} ({@link LogKeyLocation#DEFAULT}: the default file) when given; without
   * it the key is written to {@code DIR/log/key}, the layout before the key moved out.
   */
  public static void create(Path dir, LogConfig config, SecureRandom random, Optional<Path> keyFile)
      throws IOException, FormatException {
    LedgerInit.create(dir, Optional.of(config), random, keyFile);
    Options options = Options.defaults().withNetworkFileSystemAllowed(true);
    if (keyFile.isPresent() && !keyFile.get().equals(LogKeyLocation.DEFAULT)) {
      options = options.withLogPrivateKey(keyFile.get());
    }
    try (FileLogStore store = open(dir, options)) {
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
   * @throws dev.custody.core.internal.ledger.UnsafeFileException if a link or special file is where the store reads or writes
   * @throws FormatException if the ledger is damaged or does not extend its largest stored checkpoint
   */
  public static FileLogStore open(Path dir, Options options) throws IOException, FormatException {
    return open(dir, options, UnaryOperator.identity());
  }

  /**
   * As {@link #open(Path, Options)}, with the committer's view of the backend wrapped by {@code wrap}
   * (tests: a backend that stops the process at a chosen step, as a crash would).
   */
  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  static FileLogStore open(Path dir, Options options, UnaryOperator<LogBackend> wrap) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    requireOrdinaryTopLevel(dir);
    // Allowed on a network file system, the caller warns (the CLI does, on stderr); see NetworkFileSystems.
    NetworkFileSystems.requireAllowed(dir, NetworkFileSystems.typeOf(dir), options.allowNetworkFileSystem());
    Optional<LogIdentity> identity = LogIdentity.load(dir, true, options.logPrivateKey());
    FileBackend backend = FileBackend.of(dir, options.segmentBytes(), false, identity);
    Optional<Checkpointer> checkpointer = identity.map(id -> new Checkpointer(backend, id));
    try (LogBackend.WriteLock lock = backend.lock()) {
      backend.recover();
      if (checkpointer.isPresent()) {
        checkpointer.get().checkStored();
      }
      backend.opened();
    } catch (IOException | FormatException | RuntimeException e) {
      backend.closeWriter();
      throw e;
    }
    GroupCommitter committer = new GroupCommitter(wrap.apply(backend), checkpointer,
        "custody-committer " + dir.getFileName());
    committer.start();
    return new FileLogStore(dir, backend, identity, checkpointer, Optional.of(committer));
  }

  /**
   * Opens a ledger for reading only: takes no lock, writes nothing, and ignores an unterminated
   * last line (an append in progress, or a crash remnant that the next writer will repair).
   */
  public static FileLogStore openReadOnly(Path dir) throws IOException, FormatException {
    LedgerLayout.requireLedger(dir);
    requireOrdinaryTopLevel(dir);
    Optional<LogIdentity> identity = LogIdentity.load(dir, false);
    FileBackend backend = FileBackend.of(dir, DEFAULT_SEGMENT_BYTES, true, identity);
    backend.recover();
    return new FileLogStore(dir, backend, identity, Optional.empty(), Optional.empty());
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
  public List<ChainHead> chains() {
    return backend.chains();
  }

  @Override
  public long[] chainIndexes(String chain) {
    return backend.chainIndexes(chain);
  }

  @Override
  public OptionalLong indexOf(Digest hash) {
    return backend.indexOf(hash);
  }

  @Override
  public EntryRecord read(long logIndex) throws IOException, FormatException {
    return backend.read(logIndex);
  }

  /** One open and read per run of records (up to 1 MiB) of a segment, not per record. */
  @Override
  public void read(long from, long to, RecordReceiver receiver) throws IOException, FormatException {
    backend.read(from, to, receiver);
  }

  @Override
  public List<String> repairs() {
    return backend.repairs();
  }

  @Override
  public Optional<byte[]> latestCheckpoint() throws IOException, FormatException {
    return LedgerFiles.of(dir).readIfPresent(dir.resolve(LedgerLayout.CHECKPOINT), LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
  }

  @Override
  protected String noLogKeyAdvice() {
    return " (" + LedgerLayout.LOG_KEY + ", or the file " + LedgerLayout.LOG_KEY_HINT + " names); it was created before"
        + " checkpoints existed, or its key is not found. Create a new ledger with 'custody init' to get one";
  }

  @Override
  protected String tilesRepairAdvice() {
    return "; delete " + dir.resolve(LedgerLayout.TILES) + " and open the ledger for writing (e.g. 'custody checkpoint')"
        + " to rebuild them";
  }

  /** Number of records this store parsed (rather than took from the persisted index) since it was opened. */
  long parsedRecords() {
    return backend.parsedRecords();
  }
}
