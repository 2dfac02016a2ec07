package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 §2.1.3 inclusion proof: the audit path for leaf {@code leafIndex} (0-based) in the
 * tree of the first {@code treeSize} leaves, hashes ordered from the leaf's sibling up to the
 * root's child.
 *
 * <p>A value, not a judgement: the record only rejects nulls and copies the list, so a proof read
 * from untrusted input can be held even when its sizes or hash lengths are wrong. Whether it proves
 * anything is decided by {@link ProofVerifier#verifyInclusion(InclusionProof, Bytes, Bytes)}.
 */
public record InclusionProof(long leafIndex, long treeSize, List<Bytes> hashes) {
  public InclusionProof {
    hashes = List.copyOf(Objects.requireNonNull(hashes, "hashes")); // rejects null elements
  }
}
