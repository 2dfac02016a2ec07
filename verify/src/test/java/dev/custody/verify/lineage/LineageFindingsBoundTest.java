package dev.custody.verify.lineage;

import static dev.custody.verify.lineage.TestSteps.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventType;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The lineage graph keeps its findings in bounded memory: per code the first N in evidence order about
 * the steps asked of, the rest counted. Cross-checked against the same graph built with no bound (the
 * reference: every finding kept), on seeded random lineages whose checks find out of evidence order
 * (claimed twice, cycles, several ledgers).
 */
class LineageFindingsBoundTest {

  /** What a report keeps of {@code all}: per code the first {@code cap}; the rest counted per code and severity. */
  private record Expected(List<Finding> kept, Map<FindingCode, Long> omitted, Map<Severity, Long> bySeverity) {
    static Expected of(List<Finding> all, int cap) {
      List<Finding> kept = new ArrayList<>();
      Map<FindingCode, Long> perCode = new EnumMap<>(FindingCode.class);
      Map<FindingCode, Long> omitted = new EnumMap<>(FindingCode.class);
      Map<Severity, Long> bySeverity = new EnumMap<>(Severity.class);
      for (Finding f : all) {
        if (perCode.merge(f.code(), 1L, Long::sum) <= cap) {
          kept.add(f);
        } else {
          omitted.merge(f.code(), 1L, Long::sum);
          bySeverity.merge(f.severity(), 1L, Long::sum);
        }
      }
      return new Expected(kept, omitted, bySeverity);
    }
  }

  private static void assertBounded(LineageGraph bounded, LineageGraph unbounded, int cap) {
    Expected e = Expected.of(unbounded.findings(), cap);
    assertThat(bounded.findings()).containsExactlyElementsOf(e.kept());
    assertThat(bounded.omitted()).isEqualTo(e.omitted());
    assertThat(bounded.omittedBySeverity()).isEqualTo(e.bySeverity());
  }

  /** Ledgers "a" and "b", chains c0..c4 each, random kinds using random digests, some produced, some twice. */
  private static List<Step> randomLineage(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Ledger a = new Ledger("a");
    Ledger b = new Ledger("b");
    b.time = 1_000; // b claims later times: uses across ledgers can be time-reversed
    List<Digest> pool = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pool.add(digest("artifact " + seed + " " + i));
    }
    for (int i = 0; i < n; i++) {
      Ledger l = rnd.nextBoolean() ? a : b;
      String chain = "c" + rnd.nextInt(5);
      Digest in = pool.get(rnd.nextInt(pool.size()));
      Digest out = pool.get(rnd.nextInt(pool.size()));
      List<ArtifactRef> ins = List.of(model("in", in), dataset("data", pool.get(rnd.nextInt(pool.size()))));
      switch (rnd.nextInt(5)) {
        case 0 -> l.add(chain, event(EventType.TRAINING, ins, List.of(model("model", out))));
        case 1 -> l.add(chain, event(EventType.FINE_TUNE, ins, List.of(model("model", out))));
        case 2 -> l.add(chain, event(EventType.EVALUATION, List.of(model("model", in)), List.of()));
        case 3 -> l.add(chain, event(EventType.RELEASE, List.of(), List.of(model("model", out))));
        default -> l.add(chain, event(EventType.CONVERSION, List.of(model("model", in)), List.of(model("q", out))));
      }
    }
    List<Step> all = new ArrayList<>(a.steps);
    all.addAll(b.steps);
    return all;
  }

  @Test
  void build_randomLineagesWithSmallCap_keepFirstPerCodeInEvidenceOrderAndCountTheRest() {
    for (long seed = 1; seed <= 40; seed++) {
      List<Step> steps = randomLineage(seed, 120);
      for (LineageSettings settings : List.of(LineageSettings.strict(), LineageSettings.lenient())) {
        LineageGraph unbounded = LineageGraph.build(steps, settings, List.of(), s -> true, Integer.MAX_VALUE);
        assertThat(unbounded.omitted()).isEmpty();
        assertThat(unbounded.findings()).hasSizeGreaterThan(10);
        for (int cap : new int[] {0, 1, 3, 17}) {
          assertBounded(LineageGraph.build(steps, settings, List.of(), s -> true, cap), unbounded, cap);
        }
      }
    }
  }

  /** The cycle search is skipped for one ledger: pinned by the invariant that makes it safe. */
  @Test
  void build_oneLedgerWithApprovalsAndReusedDigests_neverHasACycle() {
    for (long seed = 1; seed <= 40; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      Ledger l = new Ledger("a");
      List<Digest> pool = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        pool.add(digest("artifact " + i));
      }
      for (int i = 0; i < 150; i++) {
        String chain = "c" + rnd.nextInt(4);
        Digest in = pool.get(rnd.nextInt(pool.size()));
        Digest out = pool.get(rnd.nextInt(pool.size()));
        if (i > 0 && rnd.nextInt(4) == 0) {
          l.add(chain, approval(l.steps.get(rnd.nextInt(l.steps.size())).hash()));
        } else {
          l.add(chain, event(EventType.FINE_TUNE, List.of(model("in", in)), List.of(model("out", out))));
        }
      }
      LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());
      assertThat(g.network().edges()).isNotEmpty();
      assertThat(com.google.common.graph.Graphs.hasCycle(g.network())).isFalse();
      assertThat(g.findings()).noneMatch(f -> f.code() == FindingCode.LINEAGE_CYCLE);
    }
  }

  @Test
  void build_findingsOfOneChainAsked_keepThatChainsFindingsBeforeTheCap() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Step> steps = randomLineage(seed, 150);
      Predicate<Step> c3 = s -> s.chain().equals("c3");
      LineageGraph all = LineageGraph.build(steps, LineageSettings.strict(), List.of(), s -> true, Integer.MAX_VALUE);
      // The reference: every finding, then only chain c3's (what `verify --chain c3` filtered before).
      List<Finding> ofC3 = all.findings().stream()
          .filter(f -> f.entry().flatMap(r -> r.chain()).orElseThrow().equals("c3")).toList();
      assertThat(ofC3).isNotEmpty();
      LineageGraph bounded = LineageGraph.build(steps, LineageSettings.strict(), List.of(), c3, 2);
      Expected e = Expected.of(ofC3, 2);
      assertThat(bounded.findings()).containsExactlyElementsOf(e.kept());
      assertThat(bounded.omitted()).isEqualTo(e.omitted());
      assertThat(bounded.omittedBySeverity()).isEqualTo(e.bySeverity());
      // The graph itself still holds every step.
      assertThat(bounded.steps()).hasSameSizeAs(all.steps());
    }
  }

  @Test
  void build_manyIdenticalGapsOnSeveralChains_keepsTheReportBoundAndCountsTheRest() {
    Ledger l = new Ledger("acme");
    int perChain = VerificationReport.MAX_FINDINGS_PER_CODE + 50;
    for (int c = 0; c < 3; c++) {
      List<ArtifactRef> inputs = new ArrayList<>();
      for (int i = 0; i < perChain; i++) {
        inputs.add(dataset("d" + i, digest("nobody ingested " + c + " " + i)));
      }
      l.add("acme/c" + c, event(EventType.TRAINING, inputs, List.of(model("model", digest("m" + c)))));
    }

    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.lenient(), List.of());

    assertThat(g.findings()).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE)
        .allSatisfy(f -> assertThat(f.code()).isEqualTo(FindingCode.LINEAGE_INPUT_UNPROVEN))
        .allSatisfy(f -> assertThat(f.entry().orElseThrow().chain()).contains("acme/c0"));
    assertThat(g.omitted()).containsExactly(Map.entry(FindingCode.LINEAGE_INPUT_UNPROVEN,
        3L * perChain - VerificationReport.MAX_FINDINGS_PER_CODE));
    assertThat(g.omittedBySeverity()).containsExactly(Map.entry(Severity.WARNING,
        3L * perChain - VerificationReport.MAX_FINDINGS_PER_CODE));
    // Asked about the last chain only: its own first findings, not crowded out by the others'.
    LineageGraph c2 = LineageGraph.build(l.steps, LineageSettings.lenient(), List.of(),
        s -> s.chain().equals("acme/c2"));
    assertThat(c2.findings()).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE)
        .allSatisfy(f -> assertThat(f.entry().orElseThrow().chain()).contains("acme/c2"))
        .first().satisfies(f -> assertThat(f.message()).contains("'d0'"));
    assertThat(c2.omitted()).containsExactly(Map.entry(FindingCode.LINEAGE_INPUT_UNPROVEN,
        (long) perChain - VerificationReport.MAX_FINDINGS_PER_CODE));
  }
}
