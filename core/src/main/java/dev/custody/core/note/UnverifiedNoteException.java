package dev.custody.core.note;

import java.util.stream.Collectors;

/**
 * No signature on the note is by a trusted key, so its text must be ignored (C2SP signed-note
 * §Signatures: "If no signature from a known key verifies successfully, clients MUST reject the
 * note"). Carries the parsed, unverified note as evidence of who did sign it.
 */
public class UnverifiedNoteException extends NoteVerificationException {
  private static final long serialVersionUID = 1L;

  private final transient SignedNote note;

  public UnverifiedNoteException(SignedNote note, NoteVerifiers trusted) {
    super("note has no verifiable signatures: it is signed by ["
        + note.signatures().stream().map(NoteSignature::signer).distinct().collect(Collectors.joining(", "))
        + "] but the trusted keys are [" + trusted + "]; check that the right verifier key is configured");
    this.note = note;
  }

  /** The note as parsed; its text is not authenticated. */
  public SignedNote note() {
    return note;
  }
}
