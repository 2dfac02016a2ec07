package dev.custody.core.note;

import dev.custody.core.CustodyException;

/** A {@link NoteSigner} could not sign, or returned a signature of the wrong shape. */
public class NoteSigningException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public NoteSigningException(String message) {
    super(message);
  }

  public NoteSigningException(String message, Throwable cause) {
    super(message, cause);
  }
}
