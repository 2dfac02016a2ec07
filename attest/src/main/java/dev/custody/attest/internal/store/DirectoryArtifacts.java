package dev.custody.attest.internal.store;

import dev.custody.attest.StoredTimestamp;
import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link ArtifactStore} of a file ledger: {@code DIR/manifests/sha256-HEX.json}
 * ({@link ManifestFiles}), {@code DIR/certificates/KEYID.pem} ({@link CertificateFiles}) and
 * {@code DIR/oms-signatures/sha256-HEX.json|.pem} ({@link OmsSignatureFiles}), and checkpoint timestamps beside
 * their checkpoints, {@code DIR/checkpoints/N.tsr} and {@code DIR/checkpoint.tsr}. Nothing inside the ledger is
 * followed through a symbolic link ({@link LedgerFiles}).
 *
 * <p>A manifest or an OpenSSF signature file is written under a temporary name, fsynced and renamed to
 * its content-addressed name (a damaged copy there is replaced: its name says what its bytes must be); a
 * chain is written whole and hard-linked into place ({@link DurableFiles#createWhole}), so of two writers
 * racing for one key, one wins and the other finds its chain. A checkpoint's timestamp
 * {@code checkpoints/N.tsr} is written the same way (the first one stays); {@code checkpoint.tsr}, a copy
 * of it kept while {@code checkpoint} is {@code checkpoints/N}, is replaced atomically.
 */
public final class DirectoryArtifacts implements ArtifactStore {
  private final Path ledgerDir;
  private final boolean writable;

  private DirectoryArtifacts(Path ledgerDir, boolean writable) {
    this.ledgerDir = ledgerDir;
    this.writable = writable;
  }

  /**
   * The store of the ledger at {@code ledgerDir}, for reading and writing.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static DirectoryArtifacts of(Path ledgerDir) throws FormatException {
    return of(ledgerDir, true);
  }

  /**
   * The store of the ledger at {@code ledgerDir}; unless {@code writable}, its writes throw.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger
   */
  public static DirectoryArtifacts of(Path ledgerDir, boolean writable) throws FormatException {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    LedgerLayout.requireLedger(ledgerDir);
    return new DirectoryArtifacts(ledgerDir, writable);
  }

  @Override
  public String describe() {
    return ledgerDir.toString();
  }

  @Override
  public Optional<Path> directory() {
    return Optional.of(ledgerDir);
  }

  @Override
  public ManifestFiles.Store manifests() {
    return ManifestFiles.store(ledgerDir);
  }

  @Override
  public void putManifest(Digest bytesDigest, byte[] bytes) throws IOException {
    requireWritable();
    ArtifactStore.requireManifestDigest(bytesDigest, bytes);
    putContentAddressed(ManifestFiles.path(ledgerDir, bytesDigest), bytesDigest, bytes);
  }

  @Override
  public void putOmsFile(String name, byte[] bytes) throws IOException {
    requireWritable();
    OmsSignatureFiles.StoredFile file = OmsSignatureFiles.requireStorable(name, bytes);
    putContentAddressed(ledgerDir.resolve(OmsSignatureFiles.DIR).resolve(name), file.digest(), bytes);
  }

  /** Writes {@code bytes}, whose SHA-256 is {@code digest}, durably as {@code target} unless it holds them already. */
  private void putContentAddressed(Path target, Digest digest, byte[] bytes) throws IOException {
    if (alreadyStored(target, digest)) {
      return;
    }
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    // target is LEDGER/DIR/NAME (a manifest or an OMS signature file): its directory is inside the ledger.
    Path dir = LedgerFiles.parentOf(target);
    boolean created = !files.isDirectory(dir);
    files.createDirectories(dir);
    if (created) {
      DurableFiles.syncDirectory(LedgerFiles.parentOf(dir));
    }
    DurableFiles.replace(target, bytes);
  }

  /** Whether {@code target} exists with the right content (a damaged copy is replaced). */
  private boolean alreadyStored(Path target, Digest expected) throws IOException {
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    if (!files.isFile(target)) { // refuses a link (of the file or of its directory) or a special file
      return false;
    }
    try (InputStream in = Channels.newInputStream(files.openRead(target))) {
      return Digest.sha256(in).equals(expected);
    }
  }

  @Override
  public Optional<byte[]> certificateChain(String keyId) throws IOException, FormatException {
    return CertificateFiles.read(ledgerDir, keyId);
  }

  @Override
  public boolean createCertificateChain(String keyId, byte[] pem) throws IOException {
    requireWritable();
    Path target = CertificateFiles.path(ledgerDir, keyId);
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    if (files.isFile(target)) { // refuses a link (of the file or of certificates/) or a special file
      return false;
    }
    Path dir = LedgerFiles.parentOf(target);
    boolean created = !files.isDirectory(dir);
    files.createDirectories(dir);
    if (created) {
      DurableFiles.syncDirectory(ledgerDir);
    }
    try {
      DurableFiles.createWhole(target, pem);
    } catch (FileAlreadyExistsException raced) {
      return false; // another writer stored one in between
    }
    return true;
  }

  @Override
  public String certificateChainName(String keyId) {
    return CertificateFiles.path(ledgerDir, keyId).toString();
  }

  @Override
  public StoredTimestamp putCheckpointTimestamp(long size, byte[] note, byte[] token) throws IOException, FormatException {
    requireWritable();
    ArtifactStore.requireTimestampToken(token);
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    Path bySize = ledgerDir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(size));
    if (!holds(files, bySize, note)) {
      throw new FormatException(bySize + " does not hold the checkpoint being timestamped (size " + size
          + "); the timestamp was not stored");
    }
    Path sidecar = TimestampToken.sidecar(bySize);
    files.isFile(sidecar); // never a link or special file: refuse it, naming it
    byte[] kept = token;
    boolean earlierKept = false;
    try {
      DurableFiles.createWhole(sidecar, token);
    } catch (FileAlreadyExistsException stored) {
      Optional<byte[]> earlier;
      try {
        earlier = files.readIfPresent(sidecar, TimestampToken.MAX_BYTES);
      } catch (FormatException tooLarge) {
        earlier = Optional.empty(); // no token: verify reports it; it is not copied to checkpoint.tsr
      }
      // Public data; constant time anyway, as for every comparison of signed bytes (STYLE.md 10).
      earlierKept = earlier.isEmpty() || !MessageDigest.isEqual(earlier.get(), token);
      kept = earlier.orElse(null);
    }
    List<String> places = new ArrayList<>(List.of(sidecar.toString()));
    Path latest = ledgerDir.resolve(LedgerLayout.CHECKPOINT);
    if (kept != null && holds(files, latest, note)) {
      Path latestSidecar = TimestampToken.sidecar(latest);
      files.isFile(latestSidecar);
      DurableFiles.replace(latestSidecar, kept);
      places.add(latestSidecar.toString());
    }
    return new StoredTimestamp(places, earlierKept);
  }

  private static boolean holds(LedgerFiles files, Path file, byte[] note) throws IOException, FormatException {
    // Public data; constant time anyway, as for every comparison of signed bytes (STYLE.md 10).
    Optional<byte[]> stored = files.readIfPresent(file, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
    return stored.isPresent() && MessageDigest.isEqual(stored.get(), note);
  }

  private void requireWritable() {
    if (!writable) {
      throw new IllegalStateException("this ledger keeps no model manifests, certificate chains, OpenSSF"
          + " signatures or checkpoint timestamps now: " + ledgerDir + " was opened read-only; open it with Ledger.open to keep them in it");
    }
  }

  @Override
  public String toString() {
    return "DirectoryArtifacts[" + ledgerDir + (writable ? "" : ", read-only") + "]";
  }
}
