package dev.custody.core.merkle;

import dev.custody.core.CustodyException;
import java.util.Objects;

/**
 * A Merkle inclusion or consistency proof did not verify. The message names the check that
 * failed and the offending values; {@link #reason()} classifies it for reports.
 */
public class ProofException extends CustodyException {
  private static final long serialVersionUID = 1L;

  /** Which check failed. Checks run in this order; the first failure is reported. */
  public enum Reason {
    /** A size or index is negative, {@code leafIndex >= treeSize}, or {@code size1 > size2}. */
    BAD_SIZES,
    /** {@code size1 == 0}: a consistency proof from the empty tree is refused (see ProofVerifier). */
    EMPTY_FIRST_TREE,
    /** A leaf, root or proof hash is not 32 bytes. */
    BAD_HASH_LENGTH,
    /** The proof does not have the exact number of hashes its sizes require. */
    BAD_PROOF_LENGTH,
    /** The inclusion proof, applied to the leaf hash, does not reproduce the root. */
    ROOT_MISMATCH,
    /** The consistency proof does not reproduce the first (older) root. */
    FIRST_ROOT_MISMATCH,
    /**
     * The consistency proof does not reproduce the second (newer) root although it reproduces the
     * first; when size1 is a power of two the first root is the proof's starting point, so a
     * wrong first root is reported here.
     */
    SECOND_ROOT_MISMATCH
  }

  private final Reason reason;

  public ProofException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Which check failed. */
  public Reason reason() {
    return reason;
  }
}
