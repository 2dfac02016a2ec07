package dev.custody.attest.internal.store;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.merkle.CompactRange;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The Merkle tree of a file ledger as its writer keeps it: the hash tiles ({@link TiledTree}, derived
 * data that anyone with file access can alter) and, once proven, a {@link CompactRange} that the log
 * may sign.
 *
 * <p><b>Proof before signing.</b> The tiles are never what a checkpoint signs. The proven range
 * starts at the largest stored checkpoint, verified with the log key: the tiles' perfect subtrees at
 * that size must hash to its signed root (so they are that history's nodes, not the tiles' say-so),
 * and every leaf after it is recomputed from the record bytes — read from the segments when proving,
 * or hashed from the bytes this writer writes or reads while catching up. The root signed is the
 * proven range's root; tiles that disagree with it are rebuilt from the segments.
 *
 * <p>Callers hold the store's index monitor.
 */
public final class TreeKeeper {
  /** Reads the leaf bytes of the first {@code n} records, in log order, from the records themselves. */
  @FunctionalInterface
  public interface RecordSource {
    void readFirst(long n, LogBackend.RecordVisitor visitor) throws IOException, FormatException;
  }

  private final TileStorage tiles;
  private final RecordSource records;
  /** What messages call the log, e.g. "ledger /path". */
  private final String log;
  private final boolean writable;
  private final Consumer<String> notes;
  private TiledTree tree;
  /** Leaves [0, proven.size()) proven as above; null until proven, or after leaves were appended without it. */
  private @Nullable CompactRange proven;
  /** Whether tile writes wait for {@link #writeTiles()} (a writer that acknowledges appends first). */
  private boolean deferTiles;

  private TreeKeeper(TileStorage tiles, RecordSource records, String log, boolean writable, Consumer<String> notes,
      TiledTree tree) {
    this.tiles = tiles;
    this.records = records;
    this.log = log;
    this.writable = writable;
    this.notes = notes;
    this.tree = tree;
  }

  /** The tree as far as the tiles on disk go ({@link TiledTree#open}). */
  static TreeKeeper open(Path dir, boolean writable, Consumer<String> notes) throws IOException {
    RecordSource segments = (n, visitor) -> LogReader.readAll(dir, raw -> {
      if (raw.terminated() && raw.logIndex() < n && raw.bytes() != null) {
        visitor.record(raw.bytes());
      }
    });
    return open(TiledTree.fileTiles(dir), segments, "ledger " + dir, writable, notes);
  }

  /**
   * The tree as far as the tiles in {@code tiles} go; {@link #rebuild} reads the records from
   * {@code records}. {@code log} names the log in messages.
   */
  public static TreeKeeper open(TileStorage tiles, RecordSource records, String log, boolean writable,
      Consumer<String> notes) throws IOException {
    return new TreeKeeper(tiles, records, log, writable, notes, TiledTree.open(tiles, writable));
  }

  TiledTree tree() {
    return tree;
  }

  /**
   * From now on, tiles that appends complete are written by {@link #writeTiles()}, not during the
   * append: a store acknowledges appends once its records are durable and writes derived files after.
   */
  public void deferTileWrites() {
    deferTiles = true;
    tree.deferWrites();
  }

  /** Writes the tiles completed since the last call (see {@link #deferTileWrites()}); failures as {@link TiledTree#flush()}. */
  public void writeTiles() {
    tree.flush();
  }

  public long size() {
    return tree.size();
  }

  public Bytes root(long size) {
    return tree.root(size);
  }

  public MerkleTree merkleTree() {
    return tree.merkleTree();
  }

  public Bytes leafHash(long index) {
    return tree.leafHash(index);
  }

  /** Appends the leaf of the record in {@code buf[off, off+len)}; the proven range too, if it is at the same size. */
  public void appendRecord(byte[] buf, int off, int len) {
    Bytes leaf = tree.appendRecord(buf, off, len);
    if (proven != null) {
      if (proven.size() + 1 == tree.size()) {
        proven.append(leaf);
      } else {
        proven = null;
      }
    }
  }

  /**
   * Rebuilds the tiles from the first {@code n} records (the proven range is kept: it never depended
   * on the tiles).
   */
  public void rebuild(long n, String why) throws IOException, FormatException {
    TiledTree t = TiledTree.empty(tiles, writable);
    records.readFirst(n, bytes -> t.appendRecord(bytes, 0, bytes.length));
    if (t.size() != n) {
      throw new FormatException(log + ": rebuilding the Merkle tree read " + t.size() + " records, expected "
          + n + "; run 'custody verify'");
    }
    t.removeStaleTiles();
    if (deferTiles) {
      t.deferWrites(); // the rebuilt tiles were written as they were made
    }
    tree = t;
    if (writable) {
      notes.accept("rebuilt the Merkle tree tiles from the records: " + why);
    }
  }

  /**
   * Starts the proven range at {@code anchor} (empty: the empty tree): the compact range the tiles
   * give at its size must hash to its signed root.
   *
   * @return false if the tiles disagree with the anchor (the range is left unproven)
   */
  boolean startProof(Optional<Checkpoint> anchor) {
    if (anchor.isEmpty()) {
      proven = new CompactRange();
      return true;
    }
    CompactRange r = tree.merkleTree().compactRange(anchor.get().size());
    if (!r.root().equals(anchor.get().rootHash())) {
      proven = null;
      return false;
    }
    proven = r;
    return true;
  }

  /** Extends the proven range by the leaf of a record read from the segments. */
  void proveNext(byte[] record) {
    Objects.requireNonNull(proven, "records are proven after a startProof that succeeded")
        .append(MerkleHash.leafHash(record));
  }

  /** Size of the proven range, or -1 if there is none. */
  long provenSize() {
    return proven == null ? -1 : proven.size();
  }

  /** The root of the proven range, which must cover exactly {@code n} leaves. */
  Bytes provenRoot(long n) {
    if (proven == null || proven.size() != n) {
      throw new IllegalStateException("the tree is proven to size " + provenSize() + ", not " + n);
    }
    return proven.root();
  }
}
