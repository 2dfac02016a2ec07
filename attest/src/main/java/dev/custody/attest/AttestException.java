package dev.custody.attest;

import dev.custody.core.CustodyException;

/** Root of attest's checked exceptions: producing evidence failed (keys, signing, storage). */
public class AttestException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public AttestException(String message) {
    super(message);
  }

  public AttestException(String message, Throwable cause) {
    super(message, cause);
  }
}
