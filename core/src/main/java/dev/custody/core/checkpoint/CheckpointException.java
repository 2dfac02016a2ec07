package dev.custody.core.checkpoint;

import dev.custody.core.CustodyException;

/**
 * An authentic note is not an acceptable checkpoint for this log: another origin, or fewer
 * witness cosignatures than required. Malformed input raises
 * {@link dev.custody.core.FormatException}; signature failures raise
 * {@link dev.custody.core.note.NoteVerificationException}.
 */
public class CheckpointException extends CustodyException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }
}
