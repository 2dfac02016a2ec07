package dev.custody.verify.lineage;

import com.google.common.graph.Graphs;
import com.google.common.graph.ImmutableNetwork;
import com.google.common.graph.MutableNetwork;
import com.google.common.graph.Network;
import com.google.common.graph.NetworkBuilder;
import com.google.common.graph.Traverser;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The lineage of everything the evidence records (DESIGN.md §6 check 5): a directed graph whose
 * nodes are {@link Step}s (authentic entries, from one or several ledgers) and whose edges are
 * {@link Link}s from the step that produced an artifact to every later step that uses it, and
 * from an entry to the approvals and revocations of it.
 *
 * <p><b>Which steps produce.</b> The outputs of {@code dataset-ingest}, {@code training},
 * {@code fine-tune}, {@code conversion}, {@code merge} and custom kinds are products. Every other
 * kind ({@code release}, {@code evaluation}, {@code custody-transfer}, {@code approval},
 * {@code revocation}, {@code annotation}, {@code comparison}) produces nothing: its outputs as well as
 * its inputs name artifacts that must come from somewhere — a release's output is what it releases.
 * The inputs of a {@code dataset-ingest} are external by nature (the raw source) and are not linked.
 * A {@code comparison} is analysis, not a lifecycle step: its inputs are linked to their producers
 * when there are any (so the picture shows what was compared), but an input nobody produced is
 * neither a root nor a gap — comparing the lineage's model with a model found elsewhere is what
 * comparisons are for.
 *
 * <p><b>Which producer.</b> Within one ledger, an artifact links to producers earlier in log order
 * (a step cannot use what did not exist yet); across ledgers to any producer, since log orders of
 * different ledgers are not comparable — and a producer whose claimed time is after its
 * consumer's is a {@link FindingCode#LINEAGE_TIME_REVERSED} warning. A digest produced by steps of
 * two different chains links to both and is a {@link FindingCode#DIGEST_CLAIMED_TWICE} finding.
 *
 * <p><b>Roots.</b> An artifact no step produced is a {@link RootUse}: accepted when the verifier's
 * trust policy declares it an {@link ExternalRoot} (of that artifact kind); otherwise, for the kinds that must be
 * backed (models and datasets by default), {@link FindingCode#LINEAGE_INPUT_UNPROVEN} — or
 * {@link FindingCode#RELEASE_UNPRODUCED} for what a release releases and
 * {@link FindingCode#EVALUATION_UNPRODUCED} for a model an evaluation evaluates — at the severity
 * the {@link LineageSettings} give (or not at all when that check is off).
 *
 * <p><b>Findings in bounded memory.</b> Of each finding code the graph keeps the first
 * {@link VerificationReport#MAX_FINDINGS_PER_CODE} in evidence order, about the steps the caller asks
 * findings of (all, or one chain's: {@code verify --chain} asks before the cap, so a chain's own
 * findings are never crowded out by other chains'), and only counts the rest ({@link #omitted()},
 * {@link #omittedBySeverity()}): a ledger with millions of identical gaps costs a few hundred kept
 * findings, and the message of a finding that is not kept is never built. Those are exactly the findings
 * a {@link VerificationReport} would keep of the whole list.
 *
 * <p>Immutable and thread-safe once built. Memory: the steps (events without their environment)
 * and one map entry per produced digest and per entry hash.
 */
public final class LineageGraph {
  /** Kinds whose outputs are not products: they refer to artifacts made elsewhere. */
  private static final Set<EventType> NON_PRODUCING = Set.of(EventType.RELEASE, EventType.EVALUATION,
      EventType.CUSTODY_TRANSFER, EventType.APPROVAL, EventType.REVOCATION, EventType.ANNOTATION,
      EventType.COMPARISON);
  /** Longest cycle spelled out in a finding; longer ones are cut. */
  private static final int MAX_CYCLE_SHOWN = 12;

  private final ImmutableNetwork<Step, Link> network;
  /** The nodes in evidence order, sorted once: most stages walk every step. */
  private final List<Step> steps;
  private final Map<Digest, List<Step>> producers;
  private final Map<Digest, List<Step>> releases;
  private final Map<Digest, Step> byHash;
  private final Map<Step, List<RootUse>> roots;
  private final List<Finding> findings;
  private final Map<FindingCode, Long> omitted;
  private final Map<Severity, Long> omittedBySeverity;
  private final boolean severalLedgers;

  private LineageGraph(ImmutableNetwork<Step, Link> network, List<Step> steps, Map<Digest, List<Step>> producers,
      Map<Digest, List<Step>> releases, Map<Digest, Step> byHash, Map<Step, List<RootUse>> roots,
      Kept kept, boolean severalLedgers) {
    this.network = network;
    this.steps = List.copyOf(steps);
    this.producers = producers;
    this.releases = releases;
    this.byHash = byHash;
    this.roots = roots;
    this.findings = kept.findings();
    this.omitted = Collections.unmodifiableMap(new EnumMap<>(kept.omitted));
    this.omittedBySeverity = Collections.unmodifiableMap(new EnumMap<>(kept.omittedBySeverity));
    this.severalLedgers = severalLedgers;
  }

  /** Whether steps of {@code kind} produce their outputs. */
  public static boolean produces(EventType kind) {
    return !NON_PRODUCING.contains(kind);
  }

  /**
   * Builds the graph of {@code steps} and judges it.
   *
   * @param steps authentic entries of one or more ledgers, in any order (ordered here by ledger
   *     label, then log index); a step given twice counts once
   * @param settings how strictly to judge gaps
   * @param roots the external roots the verifier's policy accepts
   */
  public static LineageGraph build(Collection<Step> steps, LineageSettings settings, Collection<ExternalRoot> roots) {
    return build(steps, settings, roots, s -> true);
  }

  /**
   * Builds the graph of {@code steps} and judges it, keeping and counting only the findings about the
   * steps {@code concerning} accepts (e.g. those of one chain); the graph itself holds every step.
   *
   * @see #build(Collection, LineageSettings, Collection)
   */
  public static LineageGraph build(Collection<Step> steps, LineageSettings settings, Collection<ExternalRoot> roots,
      Predicate<Step> concerning) {
    return build(steps, settings, roots, concerning, VerificationReport.MAX_FINDINGS_PER_CODE);
  }

  /** As {@link #build(Collection, LineageSettings, Collection, Predicate)}, keeping {@code cap} findings per code. */
  static LineageGraph build(Collection<Step> steps, LineageSettings settings, Collection<ExternalRoot> roots,
      Predicate<Step> concerning, int cap) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(concerning, "concerning");
    List<Step> ordered = new ArrayList<>(new LinkedHashSet<>(steps));
    ordered.sort(ORDER);
    boolean several = ordered.stream().map(Step::ledger).distinct().count() > 1;
    Builder b = new Builder(settings, roots, several, new Kept(concerning, cap));
    ordered.forEach(b::index);
    ordered.forEach(b::link);
    b.claimedTwice();
    b.cycles();
    return new LineageGraph(ImmutableNetwork.copyOf(b.network), ordered, b.producers, b.releases, b.byHash, b.roots,
        b.kept, several);
  }

  /** Steps in evidence order: by ledger label, then log index. */
  public static final Comparator<Step> ORDER =
      Comparator.comparing(Step::ledger).thenComparingLong(s -> s.ref().logIndex());

  /** The graph itself: steps as nodes, links as edges (from earlier to later). */
  public Network<Step, Link> network() {
    return network;
  }

  /** Every step, in evidence order. */
  public List<Step> steps() {
    return steps;
  }

  /**
   * Every step, each ledger's in its log order, and across ledgers each producer (and each subject of
   * a decision) before the steps that depend on it where the ledgers' log orders allow; otherwise in
   * evidence order. This is the order in which "earlier" is judged by the policy's rules: within a
   * ledger the log decides (whatever the other ledgers' directories are called), across ledgers the
   * lineage. When two ledgers' steps wait on each other (a cycle through the logs, or a
   * {@link FindingCode#LINEAGE_CYCLE}), the first waiting step in evidence order goes next.
   */
  public List<Step> dependencyOrder() {
    if (!severalLedgers) {
      return steps(); // within a ledger every link runs from an earlier log index to a later one
    }
    // Each ledger's steps in log order; a step may go once its ledger's previous step went and every
    // step it depends on in another ledger went (those in its own ledger precede it in the log).
    // O(n log L) for n steps in L ledgers: only the ledgers' next steps (heads) are ever compared.
    Map<String, Deque<Step>> byLedger = new HashMap<>();
    for (Step s : steps()) {
      byLedger.computeIfAbsent(s.ledger(), l -> new ArrayDeque<>()).add(s);
    }
    Map<Step, Integer> waitingOn = new HashMap<>();
    for (Step s : network.nodes()) {
      int foreign = 0;
      for (Step p : network.predecessors(s)) {
        if (!p.ledger().equals(s.ledger())) {
          foreign++;
        }
      }
      waitingOn.put(s, foreign);
    }
    // heads: each ledger's next step; ready: the heads that wait on nothing. Emitted steps are dropped
    // lazily from both queues (a head emitted from ready is still in heads until it reaches the top).
    java.util.PriorityQueue<Step> heads = new java.util.PriorityQueue<>(ORDER);
    java.util.PriorityQueue<Step> ready = new java.util.PriorityQueue<>(ORDER);
    Set<Step> isHead = new HashSet<>();
    Set<Step> emitted = new HashSet<>();
    java.util.function.Consumer<Step> becomeHead = h -> {
      heads.add(h);
      isHead.add(h);
      if (Objects.requireNonNull(waitingOn.get(h), "every step is a node of the network, counted above") == 0) {
        ready.add(h);
      }
    };
    byLedger.values().forEach(q -> becomeHead.accept(q.peekFirst()));
    List<Step> out = new ArrayList<>(network.nodes().size());
    while (out.size() < network.nodes().size()) {
      while (!heads.isEmpty() && emitted.contains(heads.peek())) {
        heads.poll();
      }
      // The ledgers' heads may all wait on each other (a cycle through the logs): then the first goes.
      Step next = ready.isEmpty() ? heads.poll() : ready.poll();
      emitted.add(next);
      isHead.remove(next);
      out.add(next);
      for (Step succ : network.successors(next)) {
        if (!succ.ledger().equals(next.ledger()) && waitingOn.merge(succ, -1, Integer::sum) == 0
            && isHead.contains(succ)) {
          ready.add(succ);
        }
      }
      Deque<Step> q = Objects.requireNonNull(byLedger.get(next.ledger()), "every step's ledger has its queue");
      q.removeFirst();
      if (!q.isEmpty()) {
        becomeHead.accept(q.peekFirst());
      }
    }
    return out;
  }

  /**
   * The lineage findings kept, in evidence order: of each code the first
   * {@link VerificationReport#MAX_FINDINGS_PER_CODE} about the steps findings were asked of.
   */
  public List<Finding> findings() {
    return findings;
  }

  /** Per code, how many findings beyond those kept were counted but not kept (codes with none are absent). */
  public Map<FindingCode, Long> omitted() {
    return omitted;
  }

  /** Per severity, how many findings were counted but not kept (severities with none are absent). */
  public Map<Severity, Long> omittedBySeverity() {
    return omittedBySeverity;
  }

  /** Steps whose products include {@code digest}, in evidence order. */
  public List<Step> producersOf(Digest digest) {
    return producers.getOrDefault(digest, List.of());
  }

  /** {@code release} steps that release {@code digest} (name it as an output), in evidence order. */
  public List<Step> releasesOf(Digest digest) {
    return releases.getOrDefault(digest, List.of());
  }

  /** The step of the entry with hash {@code entryHash}, if the evidence holds it. */
  public Optional<Step> step(Digest entryHash) {
    return Optional.ofNullable(byHash.get(entryHash));
  }

  /** Artifacts {@code step} uses that no step produced (declared roots and unproven ones). */
  public List<RootUse> rootsOf(Step step) {
    return roots.getOrDefault(step, List.of());
  }

  /**
   * Every step {@code step} depends on, transitively (its producers, their producers, the entries
   * it approves…), nearest first; {@code step} itself is not included.
   */
  public List<Step> ancestors(Step step) {
    requireNode(step);
    List<Step> out = new ArrayList<>();
    for (Step s : Traverser.<Step>forGraph(network::predecessors).breadthFirst(step)) {
      if (!s.equals(step)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Evidence order of the links into one step: by the step they come from, then by names and digest. */
  private static final Comparator<Link> LINK_ORDER = Comparator.comparing(Link::from, ORDER)
      .thenComparing(Link::type).thenComparing(Link::fromName).thenComparing(Link::toName)
      .thenComparing(l -> l.digest().toString());

  /**
   * The links into {@code step} (what it uses, and what it judges), in evidence order: reports list them
   * so, whatever order the graph happens to hold them in.
   */
  public List<Link> linksInto(Step step) {
    requireNode(step);
    return network.inEdges(step).stream().sorted(LINK_ORDER).toList();
  }

  /**
   * The steps that judge {@code step} rather than build on it: evaluations of what it produced, and
   * approvals and revocations of its entry; in evidence order.
   */
  public List<Step> referrers(Step step) {
    requireNode(step);
    return network.outEdges(step).stream()
        .filter(l -> l.to().kind().equals(EventType.EVALUATION) || l.type() == Link.Type.SUBJECT)
        .map(Link::to).distinct().sorted(ORDER).toList();
  }

  /**
   * Everything a question about {@code step}'s lineage concerns: the step, its ancestors, and the
   * steps that judge any of them ({@link #referrers}), in evidence order.
   */
  public List<Step> lineageOf(Step step) {
    java.util.Set<Step> in = new LinkedHashSet<>();
    in.add(step);
    in.addAll(ancestors(step));
    for (Step s : List.copyOf(in)) {
      in.addAll(referrers(s));
    }
    return in.stream().sorted(ORDER).toList();
  }

  /**
   * The roots of {@code step}'s lineage: every artifact that {@code step} or one of its ancestors
   * uses without a producer (datasets ingested, base models from publishers, unproven inputs),
   * plus the ancestors that depend on nothing (e.g. a {@code dataset-ingest}).
   */
  public List<RootUse> lineageRoots(Step step) {
    List<RootUse> out = new ArrayList<>(rootsOf(step));
    for (Step s : ancestors(step)) {
      out.addAll(rootsOf(s));
    }
    return out;
  }

  /** Whether the steps come from more than one ledger (messages then name the ledger). */
  public boolean severalLedgers() {
    return severalLedgers;
  }

  private void requireNode(Step step) {
    if (!network.nodes().contains(Objects.requireNonNull(step, "step"))) {
      throw new IllegalArgumentException(step + " is not a step of this lineage");
    }
  }

  @Override
  public String toString() {
    return "LineageGraph{" + network.nodes().size() + " steps, " + network.edges().size() + " links, "
        + findings.size() + " findings, " + omitted.values().stream().mapToLong(Long::longValue).sum() + " omitted}";
  }

  /** A finding with the step it concerns and its position among that step's findings, for sorting. */
  private record Ordered(Step step, long seq, Finding finding) {}

  /** Evidence order of findings: by step, then in the order the checks found them. */
  private static final Comparator<Ordered> FINDING_ORDER =
      Comparator.comparing((Ordered o) -> o.step, ORDER).thenComparingLong(o -> o.seq);

  /**
   * The findings kept while the graph is built: per code, the first {@code cap} in evidence order (a
   * heap whose head is the latest kept, evicted when an earlier one arrives — the checks do not all
   * find in evidence order); the rest counted. Not thread-safe.
   */
  private static final class Kept {
    final Predicate<Step> concerning;
    final int cap;
    final EnumMap<FindingCode, PriorityQueue<Ordered>> byCode = new EnumMap<>(FindingCode.class);
    final EnumMap<FindingCode, Long> omitted = new EnumMap<>(FindingCode.class);
    final EnumMap<Severity, Long> omittedBySeverity = new EnumMap<>(Severity.class);
    long seq;

    Kept(Predicate<Step> concerning, int cap) {
      if (cap < 0) {
        throw new IllegalArgumentException("cap " + cap + " < 0");
      }
      this.concerning = concerning;
      this.cap = cap;
    }

    /** Keeps or counts a finding about {@code s}; builds its message only if it is kept. */
    void add(Step s, FindingCode code, Severity severity, Supplier<String> message) {
      long n = seq++;
      if (!concerning.test(s)) {
        return;
      }
      PriorityQueue<Ordered> q = byCode.computeIfAbsent(code, c -> new PriorityQueue<>(FINDING_ORDER.reversed()));
      if (q.size() >= cap) {
        Ordered latest = q.peek();
        if (latest == null || ORDER.compare(s, latest.step) > 0
            || (ORDER.compare(s, latest.step) == 0 && n > latest.seq)) {
          omit(code, severity);
          return;
        }
        q.poll();
        omit(code, latest.finding.severity());
      }
      q.add(new Ordered(s, n, new Finding(code, severity, Optional.of(s.ref()), message.get())));
    }

    private void omit(FindingCode code, Severity severity) {
      omitted.merge(code, 1L, Long::sum);
      omittedBySeverity.merge(severity, 1L, Long::sum);
    }

    /** The kept findings in evidence order. */
    List<Finding> findings() {
      List<Ordered> all = new ArrayList<>();
      byCode.values().forEach(all::addAll);
      all.sort(FINDING_ORDER);
      return all.stream().map(Ordered::finding).toList();
    }
  }

  private static final class Builder {
    final LineageSettings settings;
    final Map<Digest, ExternalRoot> externalRoots = new HashMap<>();
    final boolean several;
    final MutableNetwork<Step, Link> network =
        NetworkBuilder.directed().allowsParallelEdges(true).allowsSelfLoops(false).build();
    final Map<Digest, List<Step>> producers = new HashMap<>();
    final Map<Digest, List<Step>> releases = new HashMap<>();
    final Map<Digest, Step> byHash = new HashMap<>();
    final Map<Step, List<RootUse>> roots = new LinkedHashMap<>();
    final Kept kept;

    Builder(LineageSettings settings, Collection<ExternalRoot> roots, boolean several, Kept kept) {
      this.settings = settings;
      roots.forEach(r -> externalRoots.put(r.digest(), r));
      this.several = several;
      this.kept = kept;
    }

    void index(Step s) {
      network.addNode(s);
      byHash.putIfAbsent(s.hash(), s);
      if (produces(s.kind())) {
        Set<Digest> seen = new HashSet<>();
        for (ArtifactRef out : s.event().outputs()) {
          if (seen.add(out.digest())) {
            producers.computeIfAbsent(out.digest(), d -> new ArrayList<>(1)).add(s);
          }
        }
      } else if (s.kind().equals(EventType.RELEASE)) {
        for (ArtifactRef out : s.event().outputs()) {
          releases.computeIfAbsent(out.digest(), d -> new ArrayList<>(1)).add(s);
        }
      }
    }

    void link(Step c) {
      if (!c.kind().equals(EventType.DATASET_INGEST)) {
        for (ArtifactRef in : c.event().inputs()) {
          use(c, in, false);
        }
      }
      if (!produces(c.kind())) {
        for (ArtifactRef out : c.event().outputs()) {
          use(c, out, c.kind().equals(EventType.RELEASE));
        }
      }
      if (c.event().details() instanceof EventDetails.Decision d) {
        Step subject = byHash.get(d.subject());
        if (subject != null && before(subject, c)) {
          network.addEdge(subject, c, new Link(subject, c, Link.Type.SUBJECT, d.subject(), ArtifactKind.OTHER, "", ""));
        }
        // A subject that is unknown or later is the replay's SUBJECT_NOT_FOUND, within one ledger.
      }
    }

    /** Links {@code c}'s use of {@code a} to its producers, or records a root. */
    private void use(Step c, ArtifactRef a, boolean released) {
      List<Step> linked = new ArrayList<>(1);
      Step later = null;
      for (Step p : producers.getOrDefault(a.digest(), List.of())) {
        if (p.equals(c)) {
          continue;
        }
        if (before(p, c)) {
          linked.add(p);
        } else if (later == null) {
          later = p;
        }
      }
      for (Step p : linked) {
        network.addEdge(p, c, new Link(p, c, Link.Type.ARTIFACT, a.digest(), a.kind(), outputName(p, a.digest()),
            a.name()));
        Optional<Severity> reversed = settings.severity(LineageSettings.Check.TIME_REVERSED);
        if (!p.ledger().equals(c.ledger()) && p.time().isAfter(c.time()) && reversed.isPresent()) {
          kept.add(c, FindingCode.LINEAGE_TIME_REVERSED, reversed.get(), () -> where(c) + " uses " + Untrusted.quote(a.name())
              + " (" + a.digest() + ") produced by " + where(p) + ", which claims a later time (" + p.time()
              + " > " + c.time() + "); one of the two signers' clocks or claims is wrong");
        }
      }
      if (!linked.isEmpty() || c.kind().equals(EventType.COMPARISON)) {
        return; // a comparison's unproduced input is what it compared, not a root of anything
      }
      Optional<ExternalRoot> root = Optional.ofNullable(externalRoots.get(a.digest())).filter(r -> r.kind() == a.kind());
      roots.computeIfAbsent(c, k -> new ArrayList<>(1)).add(new RootUse(c, a, root, settings.backedKinds().contains(a.kind())));
      if (root.isPresent() || !settings.backedKinds().contains(a.kind())) {
        return;
      }
      Step laterProducer = later;
      Supplier<String> laterHint = () -> laterProducer == null ? "" : "; " + where(laterProducer) + " produces it, but"
          + " later in the log (log index " + laterProducer.ref().logIndex() + "): a step cannot use what did not exist"
          + " yet";
      if (released) {
        settings.severity(LineageSettings.Check.RELEASE_UNPRODUCED).ifPresent(sev -> kept.add(c,
            FindingCode.RELEASE_UNPRODUCED, sev,
            () -> where(c) + " releases " + Untrusted.quote(a.name()) + " " + a.digest() + ", but no step"
                + " of the evidence produced it" + laterHint.get() + ". Record the step that made it (training, fine-tune,"
                + " conversion, merge), supply the ledger that holds it, or declare it an external root in the policy"));
      } else if (c.kind().equals(EventType.EVALUATION) && a.kind() == ArtifactKind.MODEL) {
        settings.severity(LineageSettings.Check.EVALUATION_UNPRODUCED).ifPresent(sev -> kept.add(c,
            FindingCode.EVALUATION_UNPRODUCED, sev, () -> where(c) + " evaluates "
                + Untrusted.quote(a.name()) + " " + a.digest() + ", but no step of the evidence produced that model"
                + laterHint.get() + "; the evaluation is of weights whose origin is unproven. Evaluate the weights the"
                + " lineage produced, or supply the ledger that produced these"));
      } else {
        settings.severity(LineageSettings.Check.INPUT_UNPROVEN).ifPresent(sev -> kept.add(c,
            FindingCode.LINEAGE_INPUT_UNPROVEN, sev, () -> where(c) + " uses " + a.kind().jsonName() + " " + Untrusted.quote(a.name()) + " "
                + a.digest() + ", which no earlier step produced and the policy does not declare as an external root"
                + laterHint.get() + ". Its origin is unproven: supply the ledger that produced it, or declare it in the"
                + " policy's externalRoots"));
      }
    }

    void claimedTwice() {
      Optional<Severity> level = settings.severity(LineageSettings.Check.DIGEST_CLAIMED_TWICE);
      if (level.isEmpty()) {
        return;
      }
      Severity sev = level.get();
      for (Map.Entry<Digest, List<Step>> e : producers.entrySet()) {
        List<Step> ps = e.getValue();
        if (ps.size() < 2) {
          continue;
        }
        Step first = ps.get(0);
        Set<String> reported = new HashSet<>();
        reported.add(first.ledger() + "\n" + first.chain());
        for (Step p : ps.subList(1, ps.size())) {
          if (reported.add(p.ledger() + "\n" + p.chain())) {
            kept.add(p, FindingCode.DIGEST_CLAIMED_TWICE, sev, () -> where(p) + " claims to"
                + " have produced " + e.getKey() + ", which " + where(first) + " also claims to have produced; two"
                + " chains cannot both have made the same artifact. One claim is false (a copied model, or a"
                + " re-recorded step): find out which");
          }
        }
      }
    }

    void cycles() {
      // Within one ledger every link runs from an earlier log index to a later one (see before()): no cycle
      // can close, and the search would cost a quarter of the stage on a 100,000-entry ledger.
      if (!several || !Graphs.hasCycle(network)) {
        return;
      }
      // Report each cycle once, at its first step in evidence order.
      Set<Step> done = new HashSet<>();
      for (Step s : network.nodes().stream().sorted(ORDER).toList()) {
        if (done.contains(s)) {
          continue;
        }
        List<Step> cycle = cycleThrough(s);
        if (!cycle.isEmpty()) {
          done.addAll(cycle);
          kept.add(s, FindingCode.LINEAGE_CYCLE, FindingCode.LINEAGE_CYCLE.severity(), () -> "the lineage is circular: "
              + String.join(" -> ", cycle.stream().limit(MAX_CYCLE_SHOWN).map(this::where).toList())
              + (cycle.size() > MAX_CYCLE_SHOWN ? " -> ... (" + cycle.size() + " steps)" : "") + " -> " + where(s)
              + "; each step claims to use what a later one produced, so at least one claim is false");
        }
      }
    }

    /** A cycle through {@code start} (start first), or empty; iterative DFS. */
    private List<Step> cycleThrough(Step start) {
      Map<Step, Step> parent = new HashMap<>();
      Deque<Step> stack = new ArrayDeque<>();
      stack.push(start);
      Set<Step> visited = new HashSet<>();
      while (!stack.isEmpty()) {
        Step n = stack.pop();
        if (!visited.add(n)) {
          continue;
        }
        for (Step m : network.successors(n)) {
          if (m.equals(start)) {
            List<Step> path = new ArrayList<>();
            for (Step x = n; x != null; x = parent.get(x)) {
              path.add(0, x);
            }
            return path;
          }
          if (!visited.contains(m)) {
            parent.putIfAbsent(m, n);
            stack.push(m);
          }
        }
      }
      return List.of();
    }

    private static boolean before(Step p, Step c) {
      return !p.ledger().equals(c.ledger()) || p.ref().logIndex() < c.ref().logIndex();
    }

    private static String outputName(Step p, Digest d) {
      return p.event().outputs().stream().filter(o -> o.digest().equals(d)).findFirst().map(ArtifactRef::name)
          .orElse("");
    }

    private String where(Step s) {
      return s.describe(several);
    }
  }
}
