package dev.custody.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Copies a PostgreSQL ledger into a directory in the file ledger's layout ({@link LedgerLayout}), in one
 * read-only repeatable-read transaction (one snapshot, whatever writers do meanwhile), judging nothing:
 * the records' bytes in log-index order into one segment, the log config and verifier key, every
 * checkpoint ({@code checkpoints/N}, the newest as {@code checkpoint}). A row edited, deleted or inserted
 * is copied as it is, for the file verifier to find. Derived data (tiles, chain heads) is not copied.
 */
final class PostgresCopy {
  private PostgresCopy() {}

  static long toDirectory(PostgresUrl url, Path dir, PostgresLogStore.Options options) throws IOException, FormatException {
    if (Files.exists(dir)) {
      try (var s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new FormatException(dir + " is not empty; copy the ledger " + url + " into a new directory");
        }
      }
    }
    Files.createDirectories(dir.resolve(LedgerLayout.SEGMENTS));
    try (HikariDataSource ds = PostgresLogStore.pool(url, options, true, "copy")) {
      PostgresSchema.check(ds, url.text(), false);
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        long n = copy(c, dir);
        c.commit();
        return n;
      } catch (SQLException e) {
        throw new IOException("copying the ledger " + url + " failed: " + e.getMessage(), e);
      }
    }
  }

  private static long copy(Connection c, Path dir) throws SQLException, IOException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select config, verifier_key from custody_log where id = 1")) {
      if (rs.next() && rs.getBytes(1) != null) {
        Files.createDirectories(dir.resolve(LedgerLayout.LOG_DIR));
        Files.write(dir.resolve(LedgerLayout.LOG_CONFIG), rs.getBytes(1));
        Files.write(dir.resolve(LedgerLayout.LOG_VKEY), (rs.getString(2) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    long n = 0;
    try (PreparedStatement ps = c.prepareStatement("select record from custody_entries order by log_index")) {
      ps.setFetchSize(2000);
      try (ResultSet rs = ps.executeQuery()) {
        OutputStream out = null;
        try {
          while (rs.next()) {
            if (out == null) {
              out = new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(LedgerLayout.SEGMENTS)
                  .resolve(LedgerLayout.segmentName(0)), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
            }
            out.write(rs.getBytes(1));
            out.write('\n');
            n++;
          }
        } finally {
          if (out != null) {
            out.close();
          }
        }
      }
    }
    byte[] newest = null;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select tree_size, note from custody_checkpoints order by tree_size")) {
      while (rs.next()) {
        Path cps = dir.resolve(LedgerLayout.CHECKPOINTS);
        Files.createDirectories(cps);
        newest = rs.getBytes(2);
        Files.write(cps.resolve(LedgerLayout.checkpointName(rs.getLong(1))), newest);
      }
    }
    if (newest != null) {
      Files.write(dir.resolve(LedgerLayout.CHECKPOINT), newest);
    }
    Files.write(dir.resolve(LedgerLayout.MARKER), ("{\"format\":\"" + LedgerLayout.FORMAT + "\"}\n")
        .getBytes(StandardCharsets.US_ASCII));
    return n;
  }
}
