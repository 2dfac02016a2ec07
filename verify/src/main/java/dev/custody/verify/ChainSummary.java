package dev.custody.verify;

import dev.custody.core.digest.Digest;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What replay established about one chain.
 *
 * @param chain the chain id
 * @param entries number of authentic entries of the chain (duplicates not counted)
 * @param head hash of the authentic entry with the highest sequence number
 * @param signerKeyIds key ids of the keys that signed its authentic entries, sorted
 */
public record ChainSummary(String chain, long entries, Digest head, Set<String> signerKeyIds) {
  public ChainSummary {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(head, "head");
    signerKeyIds = Collections.unmodifiableSortedSet(new TreeSet<>(signerKeyIds));
    if (entries < 1) {
      throw new IllegalArgumentException("a chain summary covers at least one entry, got " + entries);
    }
  }
}
