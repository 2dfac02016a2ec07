package dev.custody.core.merkle;

import dev.custody.core.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 §2.1.4 consistency proof that the tree of the first {@code size2} leaves extends
 * the tree of the first {@code size1} leaves, hashes in the order of the SUBPROOF algorithm.
 *
 * <p>A value, not a judgement: the record only rejects nulls and copies the list. Whether it
 * proves anything is decided by {@link ProofVerifier#verifyConsistency(ConsistencyProof, Bytes,
 * Bytes)}.
 */
public record ConsistencyProof(long size1, long size2, List<Bytes> hashes) {
  public ConsistencyProof {
    hashes = List.copyOf(Objects.requireNonNull(hashes, "hashes")); // rejects null elements
  }
}
