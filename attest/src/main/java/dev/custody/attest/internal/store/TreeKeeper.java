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
import java.util.Optional;
import java.util.function.Consumer;

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
final class TreeKeeper {
  private final Path dir;
  private final boolean writable;
  private final Consumer<String> notes;
  private TiledTree tree;
  /** Leaves [0, proven.size()) proven as above; null until proven, or after leaves were appended without it. */
  private CompactRange proven;
  /** Whether tile writes wait for {@link #writeTiles()} (a writer that acknowledges appends first). */
  private boolean deferTiles;

  private TreeKeeper(Path dir, boolean writable, Consumer<String> notes, TiledTree tree) {
    this.dir = dir;
    this.writable = writable;
    this.notes = notes;
    this.tree = tree;
  }

  /** The tree as far as the tiles on disk go ({@link TiledTree#open}). */
  static TreeKeeper open(Path dir, boolean writable, Consumer<String> notes) throws IOException {
    return new TreeKeeper(dir, writable, notes, TiledTree.open(dir, writable));
  }

  TiledTree tree() {
    return tree;
  }

  /**
   * From now on, tiles that appends complete are written by {@link #writeTiles()}, not during the
   * append: a store acknowledges appends once its records are durable and writes derived files after.
   */
  void deferTileWrites() {
    deferTiles = true;
    tree.deferWrites();
  }

  /** Writes the tiles completed since the last call (see {@link #deferTileWrites()}); failures as {@link TiledTree#flush()}. */
  void writeTiles() {
    tree.flush();
  }

  long size() {
    return tree.size();
  }

  Bytes root(long size) {
    return tree.root(size);
  }

  MerkleTree merkleTree() {
    return tree.merkleTree();
  }

  Bytes leafHash(long index) {
    return tree.leafHash(index);
  }

  /** Appends the leaf of the record in {@code buf[off, off+len)}; the proven range too, if it is at the same size. */
  void appendRecord(byte[] buf, int off, int len) {
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
   * Rebuilds the tiles from the first {@code n} records of the segments (the proven range is kept:
   * it never depended on the tiles).
   */
  void rebuild(long n, String why) throws IOException, FormatException {
    TiledTree t = TiledTree.empty(dir, writable);
    LogReader.readAll(dir, raw -> {
      if (raw.terminated() && raw.logIndex() < n && raw.bytes() != null) {
        t.appendRecord(raw.bytes(), 0, raw.bytes().length);
      }
    });
    if (t.size() != n) {
      throw new FormatException("ledger " + dir + ": rebuilding the Merkle tree read " + t.size() + " records, expected "
          + n + "; run 'custody verify'");
    }
    t.removeStaleTiles();
    if (deferTiles) {
      t.deferWrites(); // the rebuilt tiles were written as they were made
    }
    tree = t;
    if (writable) {
      notes.accept("rebuilt the Merkle tree tiles from the segments: " + why);
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
    proven.append(MerkleHash.leafHash(record));
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
