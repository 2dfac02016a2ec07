package dev.custody.attest.ledger;

import dev.custody.core.digest.Digest;
import java.util.Objects;

/**
 * Where an entry is: its chain and sequence number, its position in the log, and its hash.
 * Text form {@code chain:sequence}.
 */
public record EntryRef(String chain, long sequence, long logIndex, Digest hash) {
  public EntryRef {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(hash, "hash");
  }

  @Override
  public String toString() {
    return chain + ":" + sequence + " (log index " + logIndex + ", " + hash + ")";
  }
}
