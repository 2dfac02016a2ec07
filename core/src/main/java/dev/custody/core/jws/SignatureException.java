package dev.custody.core.jws;

import dev.custody.core.CustodyException;

/** A signature did not verify, or was made with an algorithm or key that is not allowed. */
public class SignatureException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public SignatureException(String message) {
    super(message);
  }

  public SignatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
