package dev.custody.core.note;

import dev.custody.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A note whose text was authenticated by at least one trusted key: the result of
 * {@link SignedNote#open}. Only now is the text safe to parse (STYLE.md 6).
 *
 * @param note the note as received (its bytes are {@code note.encoded()})
 * @param verified signatures by trusted keys, all verified, one per key (in note order)
 * @param unverified signatures by keys not in the trusted set, not checked, duplicates removed
 */
public record VerifiedNote(SignedNote note, List<VerifiedSignature> verified, List<NoteSignature> unverified) {
  public VerifiedNote {
    Objects.requireNonNull(note, "note");
    verified = List.copyOf(verified);
    unverified = List.copyOf(unverified);
    if (verified.isEmpty()) {
      throw new IllegalArgumentException("a verified note has at least one verified signature");
    }
  }

  /** The authenticated text, including its final newline. */
  public String text() {
    return note.unverifiedText();
  }

  /** The authenticated text as the exact UTF-8 bytes that were signed. */
  public Bytes textBytes() {
    return note.unverifiedTextBytes();
  }

  /** True iff {@code key} is among the keys that verified the note. */
  public boolean isSignedBy(VerifierKey key) {
    return verified.stream().anyMatch(v -> v.key().equals(key));
  }

  @Override
  public String toString() {
    return new String(note.encoded(), StandardCharsets.UTF_8);
  }
}
