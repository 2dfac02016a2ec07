package dev.custody.attest.internal.store;

import dev.custody.attest.StoredTimestamp;
import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a ledger keeps the evidence its entries name by digest but do not carry: model manifests
 * (keyed by the SHA-256 of their exact bytes, {@link ManifestFiles}), signers' certificate chains
 * (keyed by the signing key's id, the SHA-256 of its SubjectPublicKeyInfo,
 * {@link dev.custody.core.internal.ledger.CertificateFiles}) and publishers' OpenSSF model signatures with
 * the key or roots they were checked with (keyed by a name that gives the SHA-256 of their bytes,
 * {@link OmsSignatureFiles}), and the RFC 3161 timestamps of checkpoints (keyed by the checkpoint's tree
 * size, {@link #putCheckpointTimestamp}). The seam between the {@code Ledger} and its storage: a ledger directory
 * keeps them as files ({@link DirectoryArtifacts}), a database in tables (the PostgreSQL store); a
 * {@link LogStore} says which ({@link LogStore#artifacts()}).
 *
 * <p><b>Trust nothing stored.</b> Both reads return the stored bytes unchecked; callers check them
 * against their key before use ({@link ManifestFiles#read}, the certificate check of the verifier). The
 * writes never replace what is stored under a key: a manifest and an OpenSSF signature file are
 * content-addressed (one copy serves every entry that names it), a key keeps the first chain recorded
 * for it.
 *
 * <p><b>Order.</b> A write returns once the bytes are durable; callers write before they append the
 * entry that names them. An append that then fails leaves an unreferenced blob (harmless: nothing
 * claims it); the reverse — an entry whose blob is missing or altered — is what {@code custody verify}
 * reports ({@code ARTIFACT_MANIFEST_MISSING}/{@code ARTIFACT_MANIFEST_INVALID}, {@code CERTIFICATE_*},
 * {@code INPUT_SIGNATURE_*}).
 *
 * <p>Implementations are thread-safe and safe for several processes writing at once.
 */
public interface ArtifactStore {

  /** Names the store in messages: the ledger directory or URL. */
  String describe();

  /** The ledger directory, for a store kept in one (model hashing ignores it when it lies inside the model). */
  Optional<Path> directory();

  /** The manifests, read by the SHA-256 of their bytes (unchecked: {@link ManifestFiles#read} checks them). */
  ManifestFiles.Store manifests();

  /**
   * Stores {@code bytes}, whose SHA-256 is {@code bytesDigest}, durably, unless the same bytes are stored.
   *
   * @throws IllegalArgumentException if {@code bytesDigest} is not the SHA-256 of {@code bytes}
   * @throws IllegalStateException if the store was opened read-only
   * @throws IOException if they cannot be stored, or what is stored under that digest is other bytes (named)
   */
  void putManifest(Digest bytesDigest, byte[] bytes) throws IOException;

  /**
   * Stores {@code bytes} durably as the OpenSSF signature file {@code name} ({@code sha256-HEX.json}, a
   * signature, or {@code sha256-HEX.pem}, what it was checked with; {@link OmsSignatureFiles#storedFile}),
   * unless the same bytes are stored under that name.
   *
   * @throws IllegalArgumentException if {@code name} is not such a name, or {@code bytes} are not the SHA-256
   *     it gives or are larger than a file of that kind may be
   * @throws IllegalStateException if the store was opened read-only
   * @throws IOException if they cannot be stored, or what is stored under that name is other bytes (named)
   */
  void putOmsFile(String name, byte[] bytes) throws IOException;

  /** The certificate chain recorded for {@code keyId}, unchecked; empty if there is none. */
  Optional<byte[]> certificateChain(String keyId) throws IOException, FormatException;

  /**
   * Stores {@code pem} durably as the chain of {@code keyId} if none is stored for it.
   *
   * @return false if a chain was already stored for {@code keyId} (it is left as it is)
   * @throws IllegalStateException if the store was opened read-only
   */
  boolean createCertificateChain(String keyId, byte[] pem) throws IOException;

  /** Names the chain of {@code keyId} in messages (its file, or its row). */
  String certificateChainName(String keyId);

  /**
   * Stores {@code token} (the DER bytes of an RFC 3161 response, at most
   * {@link dev.custody.core.timestamp.TimestampToken#MAX_BYTES}) durably as the timestamp of the checkpoint of
   * tree size {@code size}, unless a token is stored for that size already: the first one is kept, never
   * replaced (its time is the earlier, stronger evidence). A ledger directory also keeps the size's token as
   * {@code checkpoint.tsr} while {@code checkpoint} holds {@code note}; a database derives that file when it
   * is copied into one.
   *
   * @param note the exact bytes of the signed checkpoint, which the ledger must hold for {@code size}
   * @throws FormatException if the ledger does not hold exactly {@code note} as its checkpoint of {@code size}
   *     (nothing is stored then)
   * @throws IllegalStateException if the store was opened read-only
   */
  StoredTimestamp putCheckpointTimestamp(long size, byte[] note, byte[] token) throws IOException, FormatException;

  /**
   * Refuses manifest bytes that are not {@code bytesDigest}'s: the check every {@link #putManifest} makes
   * before it stores anything.
   */
  static void requireManifestDigest(Digest bytesDigest, byte[] bytes) {
    if (!Digest.sha256(bytes).equals(bytesDigest)) {
      throw new IllegalArgumentException("manifest bytes do not have the digest " + bytesDigest);
    }
  }

  /**
   * Refuses what no reader would accept as a stored timestamp token (1 to {@link TimestampToken#MAX_BYTES}
   * bytes): the check every {@link #putCheckpointTimestamp} makes before it stores anything.
   */
  static void requireTimestampToken(byte[] token) {
    if (token.length < 1 || token.length > TimestampToken.MAX_BYTES) {
      throw new IllegalArgumentException("a timestamp token is 1 to " + TimestampToken.MAX_BYTES + " bytes, got "
          + token.length);
    }
  }
}
