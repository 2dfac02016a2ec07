package dev.custody.attest.internal.store;

import dev.custody.attest.AttestException;
import dev.custody.attest.SignedEntry;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.note.SignedNote;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The one storage interface of a ledger (DESIGN.md §7): an append-only sequence of entry records,
 * grouped into hash-linked chains. Implementations are thread-safe and safe for several processes
 * (or machines) appending to the same store.
 *
 * <p>Contract of {@link #append}: the store assigns the chain's next sequence number and passes it,
 * with the hash of the chain's current head, to the {@link RecordMaker}. A store may call the maker
 * speculatively (e.g. in the caller's thread, so that signing runs in parallel), but it writes a
 * record only if, under its exclusive write lock, the position it was made for is still the chain's
 * next one; otherwise it calls the maker again for the true position. So no two entries get the
 * same (chain, sequence) and every {@code prev} is the real head. Makers must therefore be
 * repeatable. The returned future completes only once the record is durable.
 */
public interface LogStore extends Closeable {

  /**
   * Produces the exact bytes of the entry at a given position of a chain; may be called more than once.
   * The store parses and checks every record it is handed this way, except a {@link #signed} maker's.
   */
  @FunctionalInterface
  interface RecordMaker {
    byte[] make(long sequence, Optional<Digest> prev) throws AttestException;

    /**
     * A maker whose records {@link dev.custody.attest.EntrySigner} made: the store takes their form as
     * given (only the signer makes a {@link SignedEntry}) and checks their position and size.
     */
    static RecordMaker signed(SignedEntry.Maker maker) {
      return new Signed(maker);
    }
  }

  /** {@link RecordMaker#signed}: what the store recognises. */
  record Signed(SignedEntry.Maker maker) implements RecordMaker {
    @Override
    public byte[] make(long sequence, Optional<Digest> prev) throws AttestException {
      return maker.make(sequence, prev).record();
    }
  }

  /** Where an appended record landed. */
  record Appended(String chain, long sequence, long logIndex, Digest hash) {}

  /** The newest entry of a chain. */
  record ChainHead(String chain, long sequence, Digest hash, long logIndex) {}

  /**
   * Appends the next entry of {@code chain}.
   *
   * @return completes when the record is durable, or exceptionally with the maker's
   *     {@link AttestException} or the storage failure; a failed append leaves nothing behind
   */
  CompletableFuture<Appended> append(String chain, RecordMaker maker);

  /** Number of records (the log size; the next log index). */
  long size();

  /** All chains, sorted by id. */
  List<ChainHead> chains();

  Optional<ChainHead> head(String chain);

  /** Log indexes of a chain's entries, by sequence number. Empty if the chain does not exist. */
  long[] chainIndexes(String chain);

  /** The log index of the entry with this hash. */
  OptionalLong indexOf(Digest hash);

  /** Reads the record at a log index. */
  EntryRecord read(long logIndex) throws IOException, FormatException;

  /** Receives records read in log order ({@link #read(long, long, RecordReceiver)}). */
  @FunctionalInterface
  interface RecordReceiver {
    void record(long logIndex, EntryRecord record) throws IOException, FormatException;
  }

  /**
   * Reads the records at log indexes {@code [from, to)} in order, handing each to {@code receiver}
   * before the next is read; the first that cannot be read stops it with the error
   * {@link #read(long)} throws for it. Stores may read many records at once (the default reads them
   * one by one).
   */
  default void read(long from, long to, RecordReceiver receiver) throws IOException, FormatException {
    for (long i = from; i < to; i++) {
      receiver.record(i, read(i));
    }
  }

  /**
   * Where this store keeps the model manifests and certificate chains its entries name, if it keeps
   * them itself (a database does; the file store's are the ledger directory's files, which the
   * {@code Ledger} opens beside it). Opened as the store was: read-only stores refuse writes.
   */
  default Optional<ArtifactStore> artifacts() {
    return Optional.empty();
  }

  /** Repairs made when the store was opened or caught up (torn records after a crash, rebuilt tiles). */
  List<String> repairs();

  // ---- transparency: the log is an RFC 9162 Merkle tree whose leaves are the records in log order

  /** The log's identity (origin, verifier key; the signer when opened for writing), if it has one. */
  Optional<LogIdentity> identity();

  /**
   * Signs a checkpoint of the current tree head (after catching up with other writers), stores it
   * as the newest checkpoint and returns it.
   *
   * @throws AttestException if the ledger has no log key
   */
  SignedNote signCheckpoint() throws IOException, FormatException, AttestException;

  /** The bytes of the newest stored checkpoint (a signed note, not verified here), if any. */
  Optional<byte[]> latestCheckpoint() throws IOException, FormatException;

  /**
   * The RFC 9162 root of the first {@code treeSize} records.
   *
   * @throws IllegalArgumentException unless {@code 0 <= treeSize <= size()}
   */
  Bytes rootHash(long treeSize);

  /**
   * The inclusion proof of record {@code leafIndex} in the tree of the first {@code treeSize}
   * records, checked against that tree's root before it is returned.
   *
   * @throws IllegalArgumentException unless {@code 0 <= leafIndex < treeSize <= size()}
   * @throws FormatException if the stored tree is damaged (the proof does not verify)
   */
  InclusionProof inclusionProof(long leafIndex, long treeSize) throws IOException, FormatException;

  /**
   * The consistency proof from the tree of {@code size1} records to that of {@code size2}, checked
   * against both roots before it is returned.
   *
   * @throws IllegalArgumentException unless {@code 0 < size1 <= size2 <= size()}
   * @throws FormatException if the stored tree is damaged
   */
  ConsistencyProof consistencyProof(long size1, long size2) throws FormatException;
}
