package dev.custody.core.note;

import java.util.Objects;

/**
 * A note signature that verified over the note text with a trusted key.
 *
 * @param key the trusted key that verified it (its type says how to read {@code signature})
 * @param signature the signature line as received
 */
public record VerifiedSignature(VerifierKey key, NoteSignature signature) {
  public VerifiedSignature {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(signature, "signature");
  }
}
