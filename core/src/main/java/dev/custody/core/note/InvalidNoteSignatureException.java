package dev.custody.core.note;

/**
 * A signature line names a trusted key (same name and key ID) but does not verify with it. The
 * whole note is rejected (C2SP signed-note §Signatures: clients SHOULD reject it; Go's sumdb/note
 * does), because a bad signature by a known key means tampering or a broken signer.
 */
public class InvalidNoteSignatureException extends NoteVerificationException {
  private static final long serialVersionUID = 1L;

  private final transient VerifierKey key;
  private final transient NoteSignature signature;

  public InvalidNoteSignatureException(VerifierKey key, NoteSignature signature, String reason) {
    super("invalid signature for key " + signature.signer() + " (" + key.type() + "): " + reason
        + "; signature line: " + signature.line());
    this.key = key;
    this.signature = signature;
  }

  public VerifierKey key() {
    return key;
  }

  public NoteSignature signature() {
    return signature;
  }
}
