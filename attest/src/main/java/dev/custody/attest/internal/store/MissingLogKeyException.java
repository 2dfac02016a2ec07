package dev.custody.attest.internal.store;

import dev.custody.core.FormatException;

/**
 * A ledger's log private key is kept outside it ({@link LogKeyLocation}) and is not where the ledger's
 * hint or the default says: the ledger can be read and verified, not appended to (its checkpoints could
 * not be signed).
 */
public final class MissingLogKeyException extends FormatException {
  private static final long serialVersionUID = 1L;

  public MissingLogKeyException(String message) {
    super(message);
  }
}
