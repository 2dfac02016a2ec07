package dev.custody.core.note;

import dev.custody.core.CustodyException;

/**
 * A well-formed note was not accepted: no trusted signature ({@link UnverifiedNoteException}) or a
 * signature by a trusted key that does not verify ({@link InvalidNoteSignatureException}).
 * Malformed notes raise {@link dev.custody.core.FormatException} instead.
 */
public class NoteVerificationException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public NoteVerificationException(String message) {
    super(message);
  }

  public NoteVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
