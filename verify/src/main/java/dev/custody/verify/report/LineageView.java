package dev.custody.verify.report;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.EventType;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the report shows of a lineage: the steps in the report's scope, which of them (and which
 * root artifacts) the picture draws, and the report's findings mapped to steps.
 *
 * <p><b>Scope.</b> The steps of the report's chains (every chain, unless the report is restricted
 * to one) and everything they depend on, transitively, in any chain or ledger
 * ({@link ReportSummary#scope}, the scope of every renderer's summary).
 *
 * <p><b>The bound.</b> At most {@link HtmlReportOptions#maxNodes()} nodes are drawn, steps and
 * root artifacts together: first every step with an error finding, then every step with a
 * warning (so that each finding's step is drawn), then their ancestors nearest first; then each
 * release, newest first, with its own ancestors nearest first (so what is drawn is connected
 * lineage, not scattered steps); then every other step, newest first, likewise. A step's root
 * artifacts are drawn with it while room remains.
 *
 * <p><b>The layout budget.</b> The layered layout gives a link one placeholder per layer it
 * crosses, so its cost follows the total length of the links, not only the number of nodes: a
 * dataset used by each of 200 successive trainings makes 20,000 placeholders and a layout of
 * several seconds. When the drawn links would cross more than {@link #MAX_LINK_SPAN} layers in
 * all (estimated from a longest-path layering), fewer nodes are drawn, by the same order.
 */
final class LineageView {
  /**
   * Most layers the drawn links may cross in all. At this budget ELK's layout (with the labels
   * between the layers) takes 0.3-0.4 s of CPU in a warm JVM and about 1 s in a fresh one; four
   * times the span took four to five times as long.
   */
  static final int MAX_LINK_SPAN = 5000;

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
  /** Most nodes drawn: the option, or fewer when the layout budget required it. */
  final int nodeLimit;
  /** Indexes (into the report's findings) of each step's findings, most severe first. */
  final Map<Step, List<Integer>> findingsByStep;
  /** Each marked step's worst severity (no entry: no finding). */
  final Map<Step, Severity> status;

  private LineageView(LineageGraph graph, List<Step> scope, Selection sel, Map<Step, List<Integer>> findingsByStep,
      Map<Step, Severity> status, HtmlReportOptions options) {
    this.graph = graph;
    this.scope = scope;
    this.shown = scope.stream().filter(sel.chosen::contains).toList();
    this.roots = List.copyOf(sel.roots.values());
    List<Link> drawn = new ArrayList<>();
    for (Step s : shown) {
      graph.network().outEdges(s).stream().filter(l -> sel.chosen.contains(l.to())).forEach(drawn::add);
    }
    this.links = List.copyOf(drawn);
    Map<String, Integer> omitted = new TreeMap<>();
    int rootUses = sel.rootsOmitted;
    for (Step s : scope) {
      if (!sel.chosen.contains(s)) {
        omitted.merge(s.kind().name(), 1, Integer::sum);
        rootUses += (int) graph.rootsOf(s).stream().filter(u -> drawnAsRoot(u, options)).count();
      }
    }
    this.omittedByKind = Collections.unmodifiableMap(omitted);
    this.rootsOmitted = rootUses;
    this.nodeLimit = sel.limit;
    this.findingsByStep = findingsByStep;
    this.status = status;
  }

  static LineageView of(VerificationReport report, LineageGraph graph, HtmlReportOptions options) {
    Map<Step, List<Integer>> byStep = findingsByStep(report, graph);
    Map<Step, Severity> status = new HashMap<>();
    byStep.forEach((s, idx) -> status.put(s, report.findings().get(idx.get(0)).severity()));
    Set<Step> inScope = ReportSummary.scope(report, graph);
    List<Step> scope = graph.steps().stream().filter(inScope::contains).toList();

    // Priority: errors, warnings, releases, the rest; newest first in each group.
    List<Step> priority = new ArrayList<>(scope);
    Collections.reverse(priority);
    priority.sort(Comparator.comparingInt(s -> rank(s, status)));

    Set<Step> marked = status.keySet();
    Selection sel = Selection.choose(graph, options, inScope, priority, marked, options.maxNodes());
    for (long span = sel.linkSpan(); span > MAX_LINK_SPAN && sel.limit > 1; span = sel.linkSpan()) {
      // The span grows about quadratically with the nodes where it explodes (long runs of links).
      int smaller = (int) Math.min(sel.limit - 1, Math.floor(sel.limit * Math.sqrt((double) MAX_LINK_SPAN / span)));
      sel = Selection.choose(graph, options, inScope, priority, marked, Math.max(1, smaller));
    }
    return new LineageView(graph, scope, sel, byStep, status, options);
  }

  /** The steps and root nodes chosen within a node limit. */
  private static final class Selection {
    final LineageGraph graph;
    final HtmlReportOptions options;
    final int limit;
    final Set<Step> chosen = new HashSet<>();
    final Map<String, Root> roots = new LinkedHashMap<>();
    int nodes;
    int rootsOmitted;

    private Selection(LineageGraph graph, HtmlReportOptions options, int limit) {
      this.graph = graph;
      this.options = options;
      this.limit = limit;
    }

    /**
     * Takes the marked steps of {@code priority} (errors, then warnings) first, then their ancestors
     * nearest first, all marked steps together; then each other step of {@code priority} with its
     * own ancestors, nearest first; until the limit.
     */
    static Selection choose(LineageGraph graph, HtmlReportOptions options, Set<Step> inScope, List<Step> priority,
        Set<Step> marked, int limit) {
      Selection sel = new Selection(graph, options, limit);
      List<Step> markedFirst = priority.stream().filter(marked::contains).toList();
      sel.ancestorsNearestFirst(markedFirst, inScope);
      for (Step seed : priority) {
        if (sel.full()) {
          break;
        }
        if (!sel.chosen.contains(seed)) {
          sel.ancestorsNearestFirst(List.of(seed), inScope);
        }
      }
      return sel;
    }

    /** Adds {@code seeds}, then their ancestors in scope breadth-first, while there is room. */
    private void ancestorsNearestFirst(List<Step> seeds, Set<Step> inScope) {
      Deque<Step> bfs = new ArrayDeque<>(seeds);
      Set<Step> seen = new HashSet<>(seeds);
      while (!bfs.isEmpty() && !full()) {
        Step s = bfs.poll();
        add(s);
        for (Step p : graph.network().predecessors(s)) {
          if (inScope.contains(p) && !chosen.contains(p) && seen.add(p)) {
            bfs.add(p);
          }
        }
      }
    }

    boolean full() {
      return nodes >= limit;
    }

    /** Draws {@code s}, and its root artifacts while there is room (a root already drawn costs nothing). */
    private void add(Step s) {
      if (!chosen.add(s)) {
        return;
      }
      nodes++;
      for (RootUse u : graph.rootsOf(s)) {
        if (!drawnAsRoot(u, options)) {
          continue;
        }
        String key = u.artifact().digest() + (u.isDeclared() ? " declared" : " unproven");
        Root r = roots.get(key);
        if (r == null && full()) {
          rootsOmitted++;
          continue;
        }
        if (r == null) {
          r = new Root(u.artifact().digest(), u.artifact().kind(), u.declared(), u.artifact().name(), new ArrayList<>());
          roots.put(key, r);
          nodes++;
        }
        r.uses().add(u);
      }
    }

    /**
     * Layers the links between chosen steps would cross beyond their first, in all: the smaller
     * of the as-soon-as-possible and as-late-as-possible longest-path layerings (the layout's own
     * network-simplex layering is no worse than either on a path-like graph). A root node sits
     * just above its first user, so its links count nothing. Links inside a cycle (possible across
     * ledgers) count nothing either.
     */
    long linkSpan() {
      Map<Step, List<Step>> succ = new HashMap<>();
      Map<Step, Integer> indegree = new HashMap<>();
      chosen.forEach(s -> indegree.put(s, 0));
      for (Step s : chosen) {
        for (Step t : graph.network().successors(s)) {
          if (chosen.contains(t)) {
            succ.computeIfAbsent(s, k -> new ArrayList<>()).add(t);
            indegree.merge(t, 1, Integer::sum);
          }
        }
      }
      List<Step> order = new ArrayList<>();
      Deque<Step> ready = new ArrayDeque<>();
      indegree.forEach((s, d) -> {
        if (d == 0) {
          ready.add(s);
        }
      });
      Map<Step, Integer> remaining = new HashMap<>(indegree);
      while (!ready.isEmpty()) {
        Step s = ready.poll();
        order.add(s);
        for (Step t : succ.getOrDefault(s, List.of())) {
          if (remaining.merge(t, -1, Integer::sum) == 0) {
            ready.add(t);
          }
        }
      }
      Map<Step, Integer> early = new HashMap<>();
      for (Step s : order) {
        early.putIfAbsent(s, 0);
        for (Step t : succ.getOrDefault(s, List.of())) {
          early.merge(t, early.get(s) + 1, Math::max);
        }
      }
      Map<Step, Integer> late = new HashMap<>();
      for (int i = order.size() - 1; i >= 0; i--) {
        Step s = order.get(i);
        int layer = succ.getOrDefault(s, List.of()).stream().map(late::get).filter(Objects::nonNull)
            .mapToInt(t -> t - 1).min().orElse(0);
        late.put(s, layer);
      }
      return Math.min(span(order, succ, early), span(order, succ, late));
    }

    private static long span(List<Step> order, Map<Step, List<Step>> succ, Map<Step, Integer> layer) {
      long total = 0;
      for (Step s : order) {
        for (Step t : succ.getOrDefault(s, List.of())) {
          if (layer.containsKey(t)) {
            total += Math.max(0, layer.get(t) - Objects.requireNonNull(layer.get(s), "a layer for every step in order")
                - 1);
          }
        }
      }
      return total;
    }
  }

  /** Whether a root use is drawn: declared roots always, unproven ones of the kinds asked for. */
  private static boolean drawnAsRoot(RootUse u, HtmlReportOptions options) {
    return u.isDeclared() || options.rootKinds().contains(u.artifact().kind());
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

  /** Steps in scope per kind, in {@link ReportSummary#kinds} order. */
  Map<EventType, Long> kindsInScope() {
    return ReportSummary.kinds(scope);
  }

  /** Whether the picture leaves steps or roots out. */
  boolean bounded() {
    return shown.size() < scope.size() || rootsOmitted > 0;
  }
}
