package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointException;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.NoteVerificationException;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoints a file ledger stores — {@code checkpoints/N} for every tree size signed, and
 * {@code checkpoint}, a copy of the newest — as its writer reads and writes them: every file read is
 * verified with the log key before it counts (verify, then parse), and files are reached only
 * through {@link LedgerFiles} (no links, no special files).
 *
 * <p>Which checkpoints bind the writer: the <b>largest</b> stored tree size among all of them (not
 * just {@code checkpoint}, which an attacker can delete or replace with an older one), every file
 * claiming that size, and {@code checkpoint} when it is smaller. A file at the largest size that does
 * not verify stops the writer: what the log may sign next depends on it.
 */
public final class StoredCheckpoints {
  /** A stored checkpoint whose log signature verified. */
  public record Stored(String name, Checkpoint checkpoint) {
    public long size() {
      return checkpoint.size();
    }

    /** "checkpoints/7 (size 7, root …)". */
    public String describe() {
      return name + " (size " + checkpoint.size() + ", root " + b64(checkpoint.rootHash().toByteArray()) + ")";
    }
  }

  private final LedgerFiles files;
  private final LogIdentity identity;

  StoredCheckpoints(LedgerFiles files, LogIdentity identity) {
    this.files = files;
    this.identity = identity;
  }

  /**
   * The checkpoints that bind the writer, verified: every stored file at the largest tree size (the
   * first in the list is one of them), then {@code checkpoint} if it is smaller. Empty if none is
   * stored.
   *
   * @throws FormatException if one of them is not a checkpoint signed by the log key
   */
  List<Stored> binding() throws IOException, FormatException {
    LedgerLayout.CheckpointFiles cf = LedgerLayout.checkpointFiles(files.root());
    Optional<Stored> top = latest();
    long largest = Math.max(cf.bySize().isEmpty() ? -1 : cf.bySize().lastKey(), top.map(Stored::size).orElse(-1L));
    List<Stored> out = new ArrayList<>();
    if (largest < 0) {
      return out;
    }
    Path file = cf.bySize().get(largest);
    if (file != null) {
      out.add(read(LedgerLayout.CHECKPOINTS + "/" + largest, file).orElseThrow(() ->
          new FormatException(file + " disappeared while it was read; try again")));
    }
    top.ifPresent(out::add);
    return out;
  }

  /** {@code checkpoint}, verified, if present. */
  Optional<Stored> latest() throws IOException, FormatException {
    return read(LedgerLayout.CHECKPOINT, files.resolve(LedgerLayout.CHECKPOINT));
  }

  private Optional<Stored> read(String name, Path file) throws IOException, FormatException {
    Optional<byte[]> bytes = files.readIfPresent(file, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Stored(name, CheckpointVerifier.forLog(identity.origin(), identity.verifierKey())
          .verify(bytes.get()).checkpoint()));
    } catch (NoteVerificationException | CheckpointException | FormatException e) {
      throw new FormatException(file + " is not a checkpoint signed by this ledger's log key " + identity.verifierKey()
          + ": " + e.getMessage() + ". Refusing to append or sign: the largest stored checkpoint decides what the log"
          + " may sign next. If the file does not belong to this log, move it out of the ledger; then run 'custody"
          + " verify'", e);
    }
  }

  /**
   * Stores a checkpoint signed for tree size {@code size}: {@code checkpoints/N} (refusing to replace
   * a different one), then {@code checkpoint}. Caller holds the ledger lock.
   *
   * @throws IOException if {@code checkpoints/N} already holds a different checkpoint
   */
  void store(SignedNote note, long size) throws IOException {
    byte[] bytes = note.encoded();
    Path cpDir = files.resolve(LedgerLayout.CHECKPOINTS);
    if (!files.isDirectory(cpDir)) {
      files.createDirectories(cpDir);
      DurableFiles.syncDirectory(files.root());
    }
    Path f = cpDir.resolve(LedgerLayout.checkpointName(size));
    Optional<byte[]> existing;
    try {
      existing = files.readIfPresent(f, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
    } catch (FormatException tooLarge) {
      existing = Optional.of(new byte[0]);
    }
    if (existing.isPresent()) {
      if (!MessageDigest.isEqual(existing.get(), bytes)) {
        throw new IOException(f + " already holds a different checkpoint for tree size " + size
            + "; refusing to sign a second tree head for the same size (that would be a fork)");
      }
    } else {
      DurableFiles.replace(f, bytes);
    }
    // A timestamp beside the latest checkpoint belongs to the one being replaced: remove it first, so
    // that "checkpoint.tsr" never sits beside a checkpoint it does not cover. A timestamp for this
    // size, if one is made, is stored beside checkpoints/<size>.
    files.deleteFile(files.resolve(LedgerLayout.CHECKPOINT + LedgerLayout.TIMESTAMP_SUFFIX));
    Path latest = files.resolve(LedgerLayout.CHECKPOINT);
    files.isFile(latest); // refuses a link or special file there rather than replace it
    DurableFiles.replace(latest, bytes);
  }

  /**
   * Removes the temporary files of interrupted atomic writes ({@link LedgerLayout#isTemporaryName})
   * from the directories the store writes with {@link DurableFiles}, by their exact names.
   *
   * @return the files removed, relative to the ledger
   */
  static List<String> removeTemporaries(LedgerFiles files) throws IOException {
    List<String> removed = new ArrayList<>();
    for (String dir : List.of("", LedgerLayout.LOG_DIR, LedgerLayout.CHECKPOINTS, dev.custody.core.internal.ledger.ManifestFiles.DIR,
        dev.custody.core.internal.ledger.CertificateFiles.DIR, RecordIndex.DIR)) {
      Path d = dir.isEmpty() ? files.root() : files.resolve(dir);
      List<Path> entries = dir.isEmpty() ? listRoot(files) : files.list(d);
      for (Path p : entries) {
        // Only regular files: a directory of such a name is not one of ours (and a link is refused).
        if (LedgerLayout.isTemporaryName(p.getFileName().toString()) && files.kind(p) == LedgerFiles.Kind.FILE
            && files.deleteFile(p)) {
          removed.add((dir.isEmpty() ? "" : dir + "/") + p.getFileName());
        }
      }
    }
    return removed;
  }

  private static List<Path> listRoot(LedgerFiles files) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var ds = java.nio.file.Files.newDirectoryStream(files.root())) {
      ds.forEach(out::add);
    }
    return out;
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
