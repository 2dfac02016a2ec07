package dev.custody.attest.internal.store;

import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.ProofException;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When a log signs a checkpoint and what it signs, shared by every store (Tessera's
 * {@code publishCheckpoint}); the backend stores the checkpoints and reads the records.
 *
 * <p><b>Never a fork.</b> A writer opening the log checks that the log extends its largest stored
 * checkpoint ({@link #checkStored()}) and refuses to append otherwise: appending to a truncated or
 * rewritten log would make the log sign a fork of its own history. What it signs is never the
 * tiles' word: the root is recomputed from that checkpoint and the records since it
 * ({@link TreeKeeper}); a newer checkpoint another writer stored meanwhile must be a prefix of it.
 *
 * <p><b>When.</b> With an automatic interval ({@link dev.custody.core.checkpoint.LogConfig}), after a
 * batch whose appends were acknowledged, when the interval has passed since this writer's last
 * checkpoint (the first batch always signs); and on close when the log grew past the newest stored
 * checkpoint ({@link #signIfBehind()}). {@link #sign()} signs on request.
 *
 * <p>Every method is called under the backend's write lock, caught up with other writers;
 * synchronized on this object besides.
 */
public final class Checkpointer {
  private final LogBackend backend;
  private final LogIdentity identity;
  /** The largest stored checkpoint, verified, that the tree was checked against; what signing proves from. */
  private Optional<StoredCheckpoints.Stored> anchor = Optional.empty();
  /** When this writer last signed. */
  private long lastNanos;
  private long lastSize = -1;
  private boolean signedOnce;

  public Checkpointer(LogBackend backend, LogIdentity identity) {
    this.backend = backend;
    this.identity = identity;
  }

  /** Whether this writer holds the log key. */
  public boolean canSign() {
    return identity.signer().isPresent();
  }

  /**
   * On open for writing, once the tree covers exactly the records: checks the tree against the
   * stored checkpoints that bind the writer ({@link StoredCheckpoints#binding()}): none commits to more
   * entries than the log holds, the tree gives the largest one's root (else it is rebuilt from the
   * records, and if they do not give it either, entries were rewritten), and the others describe the
   * same history.
   *
   * @throws FormatException if the log does not extend its own checkpoints
   */
  public synchronized void checkStored() throws IOException, FormatException {
    List<StoredCheckpoints.Stored> binding = backend.bindingCheckpoints();
    if (binding.isEmpty()) {
      return;
    }
    String log = backend.describe();
    long size = backend.size();
    for (StoredCheckpoints.Stored cp : binding) {
      if (cp.size() > size) {
        throw new FormatException(log + " holds " + size + " entries but its own checkpoint " + cp.name()
            + " commits to " + cp.size() + " (root " + b64(cp.checkpoint().rootHash()) + "): entries were removed"
            + " (truncation or a restored old copy). Refusing to append or sign, which would fork the log's signed"
            + " history; run 'custody verify' and restore the missing entries");
      }
    }
    StoredCheckpoints.Stored largest = binding.get(0);
    TreeKeeper tree = backend.tree();
    synchronized (backend.treeMonitor()) {
      if (!tree.root(largest.size()).equals(largest.checkpoint().rootHash())) {
        backend.rebuildTree("their root at size " + largest.size() + " differs from " + largest.describe());
        if (!tree.root(largest.size()).equals(largest.checkpoint().rootHash())) {
          throw new FormatException(log + ": the root of its first " + largest.size() + " entries is "
              + b64(tree.root(largest.size())) + " but its own checkpoint " + largest.describe() + " says "
              + b64(largest.checkpoint().rootHash()) + ": entries were rewritten or reordered. Refusing to append or"
              + " sign, which would fork the log's signed history; run 'custody verify'");
        }
      }
      for (StoredCheckpoints.Stored other : binding.subList(1, binding.size())) {
        requireSameHistory(other, largest.size(), largest.checkpoint().rootHash(), largest.describe());
      }
    }
    anchor = Optional.of(largest);
    lastSize = largest.size();
  }

  /**
   * After a batch was acknowledged: signs a checkpoint of the new tree head when automatic checkpoints
   * are on and the interval has passed. A failure is noted, not thrown: the batch is durable and
   * acknowledged, and the next batch tries again.
   *
   * @return whether the tree head is now covered by a checkpoint this writer signed
   */
  synchronized boolean afterBatch() {
    Optional<Long> interval = identity.config().checkpointIntervalMillis();
    if (!canSign() || interval.isEmpty()) {
      return false;
    }
    if (signedOnce && System.nanoTime() - lastNanos < interval.get() * 1_000_000L) {
      return false;
    }
    try {
      sign();
      return true;
    } catch (IOException | NoteSigningException | FormatException | RuntimeException e) {
      backend.note("automatic checkpoint failed: " + e.getMessage());
      return false;
    }
  }

  /**
   * On close: when automatic checkpoints are on and the log holds entries no stored checkpoint
   * covers, signs one (a short run would otherwise end unchecked until the next writer's batch).
   */
  synchronized void signIfBehind() throws IOException, FormatException {
    if (!canSign() || identity.config().checkpointIntervalMillis().isEmpty()) {
      return;
    }
    long n = backend.size();
    Optional<StoredCheckpoints.Stored> newest = backend.newestCheckpoint();
    if (n == lastSize || newest.isPresent() && newest.get().size() >= n) {
      return;
    }
    try {
      sign();
    } catch (NoteSigningException e) {
      throw new IOException("signing the checkpoint of " + backend.describe() + " failed: " + e.getMessage(), e);
    }
  }

  /** Signs and stores a checkpoint of the current tree head. Caller holds the write lock and has caught up. */
  public synchronized SignedNote sign() throws IOException, NoteSigningException, FormatException {
    long size;
    Bytes root;
    synchronized (backend.treeMonitor()) {
      size = backend.size();
      root = provenRoot(size);
    }
    SignedNote note = identity.signer().orElseThrow().sign(size, root);
    lastNanos = System.nanoTime();
    signedOnce = true;
    if (size == lastSize) {
      return note; // already stored (Ed25519 is deterministic: the same bytes)
    }
    backend.storeCheckpoint(note, size);
    lastSize = size;
    anchor = Optional.of(new StoredCheckpoints.Stored(LedgerLayout.CHECKPOINTS + "/" + size,
        Checkpoint.of(identity.origin(), size, root)));
    return note;
  }

  /**
   * The root the log may sign for its current size {@code n}: proven from the largest stored checkpoint
   * and every record since it (see {@link TreeKeeper}), whatever the tiles say; tiles that disagree are
   * rebuilt. Also checks that a newer {@code checkpoint} another writer stored since is a prefix of it.
   * Caller holds the write lock (caught up) and the tree monitor.
   *
   * @throws FormatException if the log does not extend its largest stored checkpoint
   */
  private Bytes provenRoot(long n) throws IOException, FormatException {
    String log = backend.describe();
    Optional<StoredCheckpoints.Stored> latest = backend.newestCheckpoint();
    boolean newer = latest.isPresent() && latest.get().size() > anchor.map(StoredCheckpoints.Stored::size).orElse(-1L);
    if (newer && latest.get().size() > n) {
      throw new FormatException(log + " holds " + n + " entries but its own checkpoint "
          + latest.get().describe() + " commits to more: entries were removed while this writer had the ledger open."
          + " Refusing to sign; run 'custody verify'");
    }
    TreeKeeper tree = backend.tree();
    if (tree.provenSize() != n) {
      Optional<Checkpoint> from = anchor.map(StoredCheckpoints.Stored::checkpoint);
      if (!tree.startProof(from)) {
        backend.rebuildTree("their nodes at size " + from.get().size() + " do not give the root of "
            + anchor.get().describe());
        if (!tree.startProof(from)) {
          throw new FormatException(log + " does not extend its checkpoint " + anchor.get().describe()
              + ": the root of its first " + from.get().size() + " entries is " + b64(tree.root(from.get().size()))
              + ". Refusing to sign, which would fork the log's signed history; run 'custody verify'");
        }
      }
      backend.readRecords(tree.provenSize(), n, tree::proveNext);
    }
    Bytes root = tree.provenRoot(n);
    if (!tree.root(n).equals(root)) {
      backend.rebuildTree("their root at size " + n + " differs from the one recomputed from "
          + anchor.map(StoredCheckpoints.Stored::describe).orElse("the empty tree") + " and the records since");
      if (!tree.root(n).equals(root)) {
        throw new FormatException(log + ": the records changed while the tree was checked; refusing to"
            + " sign. Run 'custody verify'");
      }
    }
    if (newer) {
      requireSameHistory(latest.get(), n, root, "the current tree (size " + n + ", root " + b64(root) + ")");
      anchor = latest;
    }
    return root;
  }

  /**
   * Checks that signed checkpoint {@code cp} (at most {@code size} entries) is a prefix of the tree
   * whose root at {@code size} is {@code root} — the same root at the same size, or an RFC 9162
   * consistency proof from the tiles that verifies against both roots (so damaged tiles cannot make
   * it pass; they are rebuilt once before giving up). Caller holds the tree monitor.
   *
   * @throws FormatException if it is not: two signed checkpoints of this log disagree (a fork)
   */
  private void requireSameHistory(StoredCheckpoints.Stored cp, long size, Bytes root, String what)
      throws IOException, FormatException {
    for (int attempt = 0; ; attempt++) {
      String problem = differs(cp.checkpoint(), size, root);
      if (problem == null) {
        return;
      }
      if (attempt > 0) {
        throw new FormatException(backend.describe() + ": its checkpoints " + cp.describe() + " and " + what
            + " are both signed by its log key but are not one history (" + problem + "): the log key signed a fork."
            + " Refusing to append or sign; keep both files as evidence and run 'custody verify'");
      }
      backend.rebuildTree("they do not prove " + cp.describe() + " a prefix of " + what);
    }
  }

  /** Why {@code cp} is not the prefix of size {@code cp.size()} of the tree with {@code root} at {@code size}; null if it is. */
  private @Nullable String differs(Checkpoint cp, long size, Bytes root) {
    if (cp.size() == size || cp.size() == 0) {
      Bytes expected = cp.size() == 0 ? MerkleHash.EMPTY_ROOT : root;
      return cp.rootHash().equals(expected) ? null : "same size, different roots";
    }
    try {
      ProofVerifier.verifyConsistency(backend.tree().merkleTree().consistencyProof(cp.size(), size), cp.rootHash(), root);
      return null;
    } catch (ProofException e) {
      return "no consistency proof from size " + cp.size() + " to " + size + ": " + e.getMessage();
    }
  }

  private static String b64(Bytes b) {
    return StoredCheckpoints.b64(b.toByteArray());
  }
}
