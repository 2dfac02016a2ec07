package dev.custody.verify;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRef;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Names the log record a {@link Finding} concerns, with as much as is known of it: a record may be
 * junk or unauthenticated, so unlike {@link EntryRef} (where an authentic entry is) its chain,
 * sequence and hash may be unknown; {@link #entry()} is its {@link EntryRef} when they are all known.
 * The chain and sequence are present only for entries whose signature verified with a trusted key
 * (an unauthenticated payload is never read, so it cannot name a chain); the hash is present
 * whenever the record's bytes were read.
 *
 * @param logIndex position in the log, from 0
 * @param where file and line, e.g. {@code segments/00000000000000000000.jsonl line 18 (log index 17)}
 * @param chain the entry's chain, when authenticated
 * @param sequence the entry's sequence number in its chain, when authenticated
 * @param hash the entry hash (SHA-256 of the stored bytes), when the bytes were read
 * @param ledger the label of the ledger the entry is in (its directory name, made distinct when
 *     several are verified together), when the verifier names it; {@code where} names it too, in
 *     words, when there are several
 */
public record RecordRef(long logIndex, String where, Optional<String> chain, OptionalLong sequence, Optional<Digest> hash,
    Optional<String> ledger) {
  public RecordRef {
    if (logIndex < 0) {
      throw new IllegalArgumentException("log index must be >= 0, got " + logIndex);
    }
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(sequence, "sequence");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(ledger, "ledger");
    if (chain.isPresent() != sequence.isPresent()) {
      throw new IllegalArgumentException("chain and sequence are known together or not at all");
    }
  }

  /** An entry of a ledger the reference does not name. */
  public RecordRef(long logIndex, String where, Optional<String> chain, OptionalLong sequence, Optional<Digest> hash) {
    this(logIndex, where, chain, sequence, hash, Optional.empty());
  }

  /** The entry's place as an {@link EntryRef}, when its chain, sequence and hash are known (an authentic entry). */
  public Optional<EntryRef> entry() {
    return chain.isPresent() && hash.isPresent()
        ? Optional.of(new EntryRef(chain.get(), sequence.getAsLong(), logIndex, hash.get())) : Optional.empty();
  }

  /** {@code chain:sequence}, e.g. {@code acme/falcon-7b:3}, or empty when the chain is unknown. */
  public Optional<String> chainPosition() {
    return chain.map(c -> c + ":" + sequence.getAsLong());
  }
}
