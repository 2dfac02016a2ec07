package dev.custody.core.entry;

import dev.custody.core.Digest;
import java.util.Objects;

/**
 * Where an entry is: its chain and sequence number, its position in the log, and its hash (SHA-256
 * of its exact stored record). The one type for an entry's place, whether it was just appended
 * ({@code Ledger.append} returns one) or read back and authenticated by a verifier
 * ({@code RecordRef.entry()} of the verify module). Text form {@code chain:sequence}
 * ({@link #position()}). Immutable.
 *
 * @param chain the chain id
 * @param sequence the entry's sequence number in its chain, from 0
 * @param logIndex the entry's position in the log, from 0
 * @param hash the entry hash
 */
public record EntryRef(String chain, long sequence, long logIndex, Digest hash) {
  public EntryRef {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(hash, "hash");
    if (sequence < 0 || logIndex < 0) {
      throw new IllegalArgumentException("sequence and log index are >= 0, got " + sequence + " and " + logIndex);
    }
  }

  /** {@code chain:sequence}, e.g. {@code acme/falcon-7b:3}: how {@code custody show} names the entry. */
  public String position() {
    return chain + ":" + sequence;
  }

  @Override
  public String toString() {
    return position() + " (log index " + logIndex + ", " + hash + ")";
  }
}
