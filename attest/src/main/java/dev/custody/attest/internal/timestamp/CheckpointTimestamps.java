package dev.custody.attest.internal.timestamp;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import dev.custody.core.internal.ledger.LedgerFiles;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Stores a checkpoint's RFC 3161 timestamp in a ledger, beside the checkpoint it timestamps
 * ({@link TimestampToken#sidecar}): {@code checkpoints/N.tsr} always, and {@code checkpoint.tsr}
 * when {@code DIR/checkpoint} still holds exactly this checkpoint (an appender may have replaced
 * it with a newer one meanwhile; its timestamp would then describe another file).
 *
 * <p>Each file is written durably and atomically (temporary file in the same directory, fsync,
 * atomic rename, directory fsync): a reader sees no file or the whole token. Storing does not
 * judge the token: verifiers check it against their trusted TSA roots.
 */
public final class CheckpointTimestamps {
  private CheckpointTimestamps() {}

  /**
   * Stores {@code token} as the timestamp of {@code checkpoint}, which must already be stored in
   * the ledger at {@code ledgerDir} (as {@code checkpoints/N}, byte for byte).
   *
   * @return the files written, {@code checkpoints/N.tsr} first
   * @throws FormatException if the checkpoint's text is malformed, or the ledger does not hold
   *     exactly this checkpoint for its size
   */
  public static List<Path> store(Path ledgerDir, SignedNote checkpoint, TimestampToken token)
      throws IOException, FormatException {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    Objects.requireNonNull(token, "token");
    byte[] note = checkpoint.encoded();
    // The note is this process's own, just signed; its text is only read to name the file.
    Checkpoint cp = Checkpoint.parse(checkpoint.unverifiedTextBytes().toByteArray());
    Path bySize = ledgerDir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(cp.size()));
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    if (!holds(files, bySize, note)) {
      throw new FormatException(bySize + " does not hold the checkpoint being timestamped (size " + cp.size()
          + "); the timestamp was not stored");
    }
    List<Path> written = new ArrayList<>();
    byte[] der = token.encoded().toByteArray();
    written.add(writeAtomically(files, TimestampToken.sidecar(bySize), der));
    Path latest = ledgerDir.resolve(LedgerLayout.CHECKPOINT);
    if (holds(files, latest, note)) {
      written.add(writeAtomically(files, TimestampToken.sidecar(latest), der));
    }
    return List.copyOf(written);
  }

  private static boolean holds(LedgerFiles files, Path file, byte[] note) throws IOException, FormatException {
    // Public data; constant time anyway, as for every comparison of signed bytes (STYLE.md 10).
    Optional<byte[]> stored = files.readIfPresent(file, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
    return stored.isPresent() && MessageDigest.isEqual(stored.get(), note);
  }

  private static Path writeAtomically(LedgerFiles files, Path target, byte[] data) throws IOException {
    files.isFile(target); // never replace a link or special file: refuse it, naming it
    DurableFiles.replace(target, data);
    return target;
  }
}
