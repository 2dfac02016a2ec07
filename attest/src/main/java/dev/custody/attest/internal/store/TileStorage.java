package dev.custody.attest.internal.store;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a {@link TiledTree} keeps its full hash tiles (256 hashes, 8,192 bytes, immutable once
 * written): files under a ledger's {@code tile/} ({@link TiledTree#open(java.nio.file.Path, boolean)}),
 * or rows of a database table (the PostgreSQL store). Tiles are derived data; the tree checks what it
 * reads (length here, roots against signed checkpoints in {@link TreeKeeper}).
 */
public interface TileStorage {

  /** Whether the full tile at {@code level}, {@code index} is stored whole. */
  boolean has(int level, long index) throws IOException;

  /**
   * The stored bytes of a full tile (any length: the tree refuses one that is not a tile), or empty
   * when it is not stored.
   */
  Optional<byte[]> read(int level, long index) throws IOException;

  /** Stores a full tile, replacing what is there (a rebuild writes tiles again). */
  void write(int level, long index, byte[] tile) throws IOException;

  /** Removes a stored full tile; false if there was none. */
  boolean delete(int level, long index) throws IOException;

  /**
   * When a writer opens the tree: removes what an interrupted tile write left beside the next full tile
   * of {@code level} ({@code next}). Nothing to do for a store whose writes are atomic.
   */
  default void removeTemporaries(int level, long next) throws IOException {}

  /** Where the tiles are, for messages: "tile/ of ledger DIR", "table tiles of …". */
  String describe();

  /** What a user does when stored tiles are damaged, for messages. */
  String rebuildAdvice();
}
