package dev.custody.attest;

import java.util.List;
import java.util.Objects;

/**
 * Where a ledger holds the RFC 3161 timestamp of a checkpoint after {@link Ledger#keepCheckpointTimestamp}:
 * the places, named for messages — {@code DIR/checkpoints/N.tsr} (and {@code DIR/checkpoint.tsr} while
 * {@code DIR/checkpoint} is that checkpoint) in a ledger directory, the {@code custody_checkpoint_timestamps}
 * row of size N in a database — and whether they hold the token given or one stored before it.
 *
 * <p>A checkpoint size keeps its first timestamp: the earliest time is the strongest evidence that the
 * checkpoint existed, so a later one never replaces it ({@code earlierKept} is then true and the token
 * given was not stored). Nothing here says the stored token verifies: {@code custody verify --tsa-root}
 * judges it.
 *
 * @param places where the timestamp of that size is stored, the one by size first; never empty
 * @param earlierKept whether another token was already stored for that size and kept in place of the one given
 */
public record StoredTimestamp(List<String> places, boolean earlierKept) {
  public StoredTimestamp {
    places = List.copyOf(Objects.requireNonNull(places, "places"));
    if (places.isEmpty()) {
      throw new IllegalArgumentException("a stored timestamp is stored somewhere: places is empty");
    }
  }
}
