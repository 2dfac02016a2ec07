/**
 * API. C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint) and witness cosignatures
 * (c2sp.org/tlog-cosignature {@code cosignature/v1}).
 *
 * <p>A log writes {@link dev.custody.core.checkpoint.Checkpoint#format} of its tree head and signs
 * it with {@link dev.custody.core.note.SignedNote#sign}; a reader verifies with
 * {@link dev.custody.core.checkpoint.CheckpointVerifier} and then checks Merkle proofs against
 * {@link dev.custody.core.checkpoint.Checkpoint#rootHash} with {@code dev.custody.core.merkle}.
 */
package dev.custody.core.checkpoint;
