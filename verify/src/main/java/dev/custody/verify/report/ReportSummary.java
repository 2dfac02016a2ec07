package dev.custody.verify.report;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.EventType;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.policy.Signer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a report's summary says, worked out once for every renderer: the steps in the report's
 * scope, who signed them, how many of each kind, the releases and the roots of their lineage.
 *
 * <p><b>Scope.</b> The steps of the report's chains (every chain, unless the report is restricted
 * to one) and everything they depend on, transitively, in any chain or ledger: a report on one
 * chain says where its models came from. Without a lineage (a report made by hand), the scope is
 * empty and only the chains and their signers are known.
 *
 * <p>Costs one pass over the scope; nothing here is bounded, the renderers bound what they print.
 * Immutable once built.
 */
final class ReportSummary {
  /** Who signed steps in scope: a key, the signer the policy resolved it to, and how many steps it signed. */
  record SignerSummary(String keyId, Optional<Signer> signer, String label, long steps) {}

  /**
   * An artifact the lineage uses that no step of the evidence produced, once per digest, kind and
   * whether it is declared.
   *
   * @param name the name the first step that uses it gives it
   * @param declared the external root the policy declares for it, if any (else it is unproven when
   *     {@code required})
   * @param required whether its kind must be produced or declared ({@link RootUse#required()})
   * @param usedBy the steps in scope that use it, in evidence order
   */
  record RootSummary(Digest digest, ArtifactKind kind, String name, Optional<ExternalRoot> declared, boolean required,
      List<Step> usedBy) {}

  final VerificationReport report;
  /** Whether the report carries a lineage; without one, the scope and everything made from it are empty. */
  final boolean hasLineage;
  /** Steps in scope, in evidence order. */
  final List<Step> scope;
  /** Whether the scope leaves steps of the lineage out (the report is restricted to some chains). */
  final boolean partial;
  /** Steps in scope per kind: the built-in kinds in lifecycle order, then custom kinds by name. */
  final Map<EventType, Long> kinds;
  /** Signers of the steps in scope (and of the chains reported), by label, then key id. */
  final List<SignerSummary> signers;
  /** {@code release} steps in scope, in evidence order. */
  final List<Step> releases;
  /** Roots of the scope's lineage, in the order their first user appears. */
  final List<RootSummary> roots;
  /** Per step in scope with findings kept in the report, how many of each severity. */
  private final Map<RecordRef, Map<Severity, Integer>> marks;

  private ReportSummary(VerificationReport report) {
    this.report = report;
    Optional<LineageGraph> lineage = report.lineage();
    this.hasLineage = lineage.isPresent();
    this.scope = lineage.map(g -> {
      Set<Step> in = scope(report, g);
      return g.steps().stream().filter(in::contains).toList();
    }).orElse(List.of());
    this.partial = lineage.map(g -> scope.size() < g.network().nodes().size()).orElse(false);
    this.kinds = kinds(scope);
    this.signers = signers(report, scope);
    this.releases = scope.stream().filter(s -> s.kind().equals(EventType.RELEASE)).toList();
    this.roots = lineage.map(g -> roots(g, scope)).orElse(List.of());
    this.marks = marks(report);
  }

  static ReportSummary of(VerificationReport report) {
    return new ReportSummary(Objects.requireNonNull(report, "report"));
  }

  /**
   * The report's chains' steps and, transitively, everything they depend on. A chain is matched in
   * its own ledger (two ledgers may each hold a chain of the same id); a report whose chains are
   * none (restricted to a chain no entry names) has an empty scope.
   */
  static Set<Step> scope(VerificationReport report, LineageGraph graph) {
    Set<String> anyLedger = new HashSet<>();
    Set<List<String>> inLedger = new HashSet<>();
    for (ChainSummary c : report.chains()) {
      if (c.ledger().isPresent()) {
        inLedger.add(List.of(c.ledger().get(), c.chain()));
      } else {
        anyLedger.add(c.chain());
      }
    }
    Set<Step> inScope = new HashSet<>();
    Deque<Step> queue = new ArrayDeque<>();
    for (Step s : graph.network().nodes()) {
      if (anyLedger.contains(s.chain()) || inLedger.contains(List.of(s.ledger(), s.chain()))) {
        inScope.add(s);
        queue.add(s);
      }
    }
    while (!queue.isEmpty()) {
      for (Step p : graph.network().predecessors(queue.poll())) {
        if (inScope.add(p)) {
          queue.add(p);
        }
      }
    }
    return inScope;
  }

  /** Steps per kind: the built-in kinds in lifecycle order (DESIGN.md §3), then custom kinds by name. */
  static Map<EventType, Long> kinds(Collection<Step> steps) {
    Map<EventType, Long> counts = new HashMap<>();
    steps.forEach(s -> counts.merge(s.kind(), 1L, Long::sum));
    Comparator<EventType> order = Comparator.comparingInt((EventType k) -> k.isBuiltIn()
        ? EventType.BUILT_IN.indexOf(k) : EventType.BUILT_IN.size()).thenComparing(EventType::name);
    Map<EventType, Long> sorted = new LinkedHashMap<>();
    counts.keySet().stream().sorted(order).forEach(k -> sorted.put(k, counts.get(k)));
    return java.util.Collections.unmodifiableMap(sorted);
  }

  private static List<SignerSummary> signers(VerificationReport report, List<Step> scope) {
    Map<String, Long> steps = new HashMap<>();
    scope.forEach(s -> steps.merge(s.keyId(), 1L, Long::sum));
    Set<String> keys = new TreeSet<>(steps.keySet());
    report.chains().forEach(c -> keys.addAll(c.signerKeyIds()));
    return keys.stream()
        .map(k -> new SignerSummary(k, Optional.ofNullable(report.signers().get(k)), report.signerLabel(k),
            steps.getOrDefault(k, 0L)))
        .sorted(Comparator.comparing(SignerSummary::label).thenComparing(SignerSummary::keyId))
        .toList();
  }

  private static List<RootSummary> roots(LineageGraph graph, List<Step> scope) {
    record Key(Digest digest, ArtifactKind kind, boolean declared) {} // required follows from the kind
    Map<Key, RootSummary> out = new LinkedHashMap<>();
    for (Step s : scope) {
      for (RootUse u : graph.rootsOf(s)) {
        Key k = new Key(u.artifact().digest(), u.artifact().kind(), u.isDeclared());
        RootSummary r = out.computeIfAbsent(k, x -> new RootSummary(x.digest(), x.kind(), u.artifact().name(),
            u.declared(), u.required(), new ArrayList<>(1)));
        if (r.usedBy().isEmpty() || !r.usedBy().get(r.usedBy().size() - 1).equals(s)) {
          r.usedBy().add(s);
        }
      }
    }
    return out.values().stream()
        .map(r -> new RootSummary(r.digest(), r.kind(), r.name(), r.declared(), r.required(), List.copyOf(r.usedBy())))
        .toList();
  }

  /** By entry (a step's findings name its {@link Step#ref()}), how many kept findings of each severity. */
  private static Map<RecordRef, Map<Severity, Integer>> marks(VerificationReport report) {
    Map<RecordRef, Map<Severity, Integer>> out = new HashMap<>();
    for (Finding f : report.findings()) {
      f.entry().ifPresent(e -> out.computeIfAbsent(e, k -> new EnumMap<>(Severity.class))
          .merge(f.severity(), 1, Integer::sum));
    }
    return out;
  }

  /** How many findings of each severity the report keeps about {@code step} (empty: none). */
  Map<Severity, Integer> findingsAbout(Step step) {
    return marks.getOrDefault(step.ref(), Map.of());
  }

  /**
   * Roots the policy declares (external roots), or those it does not although their kind must be
   * produced or declared (unproven); inputs of other kinds (a config file, say) are in neither.
   */
  List<RootSummary> roots(boolean declared) {
    return roots.stream()
        .filter(r -> declared ? r.declared().isPresent() : r.declared().isEmpty() && r.required()).toList();
  }

}
