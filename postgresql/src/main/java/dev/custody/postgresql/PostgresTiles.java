package dev.custody.postgresql;

import dev.custody.attest.internal.store.TileStorage;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** The full hash tiles of a PostgreSQL ledger: rows of {@code custody_tiles} (level, index, 8,192 bytes). */
final class PostgresTiles implements TileStorage {
  private static final int TILE_BYTES = 8192;
  private final DataSource ds;
  private final String where;

  PostgresTiles(DataSource ds, String where) {
    this.ds = ds;
    this.where = where;
  }

  @Override
  public boolean has(int level, long index) throws IOException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select octet_length(hashes) from custody_tiles where level = ? and idx = ?")) {
      ps.setInt(1, level);
      ps.setLong(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == TILE_BYTES;
      }
    } catch (SQLException e) {
      throw failure("reading", level, index, e);
    }
  }

  @Override
  public Optional<byte[]> read(int level, long index) throws IOException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("select hashes from custody_tiles where level = ? and idx = ?")) {
      ps.setInt(1, level);
      ps.setLong(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("reading", level, index, e);
    }
  }

  @Override
  public void write(int level, long index, byte[] tile) throws IOException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("insert into custody_tiles (level, idx, hashes) values (?, ?, ?)"
            + " on conflict (level, idx) do update set hashes = excluded.hashes")) {
      ps.setInt(1, level);
      ps.setLong(2, index);
      ps.setBytes(3, tile);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure("writing", level, index, e);
    }
  }

  @Override
  public boolean delete(int level, long index) throws IOException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("delete from custody_tiles where level = ? and idx = ?")) {
      ps.setInt(1, level);
      ps.setLong(2, index);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure("deleting", level, index, e);
    }
  }

  @Override
  public String describe() {
    return "table custody_tiles of " + where;
  }

  @Override
  public String rebuildAdvice() {
    return "delete the rows of custody_tiles and open the ledger for writing to rebuild them from the entries";
  }

  private IOException failure(String what, int level, long index, SQLException e) {
    return new IOException(what + " tile " + level + "/" + index + " in " + describe() + " failed: " + e.getMessage(), e);
  }
}
