package dev.custody.verify;

import dev.custody.core.Digest;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What replay established about one chain.
 *
 * @param chain the chain id
 * @param entries number of authentic entries of the chain (duplicates not counted)
 * @param head hash of the authentic entry with the highest sequence number
 * @param signerKeyIds key ids of the keys that signed its authentic entries, sorted
 * @param ledger the label of the ledger the chain is in ({@link RecordRef#ledger()}), when the
 *     verifier names it: two ledgers verified together may each hold a chain of the same id
 */
public record ChainSummary(String chain, long entries, Digest head, Set<String> signerKeyIds, Optional<String> ledger) {
  public ChainSummary {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(head, "head");
    signerKeyIds = Collections.unmodifiableSortedSet(new TreeSet<>(signerKeyIds));
    Objects.requireNonNull(ledger, "ledger");
    if (entries < 1) {
      throw new IllegalArgumentException("a chain summary covers at least one entry, got " + entries);
    }
  }

  /** A chain of a ledger the summary does not name. */
  public ChainSummary(String chain, long entries, Digest head, Set<String> signerKeyIds) {
    this(chain, entries, head, signerKeyIds, Optional.empty());
  }

  /** This summary, naming the ledger labelled {@code label}. */
  public ChainSummary inLedger(String label) {
    return new ChainSummary(chain, entries, head, signerKeyIds, Optional.of(label));
  }
}
