package dev.custody.core.checkpoint;

import dev.custody.core.FormatException;
import dev.custody.core.note.CosignatureV1;
import dev.custody.core.note.NoteVerificationException;
import dev.custody.core.note.NoteVerifiers;
import dev.custody.core.note.SignatureType;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.UnverifiedNoteException;
import dev.custody.core.note.VerifiedNote;
import dev.custody.core.note.VerifiedSignature;
import dev.custody.core.note.VerifierKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Reads signed checkpoints of one log. Immutable and thread-safe.
 *
 * <p>{@link #verify}, in this order (STYLE.md 6: verify, then parse):
 *
 * <ol>
 *   <li>parses the signed note strictly;
 *   <li>requires a valid signature by the log key (type 0x01); signatures by other keys are
 *       ignored, except that
 *   <li>every cosignature by a configured witness (type 0x04) must verify, and at least
 *       {@code threshold} distinct witnesses must have cosigned;
 *   <li>only then parses the checkpoint text, and requires its origin to be the expected one.
 * </ol>
 *
 * <p>Built with {@link #forLog}, a verifier requires the log signature and no witnesses; adding
 * witnesses with a threshold of 0 still rejects a bad cosignature by one of them.
 */
public final class CheckpointVerifier {
  private final String origin;
  private final VerifierKey logKey;
  private final List<VerifierKey> witnesses;
  private final int threshold;

  private CheckpointVerifier(String origin, VerifierKey logKey, List<VerifierKey> witnesses, int threshold) {
    this.origin = origin;
    this.logKey = logKey;
    this.witnesses = List.copyOf(witnesses);
    this.threshold = threshold;
  }

  /**
   * A verifier for checkpoints of the log {@code origin} signed with {@code logKey}.
   *
   * @throws IllegalArgumentException if {@code logKey} is not an Ed25519 (0x01) key
   */
  public static CheckpointVerifier forLog(String origin, VerifierKey logKey) {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(logKey, "logKey");
    if (logKey.type() != SignatureType.ED25519) {
      throw new IllegalArgumentException("log key " + logKey + " must be an Ed25519 (0x01) key, not " + logKey.type());
    }
    return new CheckpointVerifier(origin, logKey, List.of(), 0);
  }

  /**
   * This verifier, also requiring cosignatures by at least {@code threshold} of {@code witnesses}.
   * Ed25519 (0x01) witness keys are taken as the same public key's cosignature/v1 (0x04) key, as
   * transparency-dev does ({@link VerifierKey#asCosignatureV1}).
   *
   * @throws IllegalArgumentException if {@code threshold} is not in 0..number of distinct witnesses
   */
  public CheckpointVerifier withWitnesses(Collection<VerifierKey> witnesses, int threshold) {
    LinkedHashSet<VerifierKey> keys = new LinkedHashSet<>();
    for (VerifierKey w : witnesses) {
      keys.add(w.asCosignatureV1());
    }
    if (threshold < 0 || threshold > keys.size()) {
      throw new IllegalArgumentException("witness threshold must be in 0.." + keys.size() + ", got " + threshold);
    }
    NoteVerifiers.of(keys); // rejects ambiguous witness keys now rather than at the first checkpoint
    return new CheckpointVerifier(origin, logKey, new ArrayList<>(keys), threshold);
  }

  /**
   * Verifies a signed checkpoint note and returns the parsed checkpoint.
   *
   * @throws FormatException if the note or the checkpoint text is malformed
   * @throws UnverifiedNoteException if the log did not sign it
   * @throws dev.custody.core.note.InvalidNoteSignatureException if a log or witness signature is bad
   * @throws CheckpointException if the origin is not this log's, or too few witnesses cosigned
   */
  public VerifiedCheckpoint verify(byte[] signedNote)
      throws FormatException, NoteVerificationException, CheckpointException {
    SignedNote note = SignedNote.parse(signedNote);
    VerifiedNote byLog = note.verify(NoteVerifiers.of(logKey));
    List<Cosignature> cosignatures = new ArrayList<>();
    if (!witnesses.isEmpty()) {
      try {
        for (VerifiedSignature v : note.verify(NoteVerifiers.of(witnesses)).verified()) {
          cosignatures.add(new Cosignature(v.key(), CosignatureV1.timestamp(v.signature()), v.signature()));
        }
      } catch (UnverifiedNoteException noWitnessSigned) {
        // No cosignature at all: acceptable only if the threshold is 0, checked below.
      }
    }
    Checkpoint checkpoint = Checkpoint.parse(byLog.textBytes().toByteArray());
    if (!checkpoint.origin().equals(origin)) {
      throw new CheckpointException("checkpoint is for origin '" + checkpoint.origin() + "', expected '" + origin
          + "': it was signed by the log key " + logKey + " for another log, or the wrong key is configured");
    }
    if (cosignatures.size() < threshold) {
      throw new CheckpointException("checkpoint of '" + origin + "' at size " + checkpoint.size() + " has "
          + cosignatures.size() + " valid witness cosignatures, " + threshold + " required (trusted witnesses: "
          + NoteVerifiers.of(witnesses) + ")");
    }
    return new VerifiedCheckpoint(checkpoint, byLog, cosignatures);
  }

  public String origin() {
    return origin;
  }

  public VerifierKey logKey() {
    return logKey;
  }

  public List<VerifierKey> witnesses() {
    return witnesses;
  }

  public int threshold() {
    return threshold;
  }
}
