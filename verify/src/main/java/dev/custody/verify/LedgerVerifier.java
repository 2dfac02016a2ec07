package dev.custody.verify;

import dev.custody.verify.internal.replay.*;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.internal.ledger.RawRecord;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import dev.custody.core.Digest;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import java.security.MessageDigest;
import java.time.Clock;
import dev.custody.core.event.EventType;
import dev.custody.core.manifest.HashProgress;
import dev.custody.verify.ModelCheck;
import dev.custody.verify.lineage.DerivationCheck;
import dev.custody.verify.internal.lineage.LineageCollector;
import dev.custody.verify.lineage.ModelWeights;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.policy.CertificateSource;
import dev.custody.verify.policy.PolicyEvaluator;
import dev.custody.verify.policy.PolicyFinding;
import dev.custody.verify.policy.Revocation;
import dev.custody.verify.policy.Signer;
import dev.custody.verify.policy.TrustPolicy;
import dev.custody.verify.policy.Violation;
import java.time.Instant;
import java.util.Map;

/**
 * Replays a file ledger offline and reports what holds and what does not (DESIGN.md §6). Checks,
 * in order: 1. format — every record parses strictly; 2. authenticity — signed by a trusted key
 * with that key's algorithm, the payload (parsed only after the signature verified) names its
 * signer, and every part of the record is in its one canonical byte form; 3. integrity — per chain,
 * sequence numbers from 0 without gaps, {@code prev} links to the previous entry's hash, no forks, no
 * duplicate records, times that do not run backwards or into the future, approvals and revocations
 * of earlier entries; 4. transparency — the RFC 9162 root of the
 * log, computed while streaming, matches every checkpoint signed by a trusted log key (the ledger's
 * own and the auditor's {@code --checkpoint}), see {@link LogTransparency}. Everything wrong inside the ledger becomes
 * a {@link Finding}; only a directory that is not a ledger at all is an exception.
 *
 * <p>Replay streams the log with bounded memory: records travel in small batches to a pool of
 * threads that run checks 1 and 2 (the signature verification that dominates the cost), and the
 * results are consumed in log order by the sequential integrity checks, so findings come out in
 * log order. Memory held: the batches in flight (bounded by count and bytes), about 400 bytes per
 * chain (its head, sequence ranges and signers), 32 bytes per authentic entry for duplicate
 * detection (in a table at most half full), and at most
 * {@value VerificationReport#MAX_FINDINGS_PER_CODE} findings per code; junk lines cost nothing that
 * stays. What exceeds the heap ends in an {@link OutOfMemoryError}, never in a verdict.
 *
 * <p>Later checks (transparency, lineage, policy, artifacts) plug in as further sequential stages
 * over the same ordered stream.
 *
 * <p>The front door — a ledger judged under a trust policy, with the model on disk checked against
 * the release it is, every finding in one report:
 * <pre>{@code
 * VerificationReport report = LedgerVerifier.builder(TrustPolicy.load(Path.of("policy.yaml")))
 *     .model(Path.of("model/"))
 *     .build()
 *     .verify(Path.of(".custody"));
 * System.out.print(report.toText());
 * }</pre>
 *
 * <p>Immutable and thread-safe: one instance may run any number of {@link #verify} calls at once,
 * each with its own threads and state. What the builder was handed is shared by them: the trust
 * policy and {@link ModelWeights} are thread-safe; an {@link EntryObserver} is called from every
 * verification and must be thread-safe itself if they run at once.
 */
public final class LedgerVerifier {
  /** Records per batch handed to a worker: large enough to amortise hand-over, small enough to balance. */
  static final int BATCH_RECORDS = 256;
  /** Bytes per batch, so batches of large records stay small. */
  static final int BATCH_BYTES = 1 << 20;
  /** Record bytes in flight across all batches; with the 1 MiB record limit this bounds replay memory. */
  static final long MAX_IN_FLIGHT_BYTES = 32L << 20;
  /** Segment file names, as {@link LedgerLayout} writes them. */
  /**
   * How much later than trusted time (the verifier's clock, or a timestamped checkpoint covering it)
   * an entry may be dated before it is {@link FindingCode#TIME_IN_FUTURE}: 5 minutes, for clock drift.
   */
  public static final java.time.Duration FUTURE_ALLOWANCE = TimeCheck.FUTURE_ALLOWANCE;

  private final TrustPolicy policy;
  private final Optional<String> chain;
  private final int parallelism;
  private final List<VerifierKey> logKeys;
  private final Optional<LogTransparency.Source> checkpoint;
  private final List<EntryObserver> observers;
  private final LogTransparency.Requirements requirements;
  private final Clock clock;
  private final Optional<ModelRequest> model;
  private final List<ModelWeights> weights;

  /** The model to re-hash and check against a released manifest, and how to find the release. */
  private record ModelRequest(Path dir, ModelCheck.Target target, HashProgress progress) {}

  private LedgerVerifier(Builder b) {
    this.clock = b.clock;
    this.policy = b.policy;
    this.model = b.model;
    this.weights = List.copyOf(b.weights);
    this.chain = b.chain;
    this.parallelism = b.parallelism;
    this.logKeys = List.copyOf(b.logKeys);
    this.checkpoint = b.checkpoint;
    this.observers = List.copyOf(b.observers);
    this.requirements = new LogTransparency.Requirements(b.witnesses, b.witnessThreshold, b.timestampRoots.isEmpty()
        ? Optional.empty() : Optional.of(dev.custody.core.timestamp.TimestampVerifier.forRoots(b.timestampRoots)));
  }

  /**
   * A builder that checks everything, over all chains, with one thread per available processor,
   * trusting {@code trust} the simple way: every key may sign every kind of event on every chain,
   * and lineage gaps are warnings ({@link TrustPolicy#trustAll}).
   */
  public static Builder builder(TrustedKeys trust) {
    return new Builder(TrustPolicy.trustAll(trust));
  }

  /**
   * A builder that checks everything under a trust policy: who may sign what on which chain and
   * when, certificate identities, revocations, the policy's lineage strictness and its rules.
   */
  public static Builder builder(TrustPolicy policy) {
    return new Builder(policy);
  }

  /**
   * One ledger of a verification of several (an organisation's each), with the trust its entries are
   * judged by (under one policy, give the same to each). The lineage and the rules are judged across
   * all of them with the verifier's own policy.
   *
   * @param dir the ledger directory
   * @param trust resolves and authorises the signers of this ledger's entries
   */
  public record Source(Path dir, TrustPolicy trust, Optional<dev.custody.core.bundle.EvidenceBundle> bundle) {
    public Source {
      Objects.requireNonNull(dir, "dir");
      Objects.requireNonNull(trust, "trust");
      Objects.requireNonNull(bundle, "bundle");
    }

    public Source(Path dir, TrustPolicy trust) {
      this(dir, trust, Optional.empty());
    }

    /**
     * An evidence bundle in place of a ledger directory: its entries are judged as a ledger's are, their
     * transparency by inclusion proofs in its newest checkpoint ({@link BundleTransparency}).
     *
     * @param file the bundle's file, naming it in the report
     */
    public static Source bundle(Path file, dev.custody.core.bundle.EvidenceBundle bundle, TrustPolicy trust) {
      return new Source(file, trust, Optional.of(bundle));
    }
  }

  /** Options of a {@link LedgerVerifier}. None relaxes how evidence is checked. */
  public static final class Builder {
    private final TrustPolicy policy;
    private Optional<ModelRequest> model = Optional.empty();
    private final List<ModelWeights> weights = new ArrayList<>();
    private Optional<String> chain = Optional.empty();
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private final List<VerifierKey> logKeys = new ArrayList<>();
    private Optional<LogTransparency.Source> checkpoint = Optional.empty();
    private final List<EntryObserver> observers = new ArrayList<>();
    private List<VerifierKey> witnesses = List.of();
    private int witnessThreshold;
    private final List<java.security.cert.X509Certificate> timestampRoots = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    private Builder(TrustPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Model weights at hand, to check the lineage's claimed derivations against ({@link DerivationCheck}):
     * a fine-tune, conversion or merge whose model input and output are both at hand is compared now,
     * and a model that is a near-copy of another its lineage does not include is reported. Without
     * any, signed comparisons in the evidence are still judged against the claims they concern.
     */
    public Builder weights(java.util.Collection<ModelWeights> atHand) {
      atHand.forEach(w -> weights.add(Objects.requireNonNull(w, "weights")));
      return this;
    }

    /**
     * Also checks the model at {@code dir} (a directory or one file): it must be the model of an
     * authentic {@code release} in the ledger — the newest whose model digest is the model's own root
     * digest ({@link ModelCheck.Target#releaseOfModel()}) — and match that release's manifest file by
     * file. Its findings are part of the report: no release of the model is an error, so a report
     * asked to check a model is "verified" only if the model was found released and unchanged.
     */
    public Builder model(Path dir) {
      return model(dir, ModelCheck.Target.releaseOfModel(), HashProgress.NONE);
    }

    /**
     * Also re-hashes the model at {@code dir} and checks it, file by file, against the manifest of
     * the release {@code target} selects ({@link ModelCheck}); its findings are part of the report, so
     * a verification asked to check a model cannot report "verified" without having checked it.
     */
    public Builder model(Path dir, ModelCheck.Target target, HashProgress progress) {
      this.model = Optional.of(new ModelRequest(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(target,
          "target"), Objects.requireNonNull(progress, "progress")));
      return this;
    }

    /**
     * Restricts the report to chain {@code chainId}: its findings and summary, plus findings about
     * records whose chain cannot be established (they may belong to it). The whole log is still read.
     *
     * @throws IllegalArgumentException if {@code chainId} is not a valid chain id
     */
    public Builder chain(String chainId) {
      this.chain = Optional.of(EntryPayload.requireChainId(chainId));
      return this;
    }

    /** Threads that verify signatures; default: the available processors. */
    public Builder parallelism(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("parallelism must be between 1 and 1024, got " + threads);
      }
      this.parallelism = threads;
      return this;
    }

    /**
     * Trusts {@code keys} (C2SP note verifier keys, Ed25519) to sign the log's checkpoints. Without
     * any, checkpoints are checked with the ledger's own {@code log/vkey} and a
     * {@link FindingCode#LOG_KEY_UNTRUSTED} warning says so.
     */
    public Builder logKeys(java.util.Collection<VerifierKey> keys) {
      for (VerifierKey k : keys) {
        logKeys.add(java.util.Objects.requireNonNull(k, "key"));
      }
      return this;
    }

    /**
     * A checkpoint the auditor obtained earlier, from elsewhere than the ledger: the ledger must extend
     * it (its first {@code size} entries have its root), else {@link FindingCode#CHECKPOINT_INCONSISTENT}
     * or {@link FindingCode#LEDGER_SHORTER_THAN_CHECKPOINT}. This is what detects truncation and
     * rewriting by whoever holds the ledger files.
     *
     * @param signedNote the checkpoint's exact bytes
     * @param source names it in findings, e.g. its file name
     */
    public Builder checkpoint(byte[] signedNote, String source) {
      this.checkpoint = Optional.of(new LogTransparency.Source(source, signedNote.clone(), true));
      return this;
    }

    /** Also hands every authentic entry, in log order, to {@code observer} (a later check's stage). */
    public Builder observer(EntryObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * {@link #checkpoint(byte[], String)} with the RFC 3161 timestamp response stored beside it
     * ({@code FILE.tsr}), checked when {@link #timestampRoots} are given.
     *
     * @param timestampResponse the exact DER {@code TimeStampResp} bytes
     * @param timestampSource names it in findings
     */
    public Builder checkpoint(byte[] signedNote, String source, byte[] timestampResponse, String timestampSource) {
      this.checkpoint = Optional.of(new LogTransparency.Source(source, signedNote.clone(), true, Optional.of(
          new LogTransparency.Sidecar(Objects.requireNonNull(timestampSource, "timestampSource"),
              timestampResponse.clone()))));
      return this;
    }

    /**
     * Requires the auditor's {@link #checkpoint} to carry valid cosignatures (C2SP tlog-cosignature)
     * by at least {@code threshold} distinct witnesses among {@code keys}, else
     * {@link FindingCode#CHECKPOINT_WITNESSES_MISSING}; a bad cosignature by one of them is
     * {@link FindingCode#CHECKPOINT_SIGNATURE_INVALID} whatever the count. Ed25519 (0x01) witness keys
     * stand for the same key's cosignature/v1 (0x04) key. Requires {@link #checkpoint}: witnesses
     * cosign checkpoints handed around, not the ledger's own files.
     *
     * @throws IllegalArgumentException if {@code threshold} is not in 1..number of distinct witnesses
     */
    public Builder witnesses(java.util.Collection<VerifierKey> keys, int threshold) {
      java.util.Set<VerifierKey> distinct = new java.util.LinkedHashSet<>();
      keys.forEach(k -> distinct.add(Objects.requireNonNull(k, "key").asCosignatureV1()));
      if (threshold < 1 || threshold > distinct.size()) {
        throw new IllegalArgumentException("witness threshold must be between 1 and the number of distinct witness"
            + " keys (" + distinct.size() + "), got " + threshold);
      }
      this.witnesses = List.copyOf(distinct);
      this.witnessThreshold = threshold;
      return this;
    }

    /**
     * Checks the RFC 3161 timestamps stored beside checkpoints ({@code checkpoints/N.tsr}, and the
     * auditor's) against these trusted TSA root certificates (see
     * {@link dev.custody.core.timestamp.TimestampVerifier}); reports each verified time
     * ({@link FindingCode#TIMESTAMP_VERIFIED}) or failure ({@link FindingCode#TIMESTAMP_INVALID}),
     * and warns ({@link FindingCode#TIMESTAMP_MISSING}) when the auditor's checkpoint, or without
     * one the newest stored checkpoint, has none. Without roots, timestamps are not read.
     */
    public Builder timestampRoots(java.util.Collection<java.security.cert.X509Certificate> roots) {
      roots.forEach(r -> timestampRoots.add(Objects.requireNonNull(r, "root")));
      return this;
    }

    /**
     * The clock an entry's date is judged against: an entry dated more than
     * {@link LedgerVerifier#FUTURE_ALLOWANCE} after it (or after the trusted time of a timestamped checkpoint that
     * covers it) is {@link FindingCode#TIME_IN_FUTURE}. Default: the system clock, in UTC. Read once
     * per {@link #verify}.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @throws IllegalStateException if witnesses are required without a {@link #checkpoint} to require them of */
    public LedgerVerifier build() {
      if (!witnesses.isEmpty() && checkpoint.isEmpty()) {
        throw new IllegalStateException("witness cosignatures are required of the auditor's checkpoint: give one"
            + " with checkpoint(...)");
      }
      return new LedgerVerifier(this);
    }
  }

  /**
   * Replays the ledger at {@code ledgerDir} and judges it: every check of the class comment, the
   * lineage of its entries, the trust policy's roles, time rule and rules, and the model if one was
   * given.
   *
   * @throws FormatException if {@code ledgerDir} is not a custody ledger (missing, no marker, unknown format)
   * @throws IOException if a file of the ledger (or of the model) cannot be read, or
   *     ({@link dev.custody.core.internal.ledger.UnsafeFileException}) something inside it is a symbolic link, FIFO or device
   */
  public VerificationReport verify(Path ledgerDir) throws IOException, FormatException {
    Objects.requireNonNull(ledgerDir, "ledgerDir");
    return verifyAll(List.of(new Source(ledgerDir, policy)));
  }

  /**
   * Replays several ledgers — of one organisation or of several — each with its own trust, and
   * judges the lineage across them: a fine-tune in one ledger whose base model another ledger
   * released links to that release's producer. Findings name the ledger they concern. The auditor's
   * checkpoint ({@link Builder#checkpoint}) applies to a single ledger only.
   *
   * @throws IllegalArgumentException if {@code sources} is empty or an auditor's checkpoint was given for several
   */
  public VerificationReport verifyAll(List<Source> sources) throws IOException, FormatException {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no ledger to verify");
    }
    if (checkpoint.isPresent() && sources.stream().anyMatch(s -> s.bundle().isPresent())) {
      throw new IllegalArgumentException("the auditor's checkpoint is checked against a ledger; an evidence bundle"
          + " carries its own checkpoints: verify the bundle without it");
    }
    if (sources.size() > 1 && checkpoint.isPresent()) {
      throw new IllegalArgumentException("the auditor's checkpoint is of one log: verify the ledger it belongs to on"
          + " its own, or verify the ledgers together without it");
    }
    List<String> labels = labels(sources);
    Instant now = clock.instant();
    List<Replayed> replayed = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < sources.size(); i++) {
      replayed.add(replay(sources.get(i), labels.get(i), sources.size() > 1, now));
    }
    return judge(replayed, System.nanoTime() - t0);
  }

  /** What one ledger's replay left for the stages that judge all ledgers together. */
  private record Replayed(Source source, String label, ChainReplay.Result result, List<Step> steps,
      Map<String, Signer> signers, TimeCheck time) {}

  private Replayed replay(Source source, String label, boolean several, Instant now)
      throws IOException, FormatException {
    Path ledgerDir = source.dir();
    Optional<dev.custody.core.bundle.EvidenceBundle> bundle = source.bundle();
    java.util.function.Function<RawRecord, String> where = bundle.isPresent() ? raw -> Untrusted.quote(label)
        + " entries[" + (raw.line() - 1) + "] (log index " + raw.logIndex() + ")"
        : several ? raw -> Untrusted.quote(label) + " " + raw.where() : RawRecord::where;
    // Check 4 (transparency): a ledger's log root (LogTransparency), or a bundle's proofs (BundleTransparency).
    java.util.function.Consumer<byte[]> leaves;
    java.util.NavigableMap<Long, Instant> trustedTimes;
    java.util.function.Supplier<Findings> transparencyFindings;
    if (bundle.isEmpty()) {
      LedgerLayout.requireLedger(ledgerDir);
      // Nothing inside a ledger is a link, FIFO or device: refused before anything is read (UnsafeFileException).
      dev.custody.core.internal.ledger.LedgerFiles.of(ledgerDir).requireOrdinaryTree();
      LogTransparency transparency = new LogTransparency(ledgerDir, logKeys, checkpoint, requirements);
      leaves = transparency::leaf;
      trustedTimes = transparency.trustedTimes();
      transparencyFindings = transparency::finish;
    } else {
      BundleTransparency proofs = new BundleTransparency(label, ledgerDir, bundle.get(), logKeys, requirements, where,
          Optional.of(label));
      leaves = proofs;
      trustedTimes = proofs.trustedTimes();
      transparencyFindings = proofs::finish;
    }
    TimeCheck time = new TimeCheck(now, trustedTimes);
    ChainReplay replay = new ChainReplay(chain, time, several);
    LineageCollector steps = new LineageCollector(label);
    Map<String, Signer> signers = new java.util.HashMap<>();
    List<EntryObserver> stages = new ArrayList<>(observers);
    stages.add(new EntryObserver() {
      @Override
      public void authentic(RecordRef ref, EntryPayload payload) {
        throw new IllegalStateException("the replay hands stages their signer");
      }

      @Override
      public void authentic(RecordRef ref, EntryPayload payload, Signer signer) {
        steps.authentic(ref, signer.keyId(), payload);
        signers.putIfAbsent(signer.keyId(), signer);
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, new WorkerThreads());
    try {
      // One instance for every reference: a step costs one more pointer, not one more object.
      Optional<String> ledger = Optional.of(label);
      RecordCheck check = new RecordCheck(source.trust(), source.trust().resolver(bundle.isEmpty()
          ? CertificateSource.ledger(ledgerDir) : BundleSources.certificates(bundle.get())), where, ledger);
      Pipeline pipeline = new Pipeline(pool, check, replay, leaves, parallelism, stages, where, ledger);
      if (bundle.isPresent()) {
        pipeline.lastSegment = true;
        BundleSources.records(ledgerDir, bundle.get(), pipeline);
      }
      List<Path> segments = bundle.isPresent() ? List.of() : listSegments(ledgerDir, pipeline);
      long index = 0;
      for (int i = 0; i < segments.size(); i++) {
        Path seg = segments.get(i);
        OptionalLong declared = declaredFirstIndex(seg);
        if (declared.isEmpty() || declared.getAsLong() != index) {
          pipeline.layout(Finding.of(FindingCode.SEGMENT_INDEX_MISMATCH, null, seg + ": segment name declares first"
              + " log index " + seg.getFileName().toString().substring(0, 20) + " but " + index + " records come"
              + " before it; records were removed or added before this segment, so log indices (and Merkle"
              + " leaves) no longer match"));
        }
        pipeline.lastSegment = i == segments.size() - 1;
        index = LogReader.readSegment(seg, 0, index, 1, pipeline).nextIndex();
      }
      pipeline.finish();
    } finally {
      pool.shutdownNow();
    }
    replay.trailing(transparencyFindings.get());
    return new Replayed(source, label, replay.finish(), steps.steps(), signers, time);
  }

  /**
   * Checks 5 to 7 of DESIGN.md §6 over every ledger's steps: the lineage, the trust policy's time
   * rule (revocations and validity, with each entry's proven time) and rules (custody transfers
   * included), and the model; then one report.
   */
  private VerificationReport judge(List<Replayed> replayed, long replayNanos) throws IOException, FormatException {
    List<Step> steps = new ArrayList<>();
    Map<String, Signer> signers = new java.util.HashMap<>();
    Map<String, Replayed> byLabel = new java.util.HashMap<>();
    for (Replayed r : replayed) {
      steps.addAll(r.steps());
      r.signers().forEach(signers::putIfAbsent);
      byLabel.put(r.label(), r);
    }
    long t0 = System.nanoTime();
    // Lineage findings are kept in bounded memory; under --chain only that chain's count (as below for the rest).
    LineageGraph graph = LineageGraph.build(steps, policy.lineage(), policy.externalRoots(),
        chain.isEmpty() ? s -> true : s -> s.chain().equals(chain.get()));
    List<Finding> judged = new ArrayList<>();
    long t1 = System.nanoTime();
    for (Replayed r : replayed) {
      for (ChainReplay.UnresolvedSubject u : r.result().unresolvedSubjects()) {
        // A decision about an entry of another ledger given here stands (the graph links it); else unfounded.
        if (graph.step(u.subject()).filter(s -> !s.ledger().equals(r.label())).isEmpty()) {
          judged.add(u.notFound());
        }
      }
    }
    // The rules and the time rule read the graph only: they run side by side (the replay's threads are idle now).
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, new WorkerThreads());
    try {
      CompletableFuture<List<Finding>> time = CompletableFuture.supplyAsync(() -> timeRule(graph, signers, byLabel), pool);
      for (PolicyFinding pf : new PolicyEvaluator(policy).evaluate(new LineageStepView(graph, signers), pool)) {
        Finding f = pf.finding();
        judged.add(new Finding(f.code(), f.severity(), f.entry(), f.message(), pf.rule()));
      }
      judged.addAll(time.join());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    } finally {
      pool.shutdownNow();
    }
    long t2 = System.nanoTime();
    judged.addAll(chain.isEmpty() ? DerivationCheck.check(graph, weights)
        : DerivationCheck.check(graph, weights, graph.steps().stream().filter(s -> s.chain().equals(chain.get()))
            .toList()));
    Map<String, Path> ledgerDirs = new java.util.HashMap<>();
    java.util.Set<String> bundles = new java.util.HashSet<>();
    byLabel.forEach((label, r) -> {
      ledgerDirs.put(label, r.source().dir());
      if (r.source().bundle().isPresent()) {
        bundles.add(label);
      }
    });
    judged.addAll(OmsInputCheck.check(graph, ledgerDirs, bundles, policy));
    if (model.isPresent()) {
      Map<String, Path> dirs = ledgerDirs;
      Map<String, dev.custody.core.internal.ledger.ManifestFiles.Store> manifests = new java.util.HashMap<>();
      byLabel.forEach((label, r) -> {
        manifests.put(label, r.source().bundle().map(b -> BundleSources.manifests(r.source().dir(), b))
            .orElseGet(() -> dev.custody.core.internal.ledger.ManifestFiles.store(r.source().dir())));
      });
      ModelRequest m = model.get();
      judged.addAll(ModelCheck.check(graph, dirs, manifests, m.target(), m.dir(), m.progress()));
    }

    Findings all = new Findings();
    long entries = 0;
    List<ChainSummary> chains = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Replayed r : replayed) {
      all.addAll(replayed.size() > 1 ? r.result().findings().namingLedger(r.label()) : r.result().findings());
      entries += r.result().entries();
      r.result().chains().forEach(c -> chains.add(c.inLedger(r.label())));
      dirs.add(r.source().dir());
      labels.add(r.label());
    }
    all.addAll(Findings.of(graph.findings(), graph.omitted(), graph.omittedBySeverity()));
    for (Finding f : judged) {
      if (chain.isEmpty() || f.entry().flatMap(RecordRef::chain).map(chain.get()::equals).orElse(true)) {
        all.add(f);
      }
    }
    VerificationReport.Timings timings = new VerificationReport.Timings(java.time.Duration.ofNanos(replayNanos),
        java.time.Duration.ofNanos(t1 - t0), java.time.Duration.ofNanos(t2 - t1),
        java.time.Duration.ofNanos(System.nanoTime() - t2));
    return new VerificationReport(dirs, labels, entries, chains, all, Optional.of(graph), signers, timings);
  }

  /**
   * The trust policy's time rule for every step ({@link dev.custody.verify.policy.TimeRule}): its
   * claimed time and its proven time against its signer's validity and every revocation that covers
   * it — the policy's, and those of authorised {@code revocation} entries ({@link #REVOKES}).
   */
  private List<Finding> timeRule(LineageGraph graph, Map<String, Signer> signers, Map<String, Replayed> byLabel) {
    List<Finding> out = new ArrayList<>();
    List<Revocation> fromLedgers = new ArrayList<>();
    for (Step s : graph.steps()) {
      if (s.kind().equals(EventType.REVOCATION)) {
        ledgerRevocation(s, signers, replayedOf(byLabel, s).source().trust(), out).ifPresent(fromLedgers::add);
      }
    }
    // Only signers with a validity window, a certificate or a revocation can violate the rule: decide per
    // key once, not per entry.
    Map<String, Boolean> bounded = new java.util.HashMap<>();
    for (Step s : graph.steps()) {
      Signer signer = signerOf(signers, s);
      Replayed r = replayedOf(byLabel, s);
      if (!bounded.computeIfAbsent(s.keyId() + " " + s.ledger(), k -> r.source().trust().isTimeBounded(signer)
          || fromLedgers.stream().anyMatch(x -> x.covers(signer)))) {
        continue;
      }
      for (Violation v : r.source().trust().checkTime(signer, s.time(), r.time().proven(s.ref().logIndex()),
          fromLedgers)) {
        out.add(v.toFinding(s.ref()));
      }
    }
    return out;
  }

  /** The ledger {@code s} is in: every step comes from a replayed ledger, labelled as the step says. */
  private static Replayed replayedOf(Map<String, Replayed> byLabel, Step s) {
    return Objects.requireNonNull(byLabel.get(s.ledger()), "a step of a ledger that was not replayed");
  }

  /** The signer of {@code s}: the replay records the signer of every authentic entry, of which steps are made. */
  private static Signer signerOf(Map<String, Signer> signers, Step s) {
    return Objects.requireNonNull(signers.get(s.keyId()), "a step whose signer the replay did not record");
  }

  /**
   * Parameter of a {@code revocation} entry naming a key or identity it revokes, as
   * {@code key:<key id>} or {@code identity:<name>}; from {@link #REVOKED_AT} (RFC 3339), or else
   * from the entry's own time. Without it, a revocation revokes only its subject entry (a release).
   */
  public static final String REVOKES = "custody.revokes";
  /** Parameter of a {@code revocation} entry: from when the key or identity of {@link #REVOKES} is revoked. */
  public static final String REVOKED_AT = "custody.revokedAt";

  /**
   * The revocation a {@code revocation} entry states through {@link #REVOKES}, if its signer may state
   * it: allowed kind {@code revocation} on its chain and, under a policy, of the organisation of what it
   * revokes — an identity, or a key (the identity the key resolved to, wherever it signed): one
   * organisation cannot revoke another's signers, by name or by key id.
   *
   * @param signers the resolved signer of every key id that signed an authentic entry
   */
  private static Optional<Revocation> ledgerRevocation(Step s, Map<String, Signer> signers, TrustPolicy trust,
      List<Finding> out) {
    String what = s.event().parameters().get(REVOKES);
    if (what == null) {
      return Optional.empty();
    }
    String reason = s.event().details() instanceof dev.custody.core.event.EventDetails.Decision d
        ? d.reason().orElse(null) : null;
    Instant at = s.time();
    String atText = s.event().parameters().get(REVOKED_AT);
    if (atText != null) {
      try {
        at = dev.custody.core.entry.EntryCodec.time(atText, s.position() + " " + REVOKED_AT);
      } catch (FormatException e) {
        out.add(Finding.of(FindingCode.RULE_VIOLATION, s.ref(), "revocation " + s.position() + ": " + e.getMessage()
            + "; it revokes nothing"));
        return Optional.empty();
      }
    }
    String source = "revocation entry " + s.position();
    Revocation r;
    Optional<dev.custody.verify.policy.Identity> target = Optional.empty();
    try {
      if (what.startsWith("key:")) {
        r = Revocation.ofKey(what.substring(4), at, Optional.ofNullable(reason), source);
        target = Optional.ofNullable(signers.get(what.substring(4))).flatMap(Signer::identity);
      } else if (what.startsWith("identity:")) {
        r = Revocation.ofIdentity(what.substring(9), at, Optional.ofNullable(reason), source);
        target = trust.identity(what.substring(9));
      } else {
        throw new IllegalArgumentException("expected key:<key id> or identity:<name>, got " + Untrusted.quote(what));
      }
    } catch (IllegalArgumentException e) {
      out.add(Finding.of(FindingCode.RULE_VIOLATION, s.ref(), "revocation " + s.position() + " names what it revokes"
          + " (" + REVOKES + ") wrongly: " + e.getMessage() + "; it revokes nothing"));
      return Optional.empty();
    }
    Optional<Violation> denied = trust.authorizeRevocation(signerOf(signers, s), s.chain(), target);
    if (denied.isPresent()) {
      out.add(denied.get().toFinding(s.ref()));
      return Optional.empty();
    }
    return Optional.of(r);
  }

  /** Labels naming the ledgers in findings: their directory names, made distinct. */
  private static List<String> labels(List<Source> sources) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> used = new java.util.HashSet<>();
    for (Source s : sources) {
      Path name = s.dir().toAbsolutePath().normalize().getFileName();
      String base = name == null ? s.dir().toString() : name.toString();
      String label = base;
      for (int n = 2; !used.add(label); n++) {
        label = base + "#" + n;
      }
      out.add(label);
    }
    return out;
  }

  /**
   * The segment files in log order; stray files in {@code segments/} become findings. Of a directory
   * holding millions of stray files only the first {@link VerificationReport#MAX_FINDINGS_PER_CODE}
   * names (in order) are kept; the rest are counted.
   */
  private static List<Path> listSegments(Path dir, Pipeline pipeline) throws IOException {
    Path segDir = dir.resolve(LedgerLayout.SEGMENTS);
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(segDir)) {
      return out;
    }
    java.util.TreeSet<Path> stray = new java.util.TreeSet<>();
    long strayCount = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(segDir)) {
      for (Path p : ds) {
        if (LedgerLayout.isSegmentName(p.getFileName().toString()) && Files.isRegularFile(p)) {
          out.add(p);
        } else {
          strayCount++;
          stray.add(p);
          if (stray.size() > VerificationReport.MAX_FINDINGS_PER_CODE) {
            stray.pollLast();
          }
        }
      }
    }
    for (Path p : stray) {
      pipeline.layout(strayFinding(Untrusted.quote(p.toString())));
    }
    Finding more = strayFinding("one more file");
    for (long i = stray.size(); i < strayCount; i++) {
      pipeline.layout(more); // counted in the report's "and N more", not kept
    }
    out.sort(null);
    return out;
  }

  private static Finding strayFinding(String what) {
    return Finding.of(FindingCode.SEGMENT_UNEXPECTED_FILE, null, what + ": unexpected file in the segments directory"
        + " (segment files are named <20-digit first log index>.jsonl); it was not read. If it holds entries, the log"
        + " is incomplete; otherwise move it out of the ledger");
  }

  private static OptionalLong declaredFirstIndex(Path segment) {
    try {
      return OptionalLong.of(LedgerLayout.firstIndexOf(segment));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // 20 digits can exceed a long
    }
  }

  /**
   * Hands records in batches to the pool and feeds the results, in log order, to the sequential
   * checks. Runs on the calling thread; only the batch tasks run on the pool.
   */
  private static final class Pipeline implements LogReader.Visitor {
    /** A checked batch: per record, its check result and its Merkle leaf hash (null if unread). */
    private record Checked(List<CheckedRecord> records, byte[][] leaves) {}

    private record InFlight(Future<Checked> result, long bytes, List<Finding> layoutAfter) {}

    private final ExecutorService pool;
    private final RecordCheck check;
    private final ChainReplay replay;
    private final java.util.function.Consumer<byte[]> leaves;
    private final int maxBatchesInFlight;
    private final List<EntryObserver> observers;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long bytesInFlight;
    private List<RawRecord> batch = new ArrayList<>(BATCH_RECORDS);
    private long batchBytes;
    boolean lastSegment;

    private final java.util.function.Function<RawRecord, String> where;
    private final Optional<String> ledger;

    Pipeline(ExecutorService pool, RecordCheck check, ChainReplay replay, java.util.function.Consumer<byte[]> leaves,
        int parallelism, List<EntryObserver> observers, java.util.function.Function<RawRecord, String> where,
        Optional<String> ledger) {
      this.where = where;
      this.ledger = ledger;
      this.pool = pool;
      this.observers = observers;
      this.check = check;
      this.replay = replay;
      this.leaves = leaves;
      this.maxBatchesInFlight = 4 * parallelism;
    }

    @Override
    public void record(RawRecord raw) throws IOException {
      if (!raw.terminated()) {
        RecordRef ref = new RecordRef(raw.logIndex(), where.apply(raw), Optional.empty(), OptionalLong.empty(),
            Optional.empty(), ledger);
        layout(lastSegment
            ? Finding.of(FindingCode.TORN_TAIL, ref, "the last line has no newline: a write"
                + " torn by a crash, never acknowledged; it was not checked. Opening the ledger for writing"
                + " repairs it")
            : Finding.of(FindingCode.RECORD_UNTERMINATED, ref, "line has no newline but more"
                + " segments follow; the segment was truncated or altered"));
        return;
      }
      batch.add(raw);
      batchBytes += (raw.bytes() == null ? 0 : raw.bytes().length) + 64L;
      if (batch.size() >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) {
        submit(List.of());
      }
    }

    /** A layout finding, placed in log order after the records read so far. */
    void layout(Finding f) throws IOException {
      submit(List.of(f));
    }

    private void submit(List<Finding> layoutAfter) throws IOException {
      List<RawRecord> work = batch;
      long bytes = batchBytes;
      batch = new ArrayList<>(BATCH_RECORDS);
      batchBytes = 0;
      Future<Checked> result = work.isEmpty()
          ? CompletableFuture.completedFuture(new Checked(List.of(), new byte[0][]))
          : pool.submit(() -> checkAll(work));
      inFlight.add(new InFlight(result, bytes, layoutAfter));
      bytesInFlight += bytes;
      while (inFlight.size() > maxBatchesInFlight || bytesInFlight > MAX_IN_FLIGHT_BYTES) {
        drainOne();
      }
    }

    private Checked checkAll(List<RawRecord> work) {
      List<CheckedRecord> out = new ArrayList<>(work.size());
      byte[][] leaves = new byte[work.size()][];
      MessageDigest sha = Digest.newSha256();
      for (int i = 0; i < work.size(); i++) {
        RawRecord r = work.get(i);
        out.add(check.check(r));
        if (r.bytes() != null) {
          // RFC 9162 leaf over the exact record bytes, valid or not: the log commits to what is stored.
          sha.update(MerkleHash.LEAF_PREFIX);
          leaves[i] = sha.digest(r.bytes());
        }
      }
      return new Checked(out, leaves);
    }

    private void drainOne() throws IOException {
      InFlight f = inFlight.poll();
      Checked results;
      try {
        results = f.result().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("ledger verification interrupted");
      } catch (ExecutionException e) {
        // RecordCheck turns every problem with a record into a finding; what reaches here is a bug
        // or an Error (e.g. out of memory), which must not pass as a verdict.
        Throwable cause = e.getCause();
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("record check failed unexpectedly", cause);
      }
      bytesInFlight -= f.bytes();
      for (int i = 0; i < results.records().size(); i++) {
        leaves.accept(results.leaves()[i]);
        CheckedRecord r = results.records().get(i);
        replay.accept(r);
        if (r.authentic()) {
          for (EntryObserver o : observers) {
            o.authentic(r.ref(), r.payload().get(), r.signer().get());
          }
        }
      }
      f.layoutAfter().forEach(replay::layout);
    }

    void finish() throws IOException {
      submit(List.of());
      while (!inFlight.isEmpty()) {
        drainOne();
      }
    }
  }

  /** Daemon worker threads, so an abandoned verification never keeps a JVM alive. */
  private static final class WorkerThreads implements ThreadFactory {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final int pool = POOLS.incrementAndGet();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "custody-verify-" + pool + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  @Override
  public String toString() {
    return "LedgerVerifier{" + policy + ", chain=" + chain.orElse("(all)") + ", parallelism="
        + parallelism + "}";
  }
}
