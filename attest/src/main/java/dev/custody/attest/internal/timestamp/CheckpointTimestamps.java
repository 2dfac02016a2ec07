package dev.custody.attest.internal.timestamp;

import dev.custody.attest.StoredTimestamp;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.util.Objects;

/**
 * Stores a checkpoint's RFC 3161 timestamp in a ledger, beside the checkpoint it timestamps: in the
 * ledger's {@link ArtifactStore} ({@link ArtifactStore#putCheckpointTimestamp}), which keeps it as
 * {@code checkpoints/N.tsr} (and {@code checkpoint.tsr} while {@code checkpoint} is that checkpoint) in a
 * directory, as a row of {@code custody_checkpoint_timestamps} in a database. A size keeps its first
 * timestamp. Storing does not judge the token: verifiers check it against their trusted TSA roots.
 */
public final class CheckpointTimestamps {
  private CheckpointTimestamps() {}

  /**
   * Stores {@code token} as the timestamp of {@code checkpoint}, which must already be stored in the
   * ledger whose artifacts {@code store} keeps, byte for byte, for its size.
   *
   * @throws FormatException if the checkpoint's text is malformed, or the ledger does not hold
   *     exactly this checkpoint for its size
   */
  public static StoredTimestamp store(ArtifactStore store, SignedNote checkpoint, TimestampToken token)
      throws IOException, FormatException {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(token, "token");
    // The note is this process's own, just signed; its text is only read for the size that keys the token.
    Checkpoint cp = Checkpoint.parse(checkpoint.unverifiedTextBytes().toByteArray());
    return store.putCheckpointTimestamp(cp.size(), checkpoint.encoded(), token.encoded().toByteArray());
  }
}
