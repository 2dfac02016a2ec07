package dev.custody.verify.report;

import static dev.custody.verify.lineage.TestSteps.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.verify.lineage.Step;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LineageTextRendererTest {
  @Test
  void render_twoOrganisations_printsTheTreeBackToItsRootsWithReferrers() {
    Ledger base = honest();
    Ledger ft = new Ledger("b");
    ft.time = 100;
    ft.add("b/ft", event(EventType.FINE_TUNE, List.of(model("base", BASE), dataset("extra", digest("extra data"))),
        List.of(model("model", TUNED))));
    ft.add("b/ft", Event.builder(EventType.EVALUATION).input(model("model", TUNED))
        .details(new EventDetails.Evaluation(new TreeMap<>(java.util.Map.of("accuracy", new BigDecimal("0.91"))))).build());
    Step rel = ft.add("b/ft", event(EventType.RELEASE, List.of(), List.of(model("model", TUNED))));
    ft.add("b/ft", approval(rel.hash()));
    List<Step> all = new ArrayList<>(base.steps);
    all.addAll(ft.steps);
    LineageGraph g = LineageGraph.build(all, LineageSettings.strict(), List.of(new ExternalRoot(digest("extra data"),
        dev.custody.core.event.ArtifactKind.DATASET, "extra-corpus", Optional.of("example.org"), "policy.yaml:3:5")));

    String text = LineageTextRenderer.render(g, rel, s -> s.ledger() + "-signer", g.findings());

    assertThat(text).isEqualTo(String.join("\n",
        "release b/ft:2 in 'b'  2026-11-28T12:01:42Z  by b-signer",
        "├── · approved by approval b/ft:3 in 'b'  2026-11-28T12:01:43Z  by b-signer",
        "└── model 'model' sha256:" + TUNED.value().hex().substring(0, 12) + " from fine-tune b/ft:0 in 'b'  2026-11-28T12:01:40Z  by b-signer",
        "    ├── · evaluated [accuracy=0.91] by evaluation b/ft:1 in 'b'  2026-11-28T12:01:41Z  by b-signer",
        "    ├── model 'base' sha256:" + BASE.value().hex().substring(0, 12) + " from training acme/m:1 in 'acme'  2026-11-28T12:00:01Z  by acme-signer",
        "    │   ├── · evaluated by evaluation acme/m:2 in 'acme'  2026-11-28T12:00:02Z  by acme-signer",
        "    │   └── dataset 'train' sha256:" + DATA.value().hex().substring(0, 12) + " from dataset-ingest acme/m:0 in 'acme'  2026-11-28T12:00:00Z  by acme-signer",
        "    └── dataset 'extra' sha256:" + digest("extra data").value().hex().substring(0, 12) + " ROOT: external root extra-corpus (published by example.org)",
        ""));
  }

  @Test
  void render_unprovenInputAndItsFinding_areShownUnderTheStep() {
    Ledger l = new Ledger("acme");
    Step ft = l.add("acme/m", event(EventType.FINE_TUNE, List.of(model("base", digest("random"))),
        List.of(model("model", TUNED))));
    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    String text = LineageTextRenderer.render(g, ft, s -> "k", g.findings());

    assertThat(text).contains("├── ! ERROR LINEAGE_INPUT_UNPROVEN: fine-tune acme/m:0 uses model 'base'")
        .contains("└── model 'base' sha256:" + digest("random").value().hex().substring(0, 12)
            + " ROOT: UNPROVEN (no step produced it)");
  }

  @Test
  void render_configInputNoStepProduced_isARootButNotUnproven() {
    Ledger l = new Ledger("acme");
    l.add("acme/m", event(EventType.DATASET_INGEST, List.of(), List.of(dataset("train", DATA))));
    Digest config = digest("train.json");
    Step training = l.add("acme/m", event(EventType.TRAINING, List.of(dataset("train", DATA),
        ArtifactRef.of("config", ArtifactKind.CONFIG, config)), List.of(model("model", BASE))));
    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    String text = LineageTextRenderer.render(g, training, s -> "k", g.findings());

    assertThat(g.findings()).isEmpty();
    assertThat(g.rootsOf(training)).singleElement().satisfies(r -> assertThat(r.isUnproven()).isFalse());
    assertThat(text).contains("config 'config' sha256:" + config.value().hex().substring(0, 12)
        + " ROOT: not produced by a step (config inputs need not be)").doesNotContain("UNPROVEN");
  }

  @Test
  void render_diamond_printsASharedAncestorOnce() {
    Ledger l = new Ledger("acme");
    l.add("acme/m", event(EventType.TRAINING, List.of(), List.of(model("model", BASE))));
    l.add("acme/m", event(EventType.CONVERSION, List.of(model("model", BASE)), List.of(model("q", QUANT))));
    l.add("acme/m", event(EventType.FINE_TUNE, List.of(model("model", BASE)), List.of(model("t", TUNED))));
    Step merge = l.add("acme/m", event(EventType.MERGE, List.of(model("a", QUANT), model("b", TUNED)),
        List.of(model("merged", digest("merged")))));
    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());

    String text = LineageTextRenderer.render(g, merge, s -> "k", List.of());

    assertThat(text.lines().filter(x -> x.contains("from training acme/m:0"))).hasSize(2);
    assertThat(text.lines().filter(x -> x.contains("(shown above)"))).hasSize(1);
  }

  @Test
  void render_deepLineage_isIterativeAndBounded() {
    Ledger l = new Ledger("acme");
    Step last = l.add("acme/m", event(EventType.TRAINING, List.of(), List.of(model("m", digest("0")))));
    for (int i = 1; i <= 10_500; i++) {
      last = l.add("acme/m", event(EventType.CONVERSION, List.of(model("m", digest(Integer.toString(i - 1)))),
          List.of(model("m", digest(Integer.toString(i))))));
    }
    LineageGraph g = LineageGraph.build(l.steps, LineageSettings.strict(), List.of());
    String text = LineageTextRenderer.render(g, last, s -> "k", List.of());

    assertThat(text.lines().count()).isEqualTo(LineageTextRenderer.MAX_LINES + 1);
    assertThat(text).endsWith("... output cut at 10000 lines; 501 more steps of this lineage not shown (use --json)\n");
    String deepest = text.lines().skip(LineageTextRenderer.MAX_LINES - 1).findFirst().orElseThrow();
    assertThat(deepest).startsWith("… ").hasSizeLessThan(4 * LineageTextRenderer.MAX_INDENT_LEVELS + 200);
  }
}
