package dev.custody.attest.internal.store;

import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.TilePath;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.merkle.NodeHashes;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The Merkle tree of a ledger kept as C2SP tlog-tiles hash tiles under {@code DIR/tile/}
 * ({@link TilePath}): the {@link NodeHashes} a {@link MerkleTree} reads, so that the root of any
 * size and any inclusion or consistency proof cost O(log n) tile reads and at most
 * {@code 3 * 255} hashes per tile level, never a pass over the log.
 *
 * <p><b>What is on disk.</b> Only <em>full</em> tiles (256 hashes, 8,192 bytes, immutable once
 * written). The right edge of the tree — the partial tile of each level, fewer than 256 hashes —
 * lives in memory: level 0's is the leaf hashes of the last {@code size mod 256} records, which the
 * store hashes from the segments on open; higher levels' are the roots of full tiles of the level
 * below, recomputed on open from those tiles. Partial tiles ({@code .p/W}) are therefore not
 * written: a writer would have to replace them at every batch, and nothing serves them over HTTP
 * (yet); {@link #tileBytes} produces them on demand, byte-identical to tlog-tiles.
 *
 * <p><b>Trust.</b> Tiles are derived data written after the segments are durable, with
 * {@link DurableFiles#replace} (temporary file, fsync, atomic rename, fsync of the directory: a tile
 * is whole or absent, and survives a crash). They are never trusted blindly: the store checks them
 * against its largest signed checkpoint on open, and before it signs a checkpoint it recomputes the
 * root from that checkpoint and the records since ({@link TreeKeeper}), rebuilding the tiles from the
 * segments when they disagree; every proof the store hands out is verified against the root before
 * it is returned; and verifiers never read tiles at all. Tile files are read and written through
 * {@link LedgerFiles} (no links, no special files).
 *
 * <p>Thread-safe: all methods synchronize on this object.
 */
public final class TiledTree implements NodeHashes {
  private static final int HASH = MerkleHash.HASH_LENGTH;
  private static final int TILE_BYTES = TilePath.WIDTH * HASH;
  /** Full tiles kept in memory, 8 KiB each: 4 MiB, enough for the top of a 2^32-leaf tree and a working set of proofs. */
  private static final int CACHE_TILES = 512;

  private final TileStorage tiles;
  private final boolean writable;
  /** fullTiles[L] = number of full tiles at tile level L. */
  private long[] fullTiles = new long[0];
  /** edge.get(L) = hashes of the partial tile at level L, fewer than 256. */
  private final List<List<byte[]>> edge = new ArrayList<>();
  private long size;
  /** Full tiles whose write failed, kept until this object is dropped. */
  private final Map<Long, byte[]> unwritten = new java.util.HashMap<>();
  /** Full tiles completed but not yet written ({@link #deferWrites()}), in the order they were completed. */
  private final Map<Long, byte[]> pending = new LinkedHashMap<>();
  private boolean deferWrites;
  /** Why the last tile write failed, or null if none has. */
  private @Nullable String writeFailure;
  private final MessageDigest sha = Digest.newSha256();
  private final Map<Long, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
      return size() > CACHE_TILES;
    }
  };

  private TiledTree(TileStorage tiles, boolean writable) {
    this.tiles = tiles;
    this.writable = writable;
  }

  /**
   * The tree as far as the full tiles on disk go: {@code 256 * k} leaves for the {@code k}
   * consecutive full level-0 tiles from tile 0 (found with O(log k) file checks). Missing
   * higher-level tiles are rebuilt from the level below (written if {@code writable}). The caller
   * appends the leaf hashes of the records after {@link #size()}.
   */
  public static TiledTree open(Path ledgerDir, boolean writable) throws IOException {
    return open(fileTiles(ledgerDir), writable);
  }

  /** As {@link #open(Path, boolean)}, with the tiles kept in {@code tiles}. */
  public static TiledTree open(TileStorage tiles, boolean writable) throws IOException {
    TiledTree t = new TiledTree(tiles, writable);
    t.restore();
    if (writable) {
      for (int level = 0; level < t.fullTiles.length; level++) {
        tiles.removeTemporaries(level, t.fullTiles[level]);
      }
    }
    return t;
  }

  /** The tiles of the file ledger at {@code ledgerDir}, under {@code tile/} ({@link TilePath}). */
  public static TileStorage fileTiles(Path ledgerDir) throws IOException {
    FileTiles f = new FileTiles(ledgerDir);
    f.files.isDirectory(f.tileDir); // refuses a link or special file at tile/
    return f;
  }

  /**
   * An empty tree, to be rebuilt by appending every leaf; the tiles it writes replace those on disk
   * one by one. Call {@link #removeStaleTiles()} once it holds every leaf.
   */
  public static TiledTree empty(Path ledgerDir, boolean writable) throws IOException {
    return empty(fileTiles(ledgerDir), writable);
  }

  /** As {@link #empty(Path, boolean)}, with the tiles kept in {@code tiles}. */
  public static TiledTree empty(TileStorage tiles, boolean writable) {
    return new TiledTree(tiles, writable);
  }

  /**
   * Deletes, by their exact names, the full tiles on disk beyond this tree (left by a longer log
   * than the one rebuilt), so that opening does not count them; nothing else in {@code tile/} is
   * touched.
   */
  public synchronized void removeStaleTiles() throws IOException {
    if (!writable) {
      return;
    }
    for (int level = 0; level < TilePath.MAX_LEVEL; level++) {
      long n = level < fullTiles.length ? fullTiles[level] : 0;
      boolean any = false;
      while (tiles.delete(level, n)) {
        any = true;
        n++;
      }
      if (!any && level >= fullTiles.length) {
        return;
      }
    }
  }

  private void restore() throws IOException {
    long below = countFull(0, Long.MAX_VALUE / TilePath.WIDTH);
    fullTiles = new long[] {below};
    edge.add(new ArrayList<>());
    size = below * TilePath.WIDTH;
    int level = 1;
    while (below > 0) {
      long cap = below / TilePath.WIDTH;
      fullTiles = Arrays.copyOf(fullTiles, level + 1);
      fullTiles[level] = countFull(level, cap);
      // Rebuild the full tiles of this level that are missing (e.g. a crash between two tile writes).
      for (long n = fullTiles[level]; n < cap; n++) {
        byte[] tile = new byte[TILE_BYTES];
        for (int i = 0; i < TilePath.WIDTH; i++) {
          System.arraycopy(tileRoot(level - 1, n * TilePath.WIDTH + i), 0, tile, i * HASH, HASH);
        }
        writeTile(level, n, tile);
        fullTiles[level] = n + 1;
      }
      List<byte[]> e = new ArrayList<>();
      for (long n = cap * TilePath.WIDTH; n < below; n++) {
        e.add(tileRoot(level - 1, n));
      }
      edge.add(e);
      below = cap;
      level++;
    }
  }

  /** The number k <= cap of consecutive full tiles 0..k-1 present at {@code level} (galloping search). */
  private long countFull(int level, long cap) throws IOException {
    if (cap == 0 || !fullTileExists(level, 0)) {
      return 0;
    }
    long lo = 1; // tiles [0, lo) exist
    long hi = 2;
    while (hi <= cap && fullTileExists(level, hi - 1)) {
      lo = hi;
      hi = hi > cap / 2 ? cap + 1 : hi * 2;
    }
    hi = Math.min(hi, cap + 1); // tile hi-1 is missing or beyond cap
    while (hi - lo > 1) {
      long mid = (lo + hi) >>> 1;
      if (fullTileExists(level, mid - 1)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean fullTileExists(int level, long index) throws IOException {
    return tiles.has(level, index);
  }

  /** Number of leaves. */
  @Override
  public synchronized long size() {
    return size;
  }

  /** Appends the leaf hash of the next record; writes the tiles it completes if writable. */
  public synchronized void append(Bytes leafHash) {
    if (leafHash.length() != HASH) {
      throw new IllegalArgumentException("leaf hash must be " + HASH + " bytes, got " + leafHash.length());
    }
    push(0, leafHash.toByteArray());
    size++;
  }

  /**
   * Appends {@code SHA-256(0x00 || buf[off, off+len))}, the leaf hash of a record held in a buffer.
   *
   * @return that leaf hash
   */
  public synchronized Bytes appendRecord(byte[] buf, int off, int len) {
    sha.update(MerkleHash.LEAF_PREFIX);
    sha.update(buf, off, len);
    byte[] leaf = sha.digest();
    push(0, leaf);
    size++;
    return Bytes.copyOf(leaf);
  }

  private void push(int level, byte[] hash) {
    while (edge.size() <= level) {
      edge.add(new ArrayList<>());
    }
    if (fullTiles.length <= level) {
      fullTiles = Arrays.copyOf(fullTiles, level + 1);
    }
    List<byte[]> e = edge.get(level);
    e.add(hash);
    if (e.size() == TilePath.WIDTH) {
      byte[] tile = new byte[TILE_BYTES];
      for (int i = 0; i < TilePath.WIDTH; i++) {
        System.arraycopy(e.get(i), 0, tile, i * HASH, HASH);
      }
      long n = fullTiles[level];
      if (deferWrites) {
        pending.put(key(level, n), tile);
      } else {
        writeOrKeep(level, n, tile);
      }
      fullTiles[level] = n + 1;
      e.clear();
      push(level + 1, mth(tile, 0, TilePath.WIDTH));
    }
  }

  /**
   * Writes a full tile; a failure keeps it in memory. Tiles are derived data: a failed write (disk
   * full, permissions) must not fail appends whose records are already durable; the next writable
   * open finds the tile missing and rebuilds it from the segments.
   */
  private void writeOrKeep(int level, long n, byte[] tile) {
    try {
      writeTile(level, n, tile);
    } catch (IOException ex) {
      unwritten.put(key(level, n), tile);
      writeFailure = "cannot write tile " + TilePath.full(level, n) + " in " + tiles.describe() + ": " + ex;
    }
  }

  /**
   * From now on, tiles completed by {@link #append} and {@link #appendRecord} are kept in memory
   * until {@link #flush()} writes them, so that a writer can acknowledge appends before it writes
   * derived files (the store's tiles are rebuilt from the segments when a crash lost some).
   */
  synchronized void deferWrites() {
    deferWrites = true;
  }

  /** Writes the full tiles completed since the last flush (see {@link #deferWrites()}); a failure is kept as {@link #writeFailure()}. */
  public synchronized void flush() {
    for (Map.Entry<Long, byte[]> e : pending.entrySet()) {
      writeOrKeep((int) (e.getKey() >>> LEVEL_SHIFT), e.getKey() & ((1L << LEVEL_SHIFT) - 1), e.getValue());
    }
    pending.clear();
  }

  private void writeTile(int level, long index, byte[] tile) throws IOException {
    cache.put(key(level, index), tile);
    if (!writable) {
      return;
    }
    tiles.write(level, index, tile);
  }

  private static final int LEVEL_SHIFT = 58;

  private static long key(int level, long index) {
    return ((long) level << LEVEL_SHIFT) | index;
  }

  private byte[] readTile(int level, long index) {
    byte[] t = unwritten.isEmpty() ? null : unwritten.get(key(level, index));
    if (t == null && !pending.isEmpty()) {
      t = pending.get(key(level, index));
    }
    if (t != null) {
      return t;
    }
    t = cache.get(key(level, index));
    if (t != null) {
      return t;
    }
    String name = "tile " + TilePath.full(level, index).path() + " in " + tiles.describe();
    try {
      t = tiles.read(level, index).orElseThrow(() -> new IllegalStateException(name
          + " is missing; the tiles are damaged: " + tiles.rebuildAdvice()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + name, e);
    }
    if (t.length != TILE_BYTES) {
      throw new IllegalStateException(name + " has " + t.length + " bytes, not " + TILE_BYTES + "; "
          + tiles.rebuildAdvice());
    }
    cache.put(key(level, index), t);
    return t;
  }

  /** MTH of a full tile at {@code level}: the node at tree level 8(level+1). */
  private byte[] tileRoot(int level, long index) {
    return mth(readTile(level, index), 0, TilePath.WIDTH);
  }

  /** MTH of {@code count} (a power of two) consecutive hashes of {@code tile} from hash {@code first}. */
  private byte[] mth(byte[] tile, int first, int count) {
    byte[][] layer = new byte[count][];
    for (int i = 0; i < count; i++) {
      layer[i] = Arrays.copyOfRange(tile, (first + i) * HASH, (first + i + 1) * HASH);
    }
    for (int n = count; n > 1; n /= 2) {
      for (int i = 0; i < n / 2; i++) {
        sha.update(MerkleHash.NODE_PREFIX);
        sha.update(layer[2 * i]);
        sha.update(layer[2 * i + 1]);
        layer[i] = sha.digest();
      }
    }
    return layer[0];
  }

  @Override
  public synchronized Bytes leafHash(long index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("leaf " + index + " of a tree of size " + size);
    }
    return perfectSubtree(0, index).orElseThrow();
  }

  /**
   * Nodes at tree levels that are multiples of 8 come from the tiles or the in-memory edge; the
   * levels in between are left to {@link MerkleTree}, which hashes them from the level below
   * (at most 255 hashes per node, the "reconstructed by hashing" of tlog-tiles).
   */
  @Override
  public synchronized Optional<Bytes> perfectSubtree(int level, long index) {
    if (level % TilePath.HEIGHT != 0) {
      return Optional.empty();
    }
    int l = level / TilePath.HEIGHT;
    if (l >= fullTiles.length) {
      return Optional.empty();
    }
    long tile = index / TilePath.WIDTH;
    if (tile < fullTiles[l]) {
      int i = (int) (index % TilePath.WIDTH);
      return Optional.of(Bytes.copyOf(readTile(l, tile), i * HASH, HASH));
    }
    long j = index - fullTiles[l] * TilePath.WIDTH;
    List<byte[]> e = l < edge.size() ? edge.get(l) : List.of();
    return j < e.size() ? Optional.of(Bytes.copyOf(e.get((int) j))) : Optional.empty();
  }

  /**
   * The bytes of the tile at {@code level}, {@code index} for the current size, as tlog-tiles
   * serves it: the full tile, or the partial tile ({@link TilePath#width()} &lt; 256) at the right edge.
   *
   * @throws IllegalArgumentException if that tile is empty at this size
   */
  public synchronized byte[] tileBytes(int level, long index) {
    if (level < fullTiles.length && index < fullTiles[level]) {
      return readTile(level, index).clone();
    }
    List<byte[]> e = level < edge.size() ? edge.get(level) : List.of();
    if (level >= fullTiles.length || index != fullTiles[level] || e.isEmpty()) {
      throw new IllegalArgumentException("no tile " + level + "/" + index + " in a tree of size " + size);
    }
    byte[] out = new byte[e.size() * HASH];
    for (int i = 0; i < e.size(); i++) {
      System.arraycopy(e.get(i), 0, out, i * HASH, HASH);
    }
    return out;
  }

  /** The last tile write failure, if any (tiles stay correct in memory; a reopen rebuilds them). */
  public synchronized Optional<String> writeFailure() {
    return Optional.ofNullable(writeFailure);
  }

  /** The RFC 9162 root of the first {@code treeSize} leaves. */
  public synchronized Bytes root(long treeSize) {
    return new MerkleTree(this).root(treeSize);
  }

  /** A {@link MerkleTree} over this tree's nodes, for proofs. */
  public MerkleTree merkleTree() {
    return new MerkleTree(this);
  }

  @Override
  public synchronized String toString() {
    return "TiledTree{size=" + size + ", fullTiles=" + Arrays.toString(fullTiles) + ", in " + tiles.describe() + "}";
  }

  /**
   * Full tiles as files under a ledger's {@code tile/}: read and written through {@link LedgerFiles}
   * (no links, no special files), written with {@link DurableFiles#replace} (whole or absent).
   */
  private static final class FileTiles implements TileStorage {
    private final Path tileDir;
    private final LedgerFiles files;

    FileTiles(Path ledgerDir) {
      this.tileDir = ledgerDir.resolve(LedgerLayout.TILES);
      this.files = LedgerFiles.of(ledgerDir);
    }

    private Path tileFile(int level, long index) {
      // TilePath's paths start with tile/: they resolve against the ledger directory, tile/'s parent.
      return LedgerFiles.parentOf(tileDir).resolve(TilePath.full(level, index).path());
    }

    @Override
    public boolean has(int level, long index) throws IOException {
      return files.sizeOrZero(tileFile(level, index)) == TILE_BYTES;
    }

    @Override
    public Optional<byte[]> read(int level, long index) throws IOException {
      try {
        return Optional.of(files.read(tileFile(level, index), TILE_BYTES));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (FormatException e) {
        return Optional.of(new byte[0]); // longer than a tile: the tree reports it
      }
    }

    @Override
    public void write(int level, long index, byte[] tile) throws IOException {
      Path p = tileFile(level, index);
      files.createDirectories(LedgerFiles.parentOf(p));
      files.isFile(p); // refuses a link or special file where the tile goes
      DurableFiles.replace(p, tile);
    }

    @Override
    public boolean delete(int level, long index) throws IOException {
      return files.deleteFile(tileFile(level, index));
    }

    /**
     * Removes the temporary files a crash while writing a tile left ({@link LedgerLayout#isTemporaryName},
     * by their exact names): in the directory of the next full tile of the level, where appends write.
     */
    @Override
    public void removeTemporaries(int level, long next) throws IOException {
      Path d = LedgerFiles.parentOf(tileFile(level, next));
      for (Path p : files.list(d)) {
        if (LedgerLayout.isTemporaryName(p.getFileName().toString()) && files.kind(p) == LedgerFiles.Kind.FILE) {
          files.deleteFile(p);
        }
      }
    }

    @Override
    public String describe() {
      return tileDir.toString();
    }

    @Override
    public String rebuildAdvice() {
      return "delete " + tileDir + " and open the ledger for writing to rebuild them from the segments";
    }
  }
}
