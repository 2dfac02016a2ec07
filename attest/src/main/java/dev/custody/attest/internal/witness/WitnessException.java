package dev.custody.attest.internal.witness;

import dev.custody.attest.AttestException;

/**
 * A witness could not judge a submission: the checkpoint is malformed, not signed by the log key,
 * for another origin, or the proof does not match the sizes at hand; or the witness's own state
 * is unreadable. Nothing was cosigned and the state is unchanged. A checkpoint that contradicts
 * what the witness cosigned before raises the subclass {@link InconsistentCheckpointException}.
 */
public class WitnessException extends AttestException {
  private static final long serialVersionUID = 1L;

  public WitnessException(String message) {
    super(message);
  }

  public WitnessException(String message, Throwable cause) {
    super(message, cause);
  }
}
