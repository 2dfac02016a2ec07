package dev.custody.core.checkpoint;

import dev.custody.core.note.NoteSignature;
import dev.custody.core.note.VerifierKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A verified witness cosignature on a checkpoint (C2SP tlog-cosignature, {@code cosignature/v1}):
 * the witness states that, at {@code timestamp}, this was the largest consistent tree head it had
 * seen for the log.
 *
 * @param witness the trusted cosigner key (type 0x04) that verified it
 * @param timestamp POSIX seconds, as signed
 * @param signature the signature line as received
 */
public record Cosignature(VerifierKey witness, long timestamp, NoteSignature signature) {
  public Cosignature {
    Objects.requireNonNull(witness, "witness");
    Objects.requireNonNull(signature, "signature");
    if (timestamp < 0) {
      throw new IllegalArgumentException("cosignature timestamp must be in 0..2^63-1, got " + timestamp);
    }
  }

  public Instant time() {
    return Instant.ofEpochSecond(timestamp);
  }
}
