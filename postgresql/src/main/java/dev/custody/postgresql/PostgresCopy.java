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
import java.util.Optional;
import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.sigstore.OmsSignature;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.timestamp.TimestampToken;

/**
 * Copies a PostgreSQL ledger into a directory in the file ledger's layout ({@link LedgerLayout}), in one
 * read-only repeatable-read transaction (one snapshot, whatever writers do meanwhile), judging nothing:
 * the records' bytes in log-index order into one segment, the log config and verifier key, every
 * checkpoint ({@code checkpoints/N}, the newest as {@code checkpoint}) and its RFC 3161 timestamp
 * ({@code checkpoints/N.tsr}, the newest's also as {@code checkpoint.tsr}), the model manifests
 * ({@code manifests/}), certificate chains ({@code certificates/}) and publishers' OpenSSF signatures
 * ({@code oms-signatures/}). A row edited, deleted or inserted
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
    long newestSize = -1;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select tree_size, note from custody_checkpoints order by tree_size")) {
      while (rs.next()) {
        Path cps = dir.resolve(LedgerLayout.CHECKPOINTS);
        Files.createDirectories(cps);
        newest = rs.getBytes(2);
        newestSize = rs.getLong(1);
        Files.write(cps.resolve(LedgerLayout.checkpointName(newestSize)), newest);
      }
    }
    if (newest != null) {
      Files.write(dir.resolve(LedgerLayout.CHECKPOINT), newest);
    }
    copyTimestamps(c, dir, newestSize);
    copyArtifacts(c, dir);
    // Durable before the marker makes it a ledger (migrate --to DIR may be the only copy kept).
    try (var files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          try (var ch = java.nio.channels.FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
          }
        } else if (Files.isDirectory(p)) {
          DurableFiles.syncDirectory(p);
        }
      }
    }
    DurableFiles.replace(dir.resolve(LedgerLayout.MARKER), ("{\"format\":\"" + LedgerLayout.FORMAT + "\"}\n")
        .getBytes(StandardCharsets.US_ASCII));
    return n;
  }

  /**
   * The manifests, certificate chains and OpenSSF signatures, each row's bytes as they are, into
   * {@code manifests/}, {@code certificates/} and {@code oms-signatures/} under the names their keys give.
   * A file name is made only from a key of the right shape (32 bytes; 64 lowercase hex; sha256-HEX.json
   * or .pem): a row whose key is not one — possible only once the
   * table's checks were dropped — names no file and is evidence for nothing, so it is left out. What a
   * row holds is not judged here: the file verifier finds a manifest whose bytes are not its key's, as
   * it does in a ledger directory.
   */
  private static void copyArtifacts(Connection c, Path dir) throws SQLException, IOException {
    copyRows(c, "select digest, manifest from custody_manifests where octet_length(digest) = 32"
        + " and octet_length(manifest) <= ?", ModelManifest.MAX_JSON_BYTES,
        rs -> Optional.of(ManifestFiles.path(dir, Digest.ofSha256(rs.getBytes(1)))));
    copyRows(c, "select key_id, chain from custody_certificates where octet_length(chain) <= ?",
        CertificateFiles.MAX_CHAIN_BYTES, rs -> Optional.of(rs.getString(1)).filter(CertificateFiles::isKeyId)
            .map(keyId -> CertificateFiles.path(dir, keyId)));
    copyRows(c, "select name, bytes from custody_oms_signatures where octet_length(bytes) <= ?", OmsSignature.MAX_BYTES,
        rs -> Optional.of(rs.getString(1)).filter(name -> OmsSignatureFiles.storedFile(name).isPresent())
            .map(name -> dir.resolve(OmsSignatureFiles.DIR).resolve(name)));
  }

  /**
   * The checkpoint timestamps, each row's token as it is, into {@code checkpoints/N.tsr}, and the newest
   * checkpoint's (size {@code newestSize}, if it has one) into {@code checkpoint.tsr} too, as a ledger
   * directory has it ({@code custody checkpoint --tsa} writes both). A row of a size with no checkpoint is
   * copied too: the file verifier reports it as a timestamp of no stored checkpoint. A row of a negative
   * size (possible only once the table's check was dropped) names no file and is left out.
   */
  private static void copyTimestamps(Connection c, Path dir, long newestSize) throws SQLException, IOException {
    copyRows(c, "select tree_size, token from custody_checkpoint_timestamps where tree_size >= 0"
        + " and octet_length(token) <= ? order by tree_size", TimestampToken.MAX_BYTES,
        rs -> Optional.of(timestampFile(dir, rs.getLong(1))));
    Path newest = timestampFile(dir, newestSize);
    if (newestSize >= 0 && Files.isRegularFile(newest)) {
      Files.copy(newest, TimestampToken.sidecar(dir.resolve(LedgerLayout.CHECKPOINT)));
    }
  }

  private static Path timestampFile(Path dir, long size) {
    return TimestampToken.sidecar(dir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(size)));
  }

  /** Where a row of an artifact table goes in the copy; empty for a row whose key names no file. */
  private interface RowFile {
    Optional<Path> of(ResultSet row) throws SQLException;
  }

  /**
   * Writes the second column of each row {@code query} selects (its one parameter: {@code maxBytes}) to
   * the file {@code fileOf} names for it, as it is; rows it names no file for are left out.
   */
  private static void copyRows(Connection c, String query, int maxBytes, RowFile fileOf)
      throws SQLException, IOException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setInt(1, maxBytes);
      ps.setFetchSize(16);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Optional<Path> p = fileOf.of(rs);
          if (p.isPresent()) {
            Files.createDirectories(p.get().getParent());
            Files.write(p.get(), rs.getBytes(2), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          }
        }
      }
    }
  }

  /**
   * Copies the manifests, certificate chains and OpenSSF signatures of the file ledger at {@code dir} into
   * the tables, each file's bytes under the key its name gives. A manifest whose bytes are not its name's digest is
   * refused (the table's check would refuse it; the error names the file), as is a file too large to be
   * one; a name custody does not write there (a crash's temporary file) is left out.
   */
  private static void insertArtifacts(Connection c, Path dir) throws SQLException, IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    try (PreparedStatement ps = c.prepareStatement("insert into custody_manifests (digest, manifest) values (?, ?)")) {
      for (Path p : files.list(dir.resolve(ManifestFiles.DIR))) {
        Optional<Digest> d = ManifestFiles.digestOfName(p.getFileName().toString());
        if (d.isEmpty()) {
          continue;
        }
        byte[] bytes = files.read(p, ModelManifest.MAX_JSON_BYTES);
        requireDigest(p, bytes, d.get(), "manifest");
        ps.setBytes(1, d.get().value().toByteArray());
        ps.setBytes(2, bytes);
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("insert into custody_certificates (key_id, chain) values (?, ?)")) {
      for (Path p : files.list(dir.resolve(CertificateFiles.DIR))) {
        Optional<String> keyId = CertificateFiles.keyIdOfName(p.getFileName().toString());
        if (keyId.isEmpty()) {
          continue;
        }
        ps.setString(1, keyId.get());
        ps.setBytes(2, files.read(p, CertificateFiles.MAX_CHAIN_BYTES));
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("insert into custody_oms_signatures (name, bytes) values (?, ?)")) {
      for (Path p : files.list(dir.resolve(OmsSignatureFiles.DIR))) {
        String name = p.getFileName().toString();
        Optional<OmsSignatureFiles.StoredFile> stored = OmsSignatureFiles.storedFile(name);
        if (stored.isEmpty()) {
          continue;
        }
        byte[] bytes = files.read(p, stored.get().maxBytes());
        requireDigest(p, bytes, stored.get().digest(), "OpenSSF signature file");
        ps.setString(1, name);
        ps.setBytes(2, bytes);
        ps.executeUpdate();
      }
    }
  }

  /** Refuses a content-addressed file whose bytes are not the digest its name gives (the table's check would). */
  private static void requireDigest(Path p, byte[] bytes, Digest expected, String what) throws FormatException {
    Digest actual = Digest.sha256(bytes);
    if (!actual.equals(expected)) {
      throw new FormatException(p + ": content has digest " + actual + ", not the " + expected + " its name gives:"
          + " the ledger's " + what + " was altered or damaged ('custody verify' reports it); restore it from a"
          + " backup or move it out of the ledger, then migrate again");
    }
  }

  /**
   * Copies the file ledger at {@code dir} into the empty database at {@code url}, in one transaction (all
   * or nothing): schema, identity, records at their log indexes with their chains' heads, checkpoints.
   * The records are read through {@link FileLogStore#openReadOnly} (every record parsed and its chain
   * link checked). Then the ledger is opened once for writing, which builds its tiles and checks that it
   * extends its largest checkpoint.
   */
  static long fromDirectory(Path dir, PostgresUrl url, PostgresLogStore.Options options)
      throws IOException, FormatException {
    Optional<LogIdentity> identity = LogIdentity.load(dir, false);
    long n;
    try (FileLogStore source = FileLogStore.openReadOnly(dir);
        HikariDataSource ds = PostgresLogStore.pool(url, options, false, "migrate")) {
      PostgresSchema.create(ds, url.text());
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(
            "insert into custody_log (id, config, verifier_key) values (1, ?, ?)")) {
          ps.setBytes(1, identity.map(id -> id.config().toBytes()).orElse(null));
          ps.setString(2, identity.map(id -> id.verifierKey().encode()).orElse(null));
          ps.executeUpdate();
        }
        n = source.size();
        try (PreparedStatement ins = c.prepareStatement(
            "insert into custody_entries (log_index, chain, sequence, hash, record) values (?, ?, ?, ?, ?)")) {
          for (long i = 0; i < n; i++) {
            EntryRecord rec = source.read(i);
            EntryPayload p = rec.payload(dir + " log index " + i);
            ins.setLong(1, i);
            ins.setString(2, p.chain());
            ins.setLong(3, p.sequence());
            ins.setBytes(4, rec.hash().value().toByteArray());
            ins.setBytes(5, rec.bytes().toByteArray());
            ins.addBatch();
            if (i % 1000 == 999) {
              ins.executeBatch();
            }
          }
          ins.executeBatch();
        }
        try (PreparedStatement heads = c.prepareStatement(
            "insert into custody_chain_heads (chain, sequence, hash, log_index) values (?, ?, ?, ?)")) {
          for (LogStore.ChainHead h : source.chains()) {
            heads.setString(1, h.chain());
            heads.setLong(2, h.sequence());
            heads.setBytes(3, h.hash().value().toByteArray());
            heads.setLong(4, h.logIndex());
            heads.addBatch();
          }
          heads.executeBatch();
        }
        LedgerLayout.CheckpointFiles cps = LedgerLayout.checkpointFiles(dir);
        try (PreparedStatement ps = c.prepareStatement("insert into custody_checkpoints (tree_size, note) values (?, ?)")) {
          for (var e : cps.bySize().entrySet()) {
            ps.setLong(1, e.getKey());
            ps.setBytes(2, LedgerFiles.of(dir).read(e.getValue(), LedgerLayout.MAX_CHECKPOINT_FILE_BYTES));
            ps.addBatch();
          }
          ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(
            "insert into custody_checkpoint_timestamps (tree_size, token) values (?, ?)")) {
          // checkpoint.tsr is not carried: it is a copy of the newest checkpoints/N.tsr, derived when copying out.
          for (var e : cps.timestamps().entrySet()) {
            ps.setLong(1, e.getKey());
            ps.setBytes(2, LedgerFiles.of(dir).read(e.getValue(), TimestampToken.MAX_BYTES));
            ps.addBatch();
          }
          ps.executeBatch();
        }
        insertArtifacts(c, dir);
        c.commit();
      } catch (SQLException e) {
        throw new IOException("copying " + dir + " into " + url + " failed (nothing was stored): " + e.getMessage(), e);
      }
    }
    // Opening for writing builds the tiles and checks the copy against its largest checkpoint.
    PostgresLogStore.open(url, options.withoutLogKey()).close();
    return n;
  }
}
