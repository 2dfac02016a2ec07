package dev.custody.attest.internal.store;

import dev.custody.attest.AttestException;
import dev.custody.core.Bytes;
import dev.custody.core.FormatException;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.ProofException;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What every store built on a {@link LogBackend} does the same way, whatever holds its records (a
 * directory, a database): appends through the {@link GroupCommitter}, checkpoints through the
 * {@link Checkpointer} under the backend's write lock, and Merkle proofs from the backend's tree,
 * each checked before it is handed out (tiles are derived data). A store adds how it is opened and
 * how it reads records.
 *
 * @param <B> the backend
 */
public abstract class CommittingLogStore<B extends LogBackend> implements LogStore {
  protected final B backend;
  private final Optional<LogIdentity> identity;
  /** Present for a writer of a ledger with a log identity. */
  private final Optional<Checkpointer> checkpointer;
  /** Present for a writer. */
  private final Optional<GroupCommitter> committer;

  protected CommittingLogStore(B backend, Optional<LogIdentity> identity, Optional<Checkpointer> checkpointer,
      Optional<GroupCommitter> committer) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.checkpointer = Objects.requireNonNull(checkpointer, "checkpointer");
    this.committer = Objects.requireNonNull(committer, "committer");
  }

  /** Why this ledger has no key to sign checkpoints with, and what to do (follows "ledger X has no log key"). */
  protected abstract String noLogKeyAdvice();

  /** How this ledger's damaged Merkle tiles are rebuilt (follows "…does not verify: why"). */
  protected abstract String tilesRepairAdvice();

  @Override
  public CompletableFuture<Appended> append(String chain, RecordMaker maker) {
    if (committer.isEmpty()) {
      CompletableFuture<Appended> f = new CompletableFuture<>();
      f.completeExceptionally(new IllegalStateException(backend.describe() + " was opened read-only"));
      return f;
    }
    return committer.get().append(chain, maker);
  }

  @Override
  public long size() {
    return backend.size();
  }

  @Override
  public Optional<ChainHead> head(String chain) {
    return backend.head(chain);
  }

  /** Where the committer's time went since the store was opened ({@link CommitStats#NONE} when read-only). */
  public CommitStats commitStats() {
    return committer.map(GroupCommitter::stats).orElse(CommitStats.NONE);
  }

  /**
   * Stops accepting appends, finishes those queued (their futures complete as usual), signs a final
   * checkpoint when this store appended entries no stored checkpoint covers and automatic checkpoints
   * are on (a failure to sign it is reported in {@link #repairs()}, the appends stay acknowledged),
   * and stops the committer. A read-only store, or one that appended nothing, signs nothing.
   */
  @Override
  public void close() {
    committer.ifPresent(GroupCommitter::close);
  }

  // ---------------------------------------------------------------- transparency API

  @Override
  public Optional<LogIdentity> identity() {
    return identity;
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  public SignedNote signCheckpoint() throws IOException, FormatException, AttestException {
    if (committer.isEmpty()) {
      throw new IllegalStateException(backend.describe() + " was opened read-only");
    }
    if (checkpointer.isEmpty() || !checkpointer.get().canSign()) {
      throw new AttestException(backend.describe() + " has no log key" + noLogKeyAdvice());
    }
    try (LogBackend.WriteLock lock = backend.lock()) {
      backend.catchUp();
      return checkpointer.get().sign();
    } catch (NoteSigningException e) {
      throw new AttestException("signing the checkpoint failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Bytes rootHash(long treeSize) {
    synchronized (backend.treeMonitor()) {
      return backend.tree().root(treeSize);
    }
  }

  @Override
  public InclusionProof inclusionProof(long leafIndex, long treeSize) throws IOException, FormatException {
    InclusionProof proof;
    Bytes root;
    synchronized (backend.treeMonitor()) {
      proof = backend.tree().merkleTree().inclusionProof(leafIndex, treeSize);
      root = backend.tree().root(treeSize);
    }
    Bytes leaf = MerkleHash.leafHash(read(leafIndex).bytes());
    try {
      // Tiles are derived data: never hand out a proof they produced without checking it.
      ProofVerifier.verifyInclusion(proof, leaf, root);
    } catch (ProofException e) {
      throw new FormatException("the stored Merkle tiles of " + backend.describe() + " are damaged (the inclusion"
          + " proof for log index " + leafIndex + " does not verify: " + e.getMessage() + ")" + tilesRepairAdvice(), e);
    }
    return proof;
  }

  @Override
  public ConsistencyProof consistencyProof(long size1, long size2) throws FormatException {
    ConsistencyProof proof;
    Bytes root1;
    Bytes root2;
    synchronized (backend.treeMonitor()) {
      proof = backend.tree().merkleTree().consistencyProof(size1, size2);
      root1 = backend.tree().root(size1);
      root2 = backend.tree().root(size2);
    }
    try {
      ProofVerifier.verifyConsistency(proof, root1, root2);
    } catch (ProofException e) {
      throw new FormatException("the stored Merkle tiles of " + backend.describe() + " are damaged (consistency proof "
          + size1 + " -> " + size2 + " does not verify: " + e.getMessage() + ")" + tilesRepairAdvice(), e);
    }
    return proof;
  }
}
