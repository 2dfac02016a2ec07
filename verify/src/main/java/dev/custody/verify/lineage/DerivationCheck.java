package dev.custody.verify.lineage;

import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.derivation.ModelComparison;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a lineage's model links against the weights: the models at hand ({@link ModelWeights}) and
 * the signed {@code comparison} entries of the evidence. Derivation evidence, judged by
 * {@link Resemblance}; similarity is evidence, not proof, and every finding names what it rests on.
 *
 * <h2>What is checked</h2>
 * <ol>
 *   <li><b>Claimed derivations.</b> Every step of the scope of kind {@code fine-tune},
 *       {@code conversion} or {@code merge} claims that each of its {@code model} outputs derives
 *       from each of its {@code model} inputs. When both weights are at hand they are compared now;
 *       otherwise every signed comparison in the evidence of those two digests (in either order) is
 *       evidence. {@link FindingCode#DERIVATION_UNSUPPORTED} when the weights are
 *       {@link Resemblance#UNRELATED}, or for a fine-tune (which keeps its base's layout)
 *       {@link Resemblance#NOTHING_IN_COMMON}; {@link FindingCode#DERIVATION_INCONCLUSIVE} when
 *       they are inconclusive (or, for a conversion or merge, have nothing in common: pruning,
 *       re-shaping and layer stacking may leave no tensor in place); {@link
 *       FindingCode#DERIVATION_SUPPORTED} (information, with the figures) otherwise. A
 *       {@code conversion} whose method starts with {@code distil} is not judged: a distilled student
 *       is trained anew and need not resemble its teacher.
 *   <li><b>Undeclared copies.</b> For every {@code model} a step of the scope produced whose
 *       weights are at hand, and every other model at hand (or compared with it in a signed
 *       comparison): {@link FindingCode#DERIVATION_UNDECLARED} when the two are a
 *       {@link Resemblance#NEAR_COPY} and neither's lineage includes the other, nor do their
 *       lineages share a model (an artifact of kind {@code model} or {@code other}: siblings
 *       fine-tuned from one base resemble each other). Reported once per pair, at the producer of the
 *       later model (by claimed time) when both were produced in the evidence.
 *   <li><b>Signed comparisons.</b> A comparison of the scope whose two models are at hand is
 *       recomputed; different figures are {@link FindingCode#COMPARISON_MISMATCH}.
 *   <li><b>Unmatched weights.</b> Weights whose digests no artifact of the evidence names are
 *       {@link FindingCode#WEIGHTS_UNMATCHED} (a warning: nothing about them can be checked).
 * </ol>
 *
 * <p>The scope is every step, or given targets and their ancestors. Every signed comparison in the
 * graph counts as evidence, whichever trusted key signed it: the graph holds authentic entries only,
 * and a caller with a trust policy decides which of those the graph holds.
 *
 * <p>Cost: each weights' tensors are read once for their digests; each pair compared reads a bounded
 * sample (at most 65,536 elements) of every changed tensor. The undeclared-copy search compares each
 * produced model with every other model at hand: quadratic in the number of weights given.
 */
public final class DerivationCheck {
  /** Kinds whose model inputs and outputs claim a derivation. */
  static final Set<EventType> DERIVING = Set.of(EventType.FINE_TUNE, EventType.CONVERSION, EventType.MERGE);
  /** Artifact kinds whose sharing between two lineages explains that their models resemble each other. */
  private static final Set<ArtifactKind> SHARED_ANCESTRY = Set.of(ArtifactKind.MODEL, ArtifactKind.OTHER);

  private final LineageGraph graph;
  private final List<ModelWeights> weights;
  private final Set<Step> scope;
  private final List<Step> comparisons;
  private final Map<Digest, ModelWeights> byDigest = new HashMap<>();
  private final Map<ModelWeights, Map<ModelWeights, ComparisonSummary>> compared = new IdentityHashMap<>();
  private final Map<Digest, Map<Digest, ArtifactKind>> lineages = new HashMap<>();
  private final List<Finding> findings = new ArrayList<>();

  private DerivationCheck(LineageGraph graph, List<ModelWeights> weights, Set<Step> scope) {
    this.graph = graph;
    this.weights = List.copyOf(weights);
    this.scope = scope;
    this.comparisons = graph.steps().stream().filter(s -> s.kind().equals(EventType.COMPARISON)).toList();
    for (ModelWeights w : this.weights) {
      w.digests().forEach(d -> byDigest.putIfAbsent(d, w));
    }
  }

  /**
   * Checks every step of {@code graph} against {@code weights} and the graph's signed comparisons.
   *
   * @throws SafetensorsException if a model file cannot be read or changed since it was opened
   */
  public static List<Finding> check(LineageGraph graph, List<ModelWeights> weights) throws SafetensorsException {
    Objects.requireNonNull(graph, "graph");
    return new DerivationCheck(graph, weights, new LinkedHashSet<>(graph.steps())).run();
  }

  /**
   * Checks {@code targets} and their ancestors (e.g. a chain's steps, or the release of one model).
   *
   * @throws IllegalArgumentException if a target is not a step of {@code graph}
   * @throws SafetensorsException if a model file cannot be read or changed since it was opened
   */
  public static List<Finding> check(LineageGraph graph, List<ModelWeights> weights, Collection<Step> targets)
      throws SafetensorsException {
    Objects.requireNonNull(graph, "graph");
    for (Step t : targets) {
      if (!graph.network().nodes().contains(t)) {
        throw new IllegalArgumentException(t + " is not a step of this lineage");
      }
    }
    // One traversal from all targets: a chain's steps share most of their ancestors.
    Set<Step> scope = new LinkedHashSet<>();
    com.google.common.graph.Traverser.forGraph(graph.network()::predecessors).breadthFirst(List.copyOf(targets))
        .forEach(scope::add);
    return new DerivationCheck(graph, weights, scope).run();
  }

  private List<Finding> run() throws SafetensorsException {
    if (weights.isEmpty() && comparisons.isEmpty()) {
      return List.of(); // nothing to judge claims by: the usual verification, kept off its path
    }
    unmatched();
    List<Step> ordered = scope.stream().sorted(LineageGraph.ORDER).toList();
    for (Step s : ordered) {
      if (DERIVING.contains(s.kind()) && !distillation(s)) {
        claimedDerivations(s);
      }
    }
    undeclaredCopies(ordered);
    for (Step c : ordered) {
      if (c.kind().equals(EventType.COMPARISON)) {
        recomputed(c);
      }
    }
    return List.copyOf(findings);
  }

  // ---------------------------------------------------------------- 1. claimed derivations

  private void claimedDerivations(Step s) throws SafetensorsException {
    for (ArtifactRef in : s.event().inputs()) {
      for (ArtifactRef out : s.event().outputs()) {
        if (in.kind() != ArtifactKind.MODEL || out.kind() != ArtifactKind.MODEL || in.digest().equals(out.digest())) {
          continue;
        }
        ModelWeights wi = byDigest.get(in.digest());
        ModelWeights wo = byDigest.get(out.digest());
        if (wi != null && wo != null && wi != wo) {
          judgeClaim(s, in, out, summary(wi, wo), "the weights at hand, " + Untrusted.quote(wi.path().toString())
              + " and " + Untrusted.quote(wo.path().toString()) + ", compared now");
        } else {
          for (Step c : comparisonsOf(in.digest(), out.digest())) {
            judgeClaim(s, in, out, summaryOf(c), "the signed " + cite(c));
          }
        }
      }
    }
  }

  private void judgeClaim(Step s, ArtifactRef in, ArtifactRef out, ComparisonSummary summary, String evidence) {
    Resemblance r = Resemblance.of(summary);
    String claim = where(s) + " claims that its output " + Untrusted.quote(out.name()) + " (" + out.digest()
        + ") derives from its input " + Untrusted.quote(in.name()) + " (" + in.digest() + ")";
    String figures = Resemblance.figures(summary) + ". Evidence: " + evidence;
    boolean fineTune = s.kind().equals(EventType.FINE_TUNE);
    if (r == Resemblance.UNRELATED || r == Resemblance.NOTHING_IN_COMMON && fineTune) {
      findings.add(Finding.of(FindingCode.DERIVATION_UNSUPPORTED, s.ref(), claim + ", but the weights are "
          + (r == Resemblance.UNRELATED ? "unrelated" : "nothing alike (no tensor identical, none comparable; a"
          + " fine-tune keeps its base's layout)") + ": " + figures + ". The claimed " + (fineTune ? "base" : "input")
          + " is not what these weights were made from: find the model really used, and whether the recorded digest"
          + " is the right one. Similarity is evidence, not proof"));
    } else if (r == Resemblance.INCONCLUSIVE || r == Resemblance.NOTHING_IN_COMMON) {
      findings.add(Finding.of(FindingCode.DERIVATION_INCONCLUSIVE, s.ref(), claim + "; the weights neither support"
          + " nor contradict it: " + figures + ". Judge the claim by other evidence"));
    } else {
      findings.add(Finding.of(FindingCode.DERIVATION_SUPPORTED, s.ref(), claim + "; the weights resemble each"
          + " other (" + r.name().toLowerCase(Locale.ROOT).replace('_', '-') + "): " + figures));
    }
  }

  /** Whether {@code s} is a conversion by distillation, which the weights cannot bear out. */
  private static boolean distillation(Step s) {
    return s.kind().equals(EventType.CONVERSION) && s.event().details() instanceof EventDetails.Method m
        && m.method().map(x -> x.toLowerCase(Locale.ROOT).startsWith("distil")).orElse(false);
  }

  // ---------------------------------------------------------------- 2. undeclared copies

  private void undeclaredCopies(List<Step> ordered) throws SafetensorsException {
    // The models produced in the scope, by digest, with their first producer.
    Map<Digest, Step> produced = new LinkedHashMap<>();
    for (Step s : ordered) {
      if (LineageGraph.produces(s.kind())) {
        for (ArtifactRef out : s.event().outputs()) {
          if (out.kind() == ArtifactKind.MODEL) {
            produced.putIfAbsent(out.digest(), s);
          }
        }
      }
    }
    Set<List<Integer>> done = new HashSet<>(); // pairs of indices into weights, smaller first
    for (Map.Entry<Digest, Step> x : produced.entrySet()) {
      ModelWeights wx = byDigest.get(x.getKey());
      if (wx == null) {
        continue;
      }
      int ix = indexOf(wx);
      for (int iy = 0; iy < weights.size(); iy++) {
        ModelWeights wy = weights.get(iy);
        if (iy == ix || overlap(wx, wy) || !done.add(List.of(Math.min(ix, iy), Math.max(ix, iy)))) {
          continue;
        }
        ComparisonSummary s = summary(wx, wy);
        if (Resemblance.of(s) == Resemblance.NEAR_COPY) {
          reportUndeclared(x.getKey(), wy.digests(), produced, s, "the weights at hand, "
              + Untrusted.quote(wx.path().toString()) + " and " + Untrusted.quote(wy.path().toString()) + ", compared"
              + " now", Optional.of(wy));
        }
      }
    }
    // Signed comparisons whose two models are not both at hand.
    for (Step c : comparisons) {
      Digest a = input(c, EventDetails.Comparison.INPUT_A);
      Digest b = input(c, EventDetails.Comparison.INPUT_B);
      ModelWeights wa = byDigest.get(a);
      ModelWeights wb = byDigest.get(b);
      if (wa != null && wb != null || a.equals(b) || Resemblance.of(summaryOf(c)) != Resemblance.NEAR_COPY) {
        continue; // both at hand: compared above
      }
      Digest x = produced.containsKey(b) && !produced.containsKey(a) ? b : a;
      if (produced.containsKey(x)) {
        reportUndeclared(x, Set.of(x.equals(a) ? b : a), produced, summaryOf(c), "the signed " + cite(c),
            Optional.empty());
      }
    }
  }

  /**
   * Reports that {@code x} (produced in the scope) is a near-copy of the model named by {@code other},
   * unless their lineages declare a relation.
   */
  private void reportUndeclared(Digest x, Set<Digest> other, Map<Digest, Step> produced, ComparisonSummary s,
      String evidence, Optional<ModelWeights> otherWeights) {
    if (other.stream().anyMatch(d -> explained(x, d))) {
      return;
    }
    Digest y = other.stream().filter(produced::containsKey).findFirst().orElse(other.iterator().next());
    Step px = Objects.requireNonNull(produced.get(x), "x is a model produced in the scope (the callers check)");
    Step py = produced.get(y);
    // Both produced in the evidence: the later one (by claimed time) is the one that copied, if either did.
    Step at = py != null && LATER.compare(py, px) > 0 ? py : px;
    Digest copy = at == px ? x : y;
    Digest source = at == px ? y : x;
    Step sourceProducer = at == px ? py : px;
    String sourceText = source + (sourceProducer != null ? ", produced by " + where(sourceProducer)
        : otherWeights.map(w -> ", the weights at hand " + Untrusted.quote(w.path().toString())).orElse(""));
    findings.add(Finding.of(FindingCode.DERIVATION_UNDECLARED, at.ref(), where(at) + " produced " + copy + ", a"
        + " near-copy of " + sourceText + ": " + Resemblance.figures(s) + ". Yet neither lineage includes the other,"
        + " and they share no ancestor model: the lineage does not say where these weights came from. Evidence: "
        + evidence
        + ". Record the real base as an input of the step that made the model (or find out who copied whom);"
        + " similarity is evidence, not proof"));
  }

  /** Whether the lineage relates {@code x} and {@code y}: one includes the other, or they share a model. */
  private boolean explained(Digest x, Digest y) {
    Map<Digest, ArtifactKind> lx = lineage(x);
    Map<Digest, ArtifactKind> ly = lineage(y);
    if (lx.containsKey(y) || ly.containsKey(x)) {
      return true;
    }
    for (Map.Entry<Digest, ArtifactKind> e : lx.entrySet()) {
      ArtifactKind other = ly.get(e.getKey());
      if (other != null && SHARED_ANCESTRY.contains(e.getValue()) && SHARED_ANCESTRY.contains(other)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every artifact digest (with its kind) that the producers of {@code d} and their ancestors use or
   * produce; empty when nothing in the evidence produced {@code d}.
   */
  private Map<Digest, ArtifactKind> lineage(Digest d) {
    Map<Digest, ArtifactKind> cached = lineages.get(d);
    if (cached != null) {
      return cached;
    }
    Map<Digest, ArtifactKind> out = new HashMap<>();
    for (Step p : graph.producersOf(d)) {
      List<Step> steps = new ArrayList<>(graph.ancestors(p));
      steps.add(p);
      for (Step s : steps) {
        s.event().inputs().forEach(a -> out.putIfAbsent(a.digest(), a.kind()));
        s.event().outputs().forEach(a -> out.putIfAbsent(a.digest(), a.kind()));
      }
    }
    out.remove(d);
    lineages.put(d, out);
    return out;
  }

  // ---------------------------------------------------------------- 3. signed comparisons recomputed

  private void recomputed(Step c) throws SafetensorsException {
    ModelWeights wa = byDigest.get(input(c, EventDetails.Comparison.INPUT_A));
    ModelWeights wb = byDigest.get(input(c, EventDetails.Comparison.INPUT_B));
    if (wa == null || wb == null) {
      return;
    }
    ComparisonSummary signed = summaryOf(c);
    ComparisonSummary now = summary(wa, wb);
    if (!now.equals(signed)) {
      findings.add(Finding.of(FindingCode.COMPARISON_MISMATCH, c.ref(), where(c) + " signs figures that comparing"
          + " its two models' weights now does not give (the weights at hand, " + Untrusted.quote(wa.path().toString())
          + " as 'a' and " + Untrusted.quote(wb.path().toString()) + " as 'b', match its digests): signed "
          + Resemblance.figures(signed) + "; now " + Resemblance.figures(now) + ". Its signer misstated the"
          + " comparison, or made it with a faulty tool: do not rely on it"));
    }
  }

  // ---------------------------------------------------------------- 4. unmatched weights

  private void unmatched() {
    Set<Digest> named = new HashSet<>();
    for (Step s : graph.steps()) {
      s.event().inputs().forEach(a -> named.add(a.digest()));
      s.event().outputs().forEach(a -> named.add(a.digest()));
    }
    for (ModelWeights w : weights) {
      if (w.digests().stream().noneMatch(named::contains)) {
        findings.add(new Finding(FindingCode.WEIGHTS_UNMATCHED, FindingCode.WEIGHTS_UNMATCHED.severity(),
            Optional.empty(), "the weights " + Untrusted.quote(w.path().toString()) + " hash to "
            + String.join(" / ", w.digests().stream().map(Digest::toString).toList()) + ", which no step of the"
            + " evidence names, so no claim about them can be checked (they still count in the search for"
            + " undeclared copies). Check the path; a model recorded with another serialization (shards, ignore"
            + " paths) has another digest"));
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The comparison summary of two weights, computed once per pair and order. */
  private ComparisonSummary summary(ModelWeights a, ModelWeights b) throws SafetensorsException {
    Map<ModelWeights, ComparisonSummary> row = compared.computeIfAbsent(a, k -> new IdentityHashMap<>());
    ComparisonSummary s = row.get(b);
    if (s == null) {
      s = ModelComparison.compare(a.model(), a.tensorDigests(), b.model(), b.tensorDigests()).summary();
      row.put(b, s);
    }
    return s;
  }

  /** Signed comparisons of {@code x} and {@code y}, in either order. */
  private List<Step> comparisonsOf(Digest x, Digest y) {
    List<Step> out = new ArrayList<>();
    for (Step c : comparisons) {
      Digest a = input(c, EventDetails.Comparison.INPUT_A);
      Digest b = input(c, EventDetails.Comparison.INPUT_B);
      if (a.equals(x) && b.equals(y) || a.equals(y) && b.equals(x)) {
        out.add(c);
      }
    }
    return out;
  }

  private static ComparisonSummary summaryOf(Step comparison) {
    return ((EventDetails.Comparison) comparison.event().details()).summary();
  }

  private static Digest input(Step comparison, String name) {
    return comparison.event().inputs().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow().digest();
  }

  private int indexOf(ModelWeights w) {
    for (int i = 0; i < weights.size(); i++) {
      if (weights.get(i) == w) {
        return i;
      }
    }
    throw new IllegalStateException("not among the weights: " + w);
  }

  private static boolean overlap(ModelWeights a, ModelWeights b) {
    return a.digests().stream().anyMatch(b::is);
  }

  /** Later by claimed time, then by evidence order. */
  private static final Comparator<Step> LATER = Comparator.comparing(Step::time).thenComparing(LineageGraph.ORDER);

  /** A comparison step as evidence: where it is, its entry hash, its signer and claimed time. */
  private String cite(Step c) {
    return "comparison " + c.position() + (graph.severalLedgers() ? " in " + Untrusted.quote(c.ledger()) : "")
        + " (entry " + c.hash() + ", signed by key " + c.keyId() + ", claimed time " + c.time() + ")";
  }

  private String where(Step s) {
    return s.describe(graph.severalLedgers());
  }
}
