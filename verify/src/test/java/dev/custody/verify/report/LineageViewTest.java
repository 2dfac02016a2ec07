package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.lineage.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which part of a large lineage the page draws, on a real signed ledger of one long chain. */
class LineageViewTest {
  @TempDir Path tmp;

  /** Chain {@code big/m}: a dataset, 298 trainings each on the previous model, a release. Training 150 also uses a model nobody made. */
  private ReportScenario.Verified longChain() throws Exception {
    return longChain(java.util.Set.of(150));
  }

  /** {@link #longChain()} with the unproven input at each training of {@code failing}. */
  private ReportScenario.Verified longChain(java.util.Set<Integer> failing) throws Exception {
    ReportScenario s = withCorpus("big/m");
    Digest previous = null;
    for (int i = 1; i < 299; i++) {
      Digest model = ReportScenario.digest("model " + i);
      Event.Builder b = Event.builder(EventType.TRAINING).input(ReportScenario.dataset("corpus", ReportScenario.CORPUS))
          .output(ReportScenario.model("model", model));
      if (previous != null) {
        b.input(ReportScenario.model("base", previous));
      }
      if (failing.contains(i)) {
        b.input(ReportScenario.model("extra", ReportScenario.digest("a model nobody made " + i)));
      }
      s.add("big/m", b.build(), s.acme);
      previous = model;
    }
    s.add("big/m", Event.builder(EventType.RELEASE).output(ReportScenario.model("model", previous))
        .details(new EventDetails.Release("1.0")).build(), s.acme);
    return s.verify(tmp.resolve("big"));
  }

  /** A scenario whose first entry ingests the corpus on {@code chain}. */
  private static ReportScenario withCorpus(String chain) {
    ReportScenario s = new ReportScenario();
    s.add(chain, Event.builder(EventType.DATASET_INGEST).output(ReportScenario.dataset("corpus", ReportScenario.CORPUS))
        .build(), s.acme);
    return s;
  }

  private static List<String> positions(List<Step> steps) {
    return steps.stream().map(Step::position).toList();
  }

  @Test
  void of_lineageLargerThanTheBound_drawsTheFailingStepItsRootAndNearestAncestors() throws Exception {
    ReportScenario.Verified v = longChain();

    LineageView view = LineageView.of(v.report(), v.lineage(), HtmlReportOptions.defaults().withMaxNodes(40));

    // 40 nodes: the failing training 150, its unproven input, then its producers nearest first: the dataset
    // (a direct input of every training) and trainings 149 down to 113.
    assertThat(view.scope).hasSize(300);
    assertThat(positions(view.shown)).containsExactlyElementsOf(java.util.stream.Stream.concat(
        java.util.stream.Stream.of("big/m:0"), IntStream.rangeClosed(113, 150).mapToObj(i -> "big/m:" + i)).toList());
    assertThat(view.roots).singleElement().satisfies(r -> {
      assertThat(r.declared()).isEmpty();
      assertThat(r.name()).isEqualTo("extra");
    });
    assertThat(view.status.get(view.shown.get(view.shown.size() - 1))).isEqualTo(dev.custody.verify.Severity.ERROR);
    assertThat(view.links).hasSize(37 + 38).allSatisfy(l -> assertThat(view.shown).contains(l.from(), l.to()));
    assertThat(view.omittedByKind).containsExactly(java.util.Map.entry("release", 1),
        java.util.Map.entry("training", 260));
    assertThat(view.bounded()).isTrue();
  }

  @Test
  void of_severalFailingSteps_drawsEveryOneBeforeAnyAncestry() throws Exception {
    ReportScenario.Verified v = longChain(java.util.Set.of(40, 150, 260));

    LineageView view = LineageView.of(v.report(), v.lineage(), HtmlReportOptions.defaults().withMaxNodes(20));

    assertThat(positions(view.shown)).contains("big/m:40", "big/m:150", "big/m:260", "big/m:0", "big/m:39",
        "big/m:149", "big/m:259");
    assertThat(view.roots).hasSize(3);
    assertThat(view.shown.size() + view.roots.size()).isEqualTo(20);
  }

  @Test
  void render_lineageLargerThanTheBound_saysWhatThePictureLeavesOut() throws Exception {
    ReportScenario.Verified v = longChain();

    String html = HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()),
        HtmlReportOptions.defaults().withMaxNodes(40));

    assertThat(html).contains("<p class=\"note bounded\" id=\"lineage-bound\">The picture shows 39 of 300 steps (at most"
        + " 40 nodes are drawn: steps with findings, releases and their lineage first). Left out: 1 release,"
        + " 260 training. The summary and the findings cover every step.</p>");
    assertThat(HtmlReportRendererTest.svgs(html).get(0).getElementsByTagNameNS("http://www.w3.org/2000/svg", "g")
        .getLength()).isEqualTo(39 + 1 + 75 + 1);
    assertThat(html).contains("Only the steps drawn in the lineage picture are shown.");
    // The summary still counts every step.
    assertThat(html).contains("<tr><td>training</td><td class=\"num\">298</td></tr>", "300 steps in scope");
  }

  @Test
  void of_linksCrossingTooManyLayers_drawsFewerNodesWithinTheLayoutBudget() throws Exception {
    // The dataset feeds each of 298 successive trainings: drawn whole, its links would cross ~44,000 layers.
    ReportScenario.Verified v = longChain();

    LineageView view = LineageView.of(v.report(), v.lineage(), HtmlReportOptions.defaults().withMaxNodes(400));

    assertThat(view.nodeLimit).isLessThan(400);
    assertThat(view.shown.size() + view.roots.size()).isLessThanOrEqualTo(view.nodeLimit).isGreaterThan(50);
    assertThat(positions(view.shown)).contains("big/m:0", "big/m:150", "big/m:149");
    // Drawn, the steps form one path (dataset, then the trainings in order): a step's layer is its place in it.
    long span = 0;
    for (var l : view.links) {
      span += view.shown.indexOf(l.to()) - view.shown.indexOf(l.from()) - 1;
    }
    assertThat(span).isLessThanOrEqualTo(LineageView.MAX_LINK_SPAN);
    assertThat(HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()),
        HtmlReportOptions.defaults().withMaxNodes(400)))
        .contains("(at most 400 nodes are drawn, " + view.nodeLimit + " here because the links between more would cross"
            + " too many layers to lay out quickly: ");
  }

  @Test
  void of_boundLargeEnough_drawsEverything() throws Exception {
    ReportScenario s = withCorpus("big/m");
    Digest previous = ReportScenario.CORPUS;
    for (int i = 1; i < 300; i++) {
      Digest model = ReportScenario.digest("model " + i);
      s.add("big/m", Event.builder(EventType.TRAINING).input(ReportScenario.model("base", previous))
          .output(ReportScenario.model("model", model)).build(), s.acme);
      previous = model;
    }
    ReportScenario.Verified v = s.verify(tmp.resolve("linear"));

    LineageView view = LineageView.of(v.report(), v.lineage(), HtmlReportOptions.defaults().withMaxNodes(300));

    assertThat(view.shown).hasSize(300);
    assertThat(view.nodeLimit).isEqualTo(300);
    assertThat(view.bounded()).isFalse();
  }

  @Test
  void of_withoutFindings_drawsTheNewestReleaseAndItsLineageFirst() throws Exception {
    ReportScenario s = withCorpus("acme/m");
    for (int i = 0; i < 6; i++) {
      Digest model = ReportScenario.digest("m" + i);
      s.add("acme/m", Event.builder(EventType.TRAINING).input(ReportScenario.dataset("corpus", ReportScenario.CORPUS))
          .output(ReportScenario.model("model", model)).build(), s.acme);
      s.add("acme/m", Event.builder(EventType.RELEASE).output(ReportScenario.model("model", model))
          .details(new EventDetails.Release("1." + i)).build(), s.acme);
    }
    ReportScenario.Verified v = s.verify(tmp.resolve("releases"));

    LineageView view = LineageView.of(v.report(), v.lineage(), HtmlReportOptions.defaults().withMaxNodes(5));

    assertThat(positions(view.shown)).containsExactly("acme/m:0", "acme/m:9", "acme/m:10", "acme/m:11", "acme/m:12");
  }
}
