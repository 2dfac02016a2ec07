package dev.custody.postgresql;

import dev.custody.attest.StoredTimestamp;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@link ArtifactStore} of a PostgreSQL ledger: model manifests in {@code custody_manifests} (keyed
 * by the SHA-256 of their bytes), certificate chains in {@code custody_certificates} (keyed by the
 * signing key's id) and publishers' OpenSSF signature files in {@code custody_oms_signatures} (keyed by
 * the file name a ledger directory gives them, which names the SHA-256 of their bytes), and the RFC 3161
 * timestamps of checkpoints in {@code custody_checkpoint_timestamps} (keyed by the checkpoint's tree size),
 * tables of {@code V2__artifacts.sql}.
 *
 * <p>A write is one autocommitted {@code insert … on conflict do nothing}: it never replaces a stored
 * row, and it is durable (on a synchronous standby too, as appends are) when it returns. Reads return the
 * stored bytes unchecked, bounded in size before they are fetched: the database is trusted for nothing
 * ({@link ManifestFiles#read} checks a manifest against the digests signed in its entry; the verifier
 * checks a chain's leaf against the entry's key). Thread-safe (each call takes a pooled connection).
 */
final class PostgresArtifacts implements ArtifactStore {
  private final DataSource ds;
  private final String where;
  private final boolean readOnly;

  PostgresArtifacts(DataSource ds, String where, boolean readOnly) {
    this.ds = Objects.requireNonNull(ds, "ds");
    this.where = Objects.requireNonNull(where, "where");
    this.readOnly = readOnly;
  }

  @Override
  public String describe() {
    return where;
  }

  @Override
  public Optional<Path> directory() {
    return Optional.empty();
  }

  /** Names a manifest row in messages: {@code custody_manifests row sha256:HEX of URL}. */
  static String manifestName(String where, Digest bytesDigest) {
    return "custody_manifests row " + bytesDigest + " of " + where;
  }

  @Override
  public ManifestFiles.Store manifests() {
    return new ManifestFiles.Store() {
      @Override
      public String name(Digest bytesDigest) {
        return manifestName(where, bytesDigest);
      }

      @Override
      public byte[] bytes(Digest bytesDigest) throws IOException, FormatException {
        return read("custody_manifests", "digest", "manifest", bytesDigest.value().toByteArray(),
            ModelManifest.MAX_JSON_BYTES, name(bytesDigest)).orElseThrow(() -> new NoSuchFileException(name(bytesDigest), null,
                "no such row: the manifest was never stored, or was deleted"));
      }
    };
  }

  @Override
  public void putManifest(Digest bytesDigest, byte[] bytes) throws IOException {
    requireWritable();
    ArtifactStore.requireManifestDigest(bytesDigest, bytes);
    putOnce("custody_manifests", "digest", "manifest", bytesDigest.value().toByteArray(), bytes,
        ModelManifest.MAX_JSON_BYTES, manifestName(where, bytesDigest), "'\\x" + bytesDigest.value().hex() + "'");
  }

  /** Names an OpenSSF signature file's row in messages: {@code custody_oms_signatures row NAME of URL}. */
  static String omsFileName(String where, String name) {
    return "custody_oms_signatures row " + name + " of " + where;
  }

  @Override
  public void putOmsFile(String name, byte[] bytes) throws IOException {
    requireWritable();
    OmsSignatureFiles.StoredFile file = OmsSignatureFiles.requireStorable(name, bytes);
    putOnce("custody_oms_signatures", "name", "bytes", name, bytes, file.maxBytes(), omsFileName(where, name),
        "'" + name + "'");
  }

  /**
   * Stores {@code bytes} as the row of {@code table} keyed {@code key}, unless that row holds them already
   * (a content-addressed row is written once and never replaced). A row under the key with other bytes —
   * possible only once the table's content check was dropped — or one deleted between the insert and the
   * read is refused, naming it and how to remove it ({@code keyLiteral}: the key as SQL text).
   */
  private void putOnce(String table, String keyColumn, String bytesColumn, Object key, byte[] bytes, int max,
      String rowName, String keyLiteral) throws IOException {
    if (insert("insert into " + table + " (" + keyColumn + ", " + bytesColumn + ") values (?, ?) on conflict ("
        + keyColumn + ") do nothing", key, bytes, rowName)) {
      return;
    }
    Optional<byte[]> stored;
    try {
      stored = read(table, keyColumn, bytesColumn, key, max, rowName);
    } catch (FormatException tooLarge) {
      stored = Optional.empty();
    }
    if (stored.isEmpty() || !MessageDigest.isEqual(stored.get(), bytes)) {
      // Empty: deleted between the insert and this read, or larger than its key allows.
      throw new IOException(rowName + " holds other bytes than its key says (the row was altered: the table's"
          + " check was dropped or bypassed), or was deleted meanwhile; custody never replaces a stored row: delete"
          + " it (delete from " + table + " where " + keyColumn + " = " + keyLiteral + ") and record again; nothing"
          + " was recorded");
    }
  }

  @Override
  public Optional<byte[]> certificateChain(String keyId) throws IOException, FormatException {
    if (!CertificateFiles.isKeyId(keyId)) {
      return Optional.empty();
    }
    return read("custody_certificates", "key_id", "chain", keyId, CertificateFiles.MAX_CHAIN_BYTES,
        certificateChainName(keyId));
  }

  @Override
  public boolean createCertificateChain(String keyId, byte[] pem) throws IOException {
    requireWritable();
    if (!CertificateFiles.isKeyId(keyId)) {
      throw new IllegalArgumentException("not a key id (64 lowercase hex digits)");
    }
    return insert("insert into custody_certificates (key_id, chain) values (?, ?) on conflict (key_id) do nothing",
        keyId, pem, certificateChainName(keyId));
  }

  @Override
  public String certificateChainName(String keyId) {
    return "custody_certificates row " + keyId + " of " + where;
  }

  /** Names a checkpoint timestamp's row in messages: {@code custody_checkpoint_timestamps row N of URL}. */
  static String timestampName(String where, long size) {
    return "custody_checkpoint_timestamps row " + size + " of " + where;
  }

  @Override
  public StoredTimestamp putCheckpointTimestamp(long size, byte[] note, byte[] token) throws IOException, FormatException {
    requireWritable();
    ArtifactStore.requireTimestampToken(token);
    String checkpointRow = "custody_checkpoints row " + size + " of " + where;
    Optional<byte[]> checkpoint;
    try {
      checkpoint = read("custody_checkpoints", "tree_size", "note", size, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES,
          checkpointRow);
    } catch (FormatException tooLarge) {
      checkpoint = Optional.empty();
    }
    // Public data; constant time anyway, as for every comparison of signed bytes (STYLE.md 10).
    if (checkpoint.isEmpty() || !MessageDigest.isEqual(checkpoint.get(), note)) {
      throw new FormatException(checkpointRow + " does not hold the checkpoint being timestamped; the timestamp was"
          + " not stored");
    }
    String name = timestampName(where, size);
    if (insert("insert into custody_checkpoint_timestamps (tree_size, token) values (?, ?)"
        + " on conflict (tree_size) do nothing", size, token, name)) {
      return new StoredTimestamp(List.of(name), false);
    }
    Optional<byte[]> earlier;
    try {
      earlier = read("custody_checkpoint_timestamps", "tree_size", "token", size, TimestampToken.MAX_BYTES, name);
    } catch (FormatException tooLarge) {
      // Possible only once the table's check was dropped: it is kept (verify reports it), as any other token.
      return new StoredTimestamp(List.of(name), true);
    }
    if (earlier.isEmpty()) {
      throw new IOException(name + " was deleted while this timestamp was being stored; nothing was stored: run"
          + " the command again");
    }
    return new StoredTimestamp(List.of(name), !MessageDigest.isEqual(earlier.get(), token));
  }

  /**
   * The {@code blobColumn} of the row of {@code table} whose {@code keyColumn} is {@code key}, if there is
   * one; larger than {@code max} is refused unread (the server sends its length only). Table and column
   * names are this class's constants, never input.
   */
  private Optional<byte[]> read(String table, String keyColumn, String blobColumn, Object key, int max, String name)
      throws IOException, FormatException {
    String sql = "select octet_length(" + blobColumn + "), case when octet_length(" + blobColumn + ") <= ? then "
        + blobColumn + " end from " + table + " where " + keyColumn + " = ?";
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, max);
      ps.setObject(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long length = rs.getLong(1);
        byte[] bytes = rs.getBytes(2);
        if (bytes == null) {
          throw new FormatException(name + ": " + length + " bytes, over the limit of " + max);
        }
        return Optional.of(bytes);
      }
    } catch (SQLException e) {
      throw failure("reading the " + name, e);
    }
  }

  /** Inserts one row unless its key is taken; whether it did. */
  private boolean insert(String sql, Object key, byte[] bytes, String name) throws IOException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, key);
      ps.setBytes(2, bytes);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("storing the " + name + " (nothing was recorded)", e);
    }
  }

  private IOException failure(String what, SQLException e) {
    return new IOException(what + " failed: " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
  }

  private void requireWritable() {
    if (readOnly) {
      throw new IllegalStateException("this ledger keeps no model manifests, certificate chains, OpenSSF"
          + " signatures or checkpoint timestamps now: " + where + " was opened read-only; open it with Ledger.open to keep them in it");
    }
  }

  @Override
  public String toString() {
    return "PostgresArtifacts[" + where + (readOnly ? ", read-only" : "") + "]";
  }
}
