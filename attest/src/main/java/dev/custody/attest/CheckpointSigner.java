package dev.custody.attest;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.note.NoteSigner;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.SignedNote;
import java.util.List;
import java.util.Objects;

/**
 * Signs a log's tree heads as C2SP checkpoints: {@link Checkpoint#format} inside a
 * {@link SignedNote} signed by the log key. Immutable and thread-safe if the signer is.
 */
public final class CheckpointSigner {
  private final String origin;
  private final NoteSigner logSigner;

  /**
   * @param origin the log's origin line, e.g. {@code example.com/log}
   * @param logSigner the log key (C2SP recommends that its key name equal the origin)
   */
  public CheckpointSigner(String origin, NoteSigner logSigner) {
    this.origin = Objects.requireNonNull(origin, "origin");
    this.logSigner = Objects.requireNonNull(logSigner, "logSigner");
    Checkpoint.of(origin, 0, dev.custody.core.merkle.MerkleHash.EMPTY_ROOT); // validates the origin now
  }

  /** The signed checkpoint for a tree of {@code size} leaves with root {@code rootHash}. */
  public SignedNote sign(long size, Bytes rootHash) throws NoteSigningException {
    return sign(Checkpoint.of(origin, size, rootHash));
  }

  /** The signed checkpoint for the first {@code size} leaves of {@code tree}. */
  public SignedNote sign(MerkleTree tree, long size) throws NoteSigningException {
    return sign(size, tree.root(size));
  }

  /**
   * The signed checkpoint {@code checkpoint}, whose origin must be this log's.
   *
   * @throws IllegalArgumentException if the origin differs
   */
  public SignedNote sign(Checkpoint checkpoint) throws NoteSigningException {
    if (!checkpoint.origin().equals(origin)) {
      throw new IllegalArgumentException("checkpoint origin '" + checkpoint.origin() + "' is not this log's '" + origin + "'");
    }
    try {
      return SignedNote.sign(checkpoint.format(), List.of(logSigner));
    } catch (FormatException e) {
      throw new IllegalStateException("a formatted checkpoint is always valid note text", e);
    }
  }

  public String origin() {
    return origin;
  }
}
