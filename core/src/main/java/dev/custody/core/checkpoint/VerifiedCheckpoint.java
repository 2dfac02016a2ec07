package dev.custody.core.checkpoint;

import dev.custody.core.note.VerifiedNote;
import java.util.List;
import java.util.Objects;

/**
 * A checkpoint whose log signature (and the required witness cosignatures) verified: the result
 * of {@link CheckpointVerifier#verify}.
 *
 * @param checkpoint the parsed tree head
 * @param note the verified note it came in (exact bytes: {@code note.note().encoded()})
 * @param cosignatures verified cosignatures by trusted witnesses, one per witness
 */
public record VerifiedCheckpoint(Checkpoint checkpoint, VerifiedNote note, List<Cosignature> cosignatures) {
  public VerifiedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(note, "note");
    cosignatures = List.copyOf(cosignatures);
  }
}
