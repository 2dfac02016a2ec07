package dev.custody.attest;

import dev.custody.core.entry.EntryRef;
import dev.custody.attest.AttestException;
import dev.custody.attest.internal.artifacts.ManifestStore;
import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.attest.internal.store.DirectoryArtifacts;
import dev.custody.attest.internal.artifacts.ModelArtifacts;
import dev.custody.attest.internal.artifacts.OmsSignatureStore;
import dev.custody.attest.internal.timestamp.CheckpointTimestamps;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.attest.EntrySigner;
import dev.custody.attest.Signer;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.attest.internal.store.LogStores;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.entry.EntrySummary;
import dev.custody.core.event.Event;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.note.SignedNote;
import java.io.Closeable;
import java.security.SecureRandom;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A custody ledger: append signed events to chains, read them back. The front door of the attest
 * module for training pipelines and release tooling.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open(Path.of(".custody"))) {
 *   SigningKey key = SigningKey.load(Path.of("keys/pipeline.key"));
 *   ArtifactRef data = ledger.artifact("train-data", Path.of("data/train.jsonl")); // SHA-256 of the file
 *   ArtifactRef model = ledger.model("model", Path.of("out/"));                   // manifest kept here
 *   EntryRef ref = ledger.append("acme/falcon-7b", Event.builder(EventType.TRAINING)
 *       .input(data).output(model).build(), key);
 * }
 * }</pre>
 *
 * Thread-safe: share one instance between threads; concurrent appends are group-committed.
 * Several processes may append to the same ledger directory at once.
 */
public final class Ledger implements Closeable {
  private final LogStore store;
  private final Clock clock;
  /**
   * Where this ledger keeps model manifests and certificate chains: the ledger directory's files, or the
   * store's own (a database's tables); empty over a store that keeps none. Read-only when the ledger is.
   */
  private final Optional<ArtifactStore> artifacts;

  private Ledger(LogStore store, Clock clock, Optional<ArtifactStore> artifacts) {
    this.store = store;
    this.clock = clock;
    this.artifacts = artifacts;
  }

  /**
   * Creates an empty ledger at {@code dir} with a fresh log identity: origin
   * {@code custody.local/<16 random hex>}, a new Ed25519 log key, and automatic checkpoints every
   * {@value LogConfig#DEFAULT_CHECKPOINT_INTERVAL_MILLIS} ms of appending.
   */
  public static void create(Path dir) throws IOException, FormatException {
    SecureRandom random = new SecureRandom();
    create(dir, new LogConfig(LogIdentity.defaultOrigin(random),
        Optional.of(LogConfig.DEFAULT_CHECKPOINT_INTERVAL_MILLIS)), random);
  }

  /**
   * Creates an empty ledger at {@code dir} with the log identity {@code config} and a new log key
   * drawn from {@code random}.
   *
   * @throws FormatException if {@code dir} is already a ledger or not empty, or the origin is not a
   *     valid key name (C2SP note key names have no spaces or '+')
   */
  public static void create(Path dir, LogConfig config, SecureRandom random) throws IOException, FormatException {
    // Check the origin before creating anything, so a bad name leaves no half-made ledger.
    Ed25519NoteSigner.generate(config.origin(), random);
    FileLogStore.create(dir, config, random);
  }

  /**
   * As {@link #create(Path, LogConfig, SecureRandom)}, with the log's private key written outside the
   * ledger, to {@code logKeyFile} ({@link dev.custody.attest.internal.store.LogKeyLocation#DEFAULT} for the default
   * file), so that the ledger holds no secret; it records where, as a hint. This is what
   * {@code custody init} does.
   *
   * @throws IllegalArgumentException if {@code logKeyFile} is inside {@code dir}
   */
  public static void create(Path dir, LogConfig config, SecureRandom random, Path logKeyFile)
      throws IOException, FormatException {
    Ed25519NoteSigner.generate(config.origin(), random);
    FileLogStore.create(dir, config, random, Optional.of(logKeyFile));
  }

  /**
   * Creates an empty ledger at {@code location} — a directory ({@link #create(Path, LogConfig, SecureRandom)})
   * or a store URL such as {@code postgresql://host/db} ({@link LogStores}); a URL's new private log key
   * goes to {@code settings}' log key file.
   */
  public static void create(String location, LogConfig config, SecureRandom random, StoreSettings settings)
      throws IOException, FormatException {
    if (!LogStores.isUrl(location)) {
      create(Path.of(location), config, random);
      return;
    }
    Ed25519NoteSigner.generate(config.origin(), random);
    LogStores.provider(location).create(location, config, random, settings);
  }

  /**
   * Opens the ledger at {@code location} for appending: a directory ({@link #open(Path)}), or a store URL
   * such as {@code postgresql://host/db} ({@link LogStores}). A ledger reached by URL keeps its model
   * manifests and certificate chains in the store, as a directory keeps them in files.
   */
  public static Ledger open(String location, StoreSettings settings) throws IOException, FormatException {
    if (!LogStores.isUrl(location)) {
      return open(Path.of(location));
    }
    return over(LogStores.provider(location).open(location, settings), Clock.systemUTC());
  }

  /** Opens the ledger at {@code location} (a directory or a store URL) for reading only. */
  public static Ledger openReadOnly(String location, StoreSettings settings)
      throws IOException, FormatException {
    if (!LogStores.isUrl(location)) {
      return openReadOnly(Path.of(location));
    }
    return over(LogStores.provider(location).openReadOnly(location, settings), Clock.systemUTC());
  }

  /** Opens the ledger at {@code dir} for appending, with the system clock (UTC). */
  public static Ledger open(Path dir) throws IOException, FormatException {
    return open(dir, FileLogStore.Options.defaults());
  }

  /**
   * Opens the ledger at {@code dir} for appending with store options (e.g. to write on a network file
   * system, see {@link FileLogStore.Options#allowNetworkFileSystem()}), with the system clock (UTC).
   */
  @SuppressWarnings("exports") // store SPI, custody-internal for now (file and PostgreSQL stores); see module-info
  public static Ledger open(Path dir, FileLogStore.Options options) throws IOException, FormatException {
    ArtifactStore artifacts = DirectoryArtifacts.of(dir); // before the store opens: nothing to close if it throws
    return new Ledger(FileLogStore.open(dir, options), Clock.systemUTC(), Optional.of(artifacts));
  }

  /** Opens the ledger at {@code dir} for reading only; it takes no lock and changes nothing. */
  public static Ledger openReadOnly(Path dir) throws IOException, FormatException {
    ArtifactStore artifacts = DirectoryArtifacts.of(dir, false);
    return new Ledger(FileLogStore.openReadOnly(dir), Clock.systemUTC(), Optional.of(artifacts));
  }

  /**
   * A ledger over any store, with a given clock for entry times. It keeps model manifests and
   * certificate chains where the store keeps them ({@link LogStore#artifacts()}); over a store that keeps
   * none, record models by digest ({@link ArtifactRef#of}), or open a file ledger with {@link #open}.
   */
  @SuppressWarnings("exports") // store SPI, custody-internal for now (file and PostgreSQL stores); see module-info
  public static Ledger over(LogStore store, Clock clock) {
    return new Ledger(Objects.requireNonNull(store, "store"), Objects.requireNonNull(clock, "clock"),
        store.artifacts());
  }

  // ---- artifacts

  /**
   * The model at {@code path} (a directory, or one file) as artifact {@code name} of kind
   * {@link ArtifactKind#MODEL}: hashed into an OMS v1.0 manifest (files serialization, git paths and
   * this ledger ignored), the manifest kept durably in this ledger, and named by its root digest — the
   * digest {@code LedgerVerifier}'s model check re-computes. Append the event that names it after this
   * returns: an entry never points at a manifest a crash could lose.
   *
   * @throws IllegalArgumentException if the name is invalid or {@code path} is neither a file nor a directory
   * @throws ManifestException if a file of the model cannot be hashed (naming it)
   * @throws IllegalStateException if this ledger keeps no manifests ({@link #openReadOnly}, {@link #over})
   */
  public ArtifactRef model(String name, Path path) throws IOException, ManifestException {
    return artifact(name, ArtifactKind.MODEL, path, true, ModelHasher.builder());
  }

  /**
   * The file or directory at {@code path} as artifact {@code name}, of the kind its name suggests
   * ({@link ArtifactKind#guess}): a directory as a model manifest kept in this ledger (as {@link #model}),
   * a plain file as the SHA-256 of its content.
   *
   * @throws IllegalArgumentException if the name is invalid or {@code path} is neither a file nor a directory
   * @throws ManifestException if a file cannot be hashed (naming it)
   * @throws IllegalStateException if {@code path} is a directory and this ledger keeps no manifests
   */
  public ArtifactRef artifact(String name, Path path) throws IOException, ManifestException {
    return artifact(name, ArtifactKind.guess(Objects.requireNonNull(name, "name")), path);
  }

  /** {@link #artifact(String, Path)} of a given kind. */
  public ArtifactRef artifact(String name, ArtifactKind kind, Path path) throws IOException, ManifestException {
    return artifact(name, kind, path, false, ModelHasher.builder());
  }

  /**
   * {@link #artifact(String, ArtifactKind, Path)} with the hashing options: {@code manifestForFile} makes a
   * plain file a one-file manifest too, {@code options} set the serialization, threads and progress.
   */
  public ArtifactRef artifact(String name, ArtifactKind kind, Path path, boolean manifestForFile,
      ModelHasher.Builder options) throws IOException, ManifestException {
    return keep(ModelArtifacts.hash(name, kind, path, manifestForFile, options,
        artifacts.flatMap(ArtifactStore::directory).orElse(null)));
  }

  /**
   * The artifact {@code hashed} names, its manifest (if any) kept durably in this ledger: the second
   * step of {@link ModelArtifacts#hash}, for callers that hash every path an event names first.
   *
   * @throws IllegalStateException if {@code hashed} has a manifest and this ledger keeps none
   */
  @SuppressWarnings("exports") // store SPI, custody-internal for now (file and PostgreSQL stores); see module-info
  public ArtifactRef keep(ModelArtifacts.Hashed hashed) throws IOException {
    if (hashed.manifest().isEmpty()) {
      return ArtifactRef.of(hashed.name(), hashed.kind(), hashed.digest());
    }
    return hashed.keep(ManifestStore.over(artifacts.orElseThrow(() -> new IllegalStateException("this ledger keeps"
        + " no model manifests (it is over a store that keeps none): open it with Ledger.open to record "
        + dev.custody.core.internal.text.Untrusted.quote(hashed.name()) + " from its files"))));
  }

  /**
   * The certificate chains of this ledger's signers ({@link CertificateStore}), judged valid or not at this
   * ledger's clock: where {@code --certificate} records a chain before the entries it certifies.
   *
   * @throws IllegalStateException if this ledger keeps none (over a store that keeps none); a read-only
   *     ledger's store reads and checks, but refuses to store
   */
  public CertificateStore certificates() {
    return CertificateStore.over(artifactsOrRefuse("certificate chains"), clock);
  }

  /**
   * The model manifest this ledger keeps for {@code artifact} (named by its {@code custody.manifest}
   * annotation), checked against the digests the artifact names before it is parsed.
   *
   * @throws IllegalStateException if this ledger keeps no manifests (over a store that keeps none)
   * @throws java.nio.file.NoSuchFileException if none is kept for it
   * @throws FormatException if the kept bytes are not the manifest the artifact names
   */
  public ModelManifest manifestOf(ArtifactRef artifact) throws IOException, FormatException {
    return ManifestStore.over(artifactsOrRefuse("model manifests")).get(artifact);
  }

  /**
   * Keeps a base model's OpenSSF model signature ({@code signature}, the publisher's {@code model.sig})
   * and what it was checked with ({@code trust}: the public key, or the root certificates; {@code method}
   * {@code key} or {@code certificate}) durably in this ledger, content-addressed, and returns
   * {@code model} with the annotations that name them. The caller checks the signature first; append the
   * event that names the result after this returns.
   *
   * @throws IllegalStateException if this ledger keeps none (over a store that keeps none), or was opened
   *     read-only
   */
  public ArtifactRef keepPublisherSignature(ArtifactRef model, byte[] signature, byte[] trust, String method)
      throws IOException {
    return OmsSignatureStore.over(artifactsOrRefuse("OpenSSF model signatures")).put(model, signature, trust, method);
  }

  private ArtifactStore artifactsOrRefuse(String what) {
    return artifacts.orElseThrow(() -> new IllegalStateException("this ledger keeps no " + what + " (it is over"
        + " a store that keeps none): open it with Ledger.open"));
  }

  /**
   * Appends {@code event} as the next entry of {@code chain}, signed by {@code signer}, and waits
   * until it is durable.
   *
   * @throws AttestException if signing or storing failed; nothing was recorded then
   */
  public EntryRef append(String chain, Event event, Signer signer) throws AttestException {
    try {
      return appendAsync(chain, event, signer).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttestException("interrupted while waiting for the append to " + chain + " to become durable", e);
    } catch (ExecutionException e) {
      throw asAttestException(chain, Objects.requireNonNull(e.getCause(), "a future that failed carries its cause"));
    }
  }

  /**
   * Signs the entry in the calling thread, queues it and returns without waiting for the disk.
   * The future completes once the entry is durable; entries appended by one thread to one chain
   * keep their order.
   */
  public CompletableFuture<EntryRef> appendAsync(String chain, Event event, Signer signer) {
    EntryPayload.requireChainId(chain);
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(signer, "signer");
    return appendSigned(chain, (seq, prev) -> EntrySigner.signEntry(
        new EntryPayload(chain, seq, prev, signer.keyId(), clock.instant(), event), signer));
  }

  /**
   * Queues the next entry of {@code chain} as the entry {@code maker} signs for the position the
   * store assigns, and returns without waiting for the disk; the future completes once the entry is
   * durable. {@link #appendAsync} is this with a maker that signs in the calling thread; this form is
   * for callers that sign entries ahead on several threads (for the position they expect) and append
   * them in order. The maker is called in the calling thread and, when the position moved (another
   * writer appended to the chain), again for the true one, so it must sign for any position it is
   * given; the store checks that the entry names the position it assigned and is within the size limit
   * (its form is {@link EntrySigner}'s by construction).
   */
  public CompletableFuture<EntryRef> appendSigned(String chain, SignedEntry.Maker maker) {
    EntryPayload.requireChainId(chain);
    Objects.requireNonNull(maker, "maker");
    return store.append(chain, LogStore.RecordMaker.signed(maker))
        .thenApply(a -> new EntryRef(a.chain(), a.sequence(), a.logIndex(), a.hash()));
  }

  /** The clock this ledger dates entries by (the system clock in UTC unless given to {@link #over}). */
  public Clock clock() {
    return clock;
  }

  private static AttestException asAttestException(String chain, Throwable cause) {
    if (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof AttestException a) {
      return a;
    }
    return new AttestException("append to " + chain + " failed: " + cause.getMessage(), cause);
  }

  /** Number of entries in the log. */
  public long size() {
    return store.size();
  }

  /** Every chain's newest entry (its head), sorted by chain id. */
  public List<EntryRef> chains() {
    return store.chains().stream().map(h -> new EntryRef(h.chain(), h.sequence(), h.logIndex(), h.hash())).toList();
  }

  /** The entry at a log index. */
  public LedgerEntry entry(long logIndex) throws IOException, FormatException {
    return entry(logIndex, store.read(logIndex));
  }

  /** Receives entries in log order ({@link #entries(long, long, EntryReceiver)}). */
  @FunctionalInterface
  public interface EntryReceiver {
    void entry(LedgerEntry entry) throws IOException, FormatException;
  }

  /**
   * The entries at log indexes {@code [from, to)} in log order, each handed to {@code receiver} as
   * {@link #entry(long)} reads it, but read from the store many at a time; the first that cannot be
   * read stops it with the error {@link #entry(long)} throws for it.
   */
  public void entries(long from, long to, EntryReceiver receiver) throws IOException, FormatException {
    store.read(from, to, (logIndex, rec) -> receiver.entry(entry(logIndex, rec)));
  }

  /** Receives entry summaries in log order ({@link #summaries}). */
  @FunctionalInterface
  public interface SummaryReceiver {
    void entry(EntryRef ref, EntrySummary summary) throws IOException, FormatException;
  }

  /**
   * What a listing shows of the entries at log indexes {@code [from, to)}, in log order: as
   * {@link #entries(long, long, EntryReceiver)}, but each entry's event is not decoded beyond its kind
   * ({@link EntryRecord#summary}), which makes listing a long log several times faster. Reads only.
   */
  public void summaries(long from, long to, SummaryReceiver receiver) throws IOException, FormatException {
    store.read(from, to, (logIndex, rec) -> {
      EntrySummary s = rec.summary("log index " + logIndex);
      receiver.entry(new EntryRef(s.chain(), s.sequence(), logIndex, rec.hash()), s);
    });
  }

  private static LedgerEntry entry(long logIndex, EntryRecord rec) throws FormatException {
    EntryPayload p = rec.payload("log index " + logIndex);
    return new LedgerEntry(new EntryRef(p.chain(), p.sequence(), logIndex, rec.hash()), rec, p);
  }

  /** The entry {@code chain:sequence}, if it exists. */
  public Optional<LedgerEntry> entry(String chain, long sequence) throws IOException, FormatException {
    long[] idx = store.chainIndexes(chain);
    if (sequence < 0 || sequence >= idx.length) {
      return Optional.empty();
    }
    return Optional.of(entry(idx[(int) sequence]));
  }

  /** The entry with this hash, if it exists. */
  public Optional<LedgerEntry> entry(Digest hash) throws IOException, FormatException {
    OptionalLong i = store.indexOf(hash);
    return i.isEmpty() ? Optional.empty() : Optional.of(entry(i.getAsLong()));
  }

  /** A chain's entries in sequence order (empty if there is no such chain). */
  public List<LedgerEntry> chainEntries(String chain) throws IOException, FormatException {
    List<LedgerEntry> out = new ArrayList<>();
    for (long i : store.chainIndexes(chain)) {
      out.add(entry(i));
    }
    return out;
  }

  /** Repairs made when opening (torn records after a crash), for the caller to report. */
  public List<String> repairs() {
    return store.repairs();
  }

  // ---- transparency

  /**
   * The log's origin, checkpoint settings and checkpoint verifier key, if the ledger has them (a
   * ledger made before checkpoints existed has not).
   */
  public Optional<LogInfo> identity() {
    return store.identity().map(id -> new LogInfo(id.config(), id.verifierKey()));
  }

  /** Signs, stores and returns a checkpoint of the current tree head; see {@link LogStore#signCheckpoint()}. */
  public SignedNote checkpoint() throws IOException, FormatException, AttestException {
    return store.signCheckpoint();
  }

  /**
   * Stores {@code token}, an RFC 3161 timestamp of {@code checkpoint}, durably beside that checkpoint, which
   * this ledger must hold byte for byte (as {@link #checkpoint()} stored it): {@code checkpoints/N.tsr} (and
   * {@code checkpoint.tsr} while it is the newest) in a directory, the row of size N of
   * {@code custody_checkpoint_timestamps} in a database. A size keeps its first timestamp
   * ({@link StoredTimestamp#earlierKept}). The token is not judged here: {@code custody verify --tsa-root}
   * checks it.
   *
   * @throws FormatException if this ledger does not hold exactly {@code checkpoint} for its size (nothing is
   *     stored then)
   * @throws IllegalStateException if this ledger keeps none (over a store that keeps none), or was opened
   *     read-only
   */
  public StoredTimestamp keepCheckpointTimestamp(SignedNote checkpoint, TimestampToken token)
      throws IOException, FormatException {
    return CheckpointTimestamps.store(artifactsOrRefuse("checkpoint timestamps"), checkpoint, token);
  }

  /** The newest stored checkpoint's bytes (unverified), if any. */
  public Optional<byte[]> latestCheckpoint() throws IOException, FormatException {
    return store.latestCheckpoint();
  }

  /** The Merkle root of the first {@code treeSize} entries. */
  public Bytes rootHash(long treeSize) {
    return store.rootHash(treeSize);
  }

  /** See {@link LogStore#inclusionProof}. */
  public InclusionProof inclusionProof(long logIndex, long treeSize) throws IOException, FormatException {
    return store.inclusionProof(logIndex, treeSize);
  }

  /** See {@link LogStore#consistencyProof}. */
  public ConsistencyProof consistencyProof(long size1, long size2) throws FormatException {
    return store.consistencyProof(size1, size2);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
