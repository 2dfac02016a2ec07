package dev.custody.verify.report;

import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.EventType;
import dev.custody.verify.ChainSummary;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the report shows of a lineage: the steps in the report's scope, which of them (and which
 * root artifacts) the picture draws within the node bound, and the report's findings mapped to
 * steps.
 *
 * <p><b>Scope.</b> The steps of the report's chains (every chain, unless the report is restricted
 * to one) and everything they depend on, transitively, in any chain or ledger.
 *
 * <p><b>The bound.</b> At most {@link HtmlReportOptions#maxNodes()} nodes are drawn, steps and
 * root artifacts together. Steps are taken in this order, each followed by its ancestors nearest
 * first (so what is drawn is a connected piece of lineage, not scattered steps): steps with an
 * error finding, steps with a warning, releases, then every other step; newest first within each
 * group. A step's root artifacts are drawn with it while room remains.
 */
final class LineageView {
  /** A root artifact node: an artifact used without a producer, by digest (and whether it is declared). */
  record Root(Digest digest, ArtifactKind kind, Optional<ExternalRoot> declared, String name, List<RootUse> uses) {}

  final LineageGraph graph;
  /** Steps in scope, in evidence order. */
  final List<Step> scope;
  /** Steps drawn, in evidence order. */
  final List<Step> shown;
  /** Root nodes drawn. */
  final List<Root> roots;
  /** Links between drawn steps. */
  final List<Link> links;
  /** Steps in scope not drawn, by kind name (sorted). */
  final Map<String, Integer> omittedByKind;
  /** Root uses in scope not drawn. */
  final int rootsOmitted;
  /** Indexes (into the report's findings) of each step's findings, most severe first. */
  final Map<Step, List<Integer>> findingsByStep;
  /** Each step's worst severity. */
  final Map<Step, Severity> status;

  private LineageView(LineageGraph graph, List<Step> scope, List<Step> shown, List<Root> roots, List<Link> links,
      Map<String, Integer> omittedByKind, int rootsOmitted, Map<Step, List<Integer>> findingsByStep,
      Map<Step, Severity> status) {
    this.graph = graph;
    this.scope = scope;
    this.shown = shown;
    this.roots = roots;
    this.links = links;
    this.omittedByKind = omittedByKind;
    this.rootsOmitted = rootsOmitted;
    this.findingsByStep = findingsByStep;
    this.status = status;
  }

  static LineageView of(VerificationReport report, LineageGraph graph, HtmlReportOptions options) {
    Map<Step, List<Integer>> byStep = findingsByStep(report, graph);
    Map<Step, Severity> status = new HashMap<>();
    byStep.forEach((s, idx) -> status.put(s, report.findings().get(idx.get(0)).severity()));

    List<Step> all = graph.steps();
    Set<String> chains = new HashSet<>();
    report.chains().stream().map(ChainSummary::chain).forEach(chains::add);
    Set<Step> inScope = new HashSet<>();
    Deque<Step> queue = new ArrayDeque<>();
    for (Step s : all) {
      if (chains.isEmpty() || chains.contains(s.chain())) {
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
    List<Step> scope = all.stream().filter(inScope::contains).toList();

    // Priority: errors, warnings, releases, the rest; newest first in each group.
    List<Step> priority = new ArrayList<>(scope);
    Collections.reverse(priority);
    priority.sort(Comparator.comparingInt(s -> rank(s, status)));

    Set<Step> chosen = new HashSet<>();
    Map<String, Root> roots = new LinkedHashMap<>();
    int[] nodes = {0};
    int rootsOmitted = 0;
    for (Step seed : priority) {
      if (nodes[0] >= options.maxNodes()) {
        break;
      }
      if (chosen.contains(seed)) {
        continue;
      }
      Deque<Step> bfs = new ArrayDeque<>();
      bfs.add(seed);
      Set<Step> seen = new HashSet<>();
      seen.add(seed);
      while (!bfs.isEmpty() && nodes[0] < options.maxNodes()) {
        Step s = bfs.poll();
        if (chosen.add(s)) {
          nodes[0]++;
        }
        for (Step p : graph.network().predecessors(s)) {
          if (inScope.contains(p) && !chosen.contains(p) && seen.add(p)) {
            bfs.add(p);
          }
        }
      }
    }
    List<Step> shown = scope.stream().filter(chosen::contains).toList();
    for (Step s : shown) {
      for (RootUse u : graph.rootsOf(s)) {
        if (!u.isDeclared() && !options.rootKinds().contains(u.artifact().kind())) {
          continue;
        }
        String key = u.artifact().digest() + (u.isDeclared() ? " declared" : " unproven");
        Root r = roots.get(key);
        if (r == null && nodes[0] >= options.maxNodes()) {
          rootsOmitted++;
          continue;
        }
        if (r == null) {
          r = new Root(u.artifact().digest(), u.artifact().kind(), u.declared(), u.artifact().name(), new ArrayList<>());
          roots.put(key, r);
          nodes[0]++;
        }
        r.uses().add(u);
      }
    }
    Map<String, Integer> omitted = new TreeMap<>();
    for (Step s : scope) {
      if (!chosen.contains(s)) {
        omitted.merge(s.kind().name(), 1, Integer::sum);
        for (RootUse u : graph.rootsOf(s)) {
          if (u.isDeclared() || options.rootKinds().contains(u.artifact().kind())) {
            rootsOmitted++;
          }
        }
      }
    }
    List<Link> links = new ArrayList<>();
    for (Step s : shown) {
      for (Link l : graph.network().outEdges(s)) {
        if (chosen.contains(l.to())) {
          links.add(l);
        }
      }
    }
    return new LineageView(graph, scope, shown, List.copyOf(roots.values()), links, omitted, rootsOmitted, byStep,
        status);
  }

  private static int rank(Step s, Map<Step, Severity> status) {
    Severity sev = status.get(s);
    if (sev == Severity.ERROR) {
      return 0;
    }
    if (sev == Severity.WARNING) {
      return 1;
    }
    return s.kind().equals(EventType.RELEASE) ? 2 : 3;
  }

  /**
   * The report's findings by the step they concern, found by entry hash (a finding names its
   * entry by {@code Finding.entry()}; a step is an authentic entry). Most severe first, then in
   * report order. INFO findings mark no step.
   */
  private static Map<Step, List<Integer>> findingsByStep(VerificationReport report, LineageGraph graph) {
    Map<Step, List<Integer>> out = new LinkedHashMap<>();
    List<Finding> findings = report.findings();
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      if (f.severity() == Severity.INFO) {
        continue;
      }
      Optional<Step> step = f.entry().flatMap(e -> e.hash()).flatMap(graph::step);
      if (step.isPresent()) {
        out.computeIfAbsent(step.get(), k -> new ArrayList<>(2)).add(i);
      }
    }
    out.values().forEach(l -> l.sort(Comparator.comparing((Integer i) -> findings.get(i).severity())
        .thenComparingInt(i -> i)));
    return out;
  }

  /** Steps in scope, by kind name, sorted by kind. */
  Map<String, Integer> kindsInScope() {
    Map<String, Integer> kinds = new TreeMap<>();
    scope.forEach(s -> kinds.merge(s.kind().name(), 1, Integer::sum));
    return kinds;
  }

  /** Whether the picture leaves steps or roots out. */
  boolean bounded() {
    return shown.size() < scope.size() || rootsOmitted > 0;
  }

  /** Steps drawn, as a set (for membership). */
  Set<Step> shownSet() {
    return new LinkedHashSet<>(shown);
  }
}
