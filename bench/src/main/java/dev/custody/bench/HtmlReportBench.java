package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.internal.lineage.LineageCollector;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.verify.report.HtmlReportOptions;
import dev.custody.verify.report.HtmlReportRenderer;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Times the HTML report of ledgers of linked lineage (README, HTML report): in a fresh JVM, the
 * first render of a tiny report (what loading ELK, EMF and the renderer costs once), then for each
 * size the replay with lineage collection, the lineage graph, and the page (the picture bound to
 * {@link HtmlReportOptions#DEFAULT_MAX_NODES} nodes), twice. Each ledger is a run of model lines of
 * ten steps (dataset, training on the previous line's release, evaluations, conversion, fine-tune,
 * releases); every 50th line fine-tunes on a dataset no step produced (a lineage warning).
 *
 * <pre>
 * java -cp cli/target/custody.jar:bench/target/classes dev.custody.bench.HtmlReportBench [STEPS...] [--dir DIR]
 * </pre>
 *
 * Prints a table and, last, one JSON line; leaves each page as {@code report-STEPS.html} in the directory.
 */
public final class HtmlReportBench {
  private static final java.lang.management.ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private HtmlReportBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--dir")) {
        dir = Path.of(args[++i]);
      } else {
        sizes.add(Integer.parseInt(args[i]));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000, 10_000);
    }
    Path work = dir == null ? Files.createTempDirectory("custody-html-bench") : Files.createDirectories(dir);
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);
    TrustedKeys trust = TrustedKeys.of(List.of(key.publicKey()));
    StringBuilder json = new StringBuilder("{\"bench\":\"html-report\"");

    // Cold: the first page of the JVM, for a 10-step ledger (class loading of ELK/EMF and the renderer, JIT).
    Path tiny = work.resolve("tiny");
    generate(tiny, 10, key);
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    long t0 = System.nanoTime();
    Run cold = run(tiny, trust);
    double coldMs = (System.nanoTime() - t0) / 1e6;
    System.out.printf("%-46s %10.0f ms (replay %.0f, graph %.0f, page %.0f, page CPU %.0f; the JVM had run %d ms)%n",
        "first page in a fresh JVM, 10 steps", coldMs, cold.replayMs, cold.graphMs, cold.renderMs, cold.renderCpuMs,
        uptime);
    Run warmTiny = run(tiny, trust);
    System.out.printf("%-46s %10.0f ms (render %.0f ms)%n", "same page again (warm)", warmTiny.totalMs(), warmTiny.renderMs);
    json.append(",\"coldFirstPageMs\":").append(Math.round(coldMs)).append(",\"warmTinyPageMs\":")
        .append(Math.round(warmTiny.totalMs())).append(",\"coldFirstRenderMs\":").append(Math.round(cold.renderMs))
        .append(",\"coldFirstRenderCpuMs\":").append(Math.round(cold.renderCpuMs));

    for (int n : sizes) {
      Path ledger = work.resolve("ledger-" + n);
      generate(ledger, n, key);
      Run first = run(ledger, trust);
      Run second = run(ledger, trust);
      Files.writeString(work.resolve("report-" + n + ".html"), second.html);
      for (Run r : List.of(first, second)) {
        System.out.printf("%-30s replay+collect %,7.0f ms  graph %,6.0f ms  page %,6.0f ms (CPU %,6.0f ms; %,d bytes,"
            + " %d nodes drawn)%n", String.format("%,d steps%s", n, r == first ? "" : " (again)"), r.replayMs, r.graphMs,
            r.renderMs, r.renderCpuMs, r.bytes, r.nodes);
      }
      json.append(",\"steps").append(n).append("\":{\"replayMs\":").append(Math.round(second.replayMs))
          .append(",\"graphMs\":").append(Math.round(second.graphMs)).append(",\"renderMs\":")
          .append(Math.round(second.renderMs)).append(",\"renderCpuMs\":").append(Math.round(second.renderCpuMs))
          .append(",\"firstRenderMs\":").append(Math.round(first.renderMs))
          .append(",\"bytes\":").append(second.bytes).append(",\"nodesDrawn\":").append(second.nodes).append('}');
    }
    System.out.println(json.append('}'));
  }

  /** Wall times of the phases, and the CPU time of the render (one thread: robust on a busy machine). */
  private record Run(double replayMs, double graphMs, double renderMs, double renderCpuMs, int bytes, int nodes,
      String html) {
    double totalMs() {
      return replayMs + graphMs + renderMs;
    }
  }

  private static Run run(Path ledger, TrustedKeys trust) throws Exception {
    long a = System.nanoTime();
    LineageCollector collector = new LineageCollector(ledger.getFileName().toString());
    VerificationReport report = LedgerVerifier.builder(trust).observer(collector).build().verify(ledger);
    long b = System.nanoTime();
    LineageGraph graph = LineageGraph.build(collector.steps(), LineageSettings.lenient(), java.util.List.of());
    report = report.withFindings(graph.findings());
    long c = System.nanoTime();
    long cpu = CPU.getCurrentThreadCpuTime();
    String html = HtmlReportRenderer.render(report, Optional.of(graph));
    long d = System.nanoTime();
    double renderCpuMs = (CPU.getCurrentThreadCpuTime() - cpu) / 1e6;
    int nodes = html.split("<g class=\"(step|root) ", -1).length - 1;
    return new Run((b - a) / 1e6, (c - b) / 1e6, (d - c) / 1e6, renderCpuMs, html.getBytes(StandardCharsets.UTF_8).length,
        nodes, html);
  }

  /** Writes a ledger of {@code steps} entries: model lines of ten linked steps, each line building on the last. */
  static void generate(Path dir, int steps, SigningKey key) throws Exception {
    Ledger.create(dir);
    try (Ledger ledger = Ledger.open(dir)) {
      Digest previousRelease = null;
      List<CompletableFuture<EntryRef>> pending = new ArrayList<>();
      for (int line = 0; line * 10 < steps; line++) {
        String chain = "org-" + (line % 7) + "/line-" + line;
        Digest corpus = digest(chain + " corpus");
        Digest trained = digest(chain + " trained");
        Digest quant = digest(chain + " q4");
        Digest tuned = digest(chain + " tuned");
        List<Event> events = new ArrayList<>();
        events.add(Event.builder(EventType.DATASET_INGEST).output(art("corpus", ArtifactKind.DATASET, corpus))
            .parameter("license", "CC-BY-4.0").build());
        Event.Builder training = Event.builder(EventType.TRAINING).input(art("corpus", ArtifactKind.DATASET, corpus))
            .output(art("model", ArtifactKind.MODEL, trained)).parameter("epochs", "3");
        if (previousRelease != null) {
          training.input(art("base", ArtifactKind.MODEL, previousRelease));
        }
        events.add(training.build());
        events.add(evaluation(trained));
        events.add(Event.builder(EventType.CONVERSION).input(art("model", ArtifactKind.MODEL, trained))
            .output(art("model", ArtifactKind.MODEL, quant)).details(new EventDetails.Method(Optional.of("q4_k_m")))
            .build());
        events.add(evaluation(quant));
        Event.Builder tune = Event.builder(EventType.FINE_TUNE).input(art("model", ArtifactKind.MODEL, quant))
            .input(art("corpus", ArtifactKind.DATASET, corpus)).output(art("model", ArtifactKind.MODEL, tuned));
        if (line % 50 == 49) {
          tune.input(art("extra", ArtifactKind.DATASET, digest(chain + " unrecorded data")));
        }
        events.add(tune.build());
        events.add(evaluation(tuned));
        events.add(release(tuned, "1.0"));
        events.add(release(quant, "1.0-q4"));
        events.add(Event.builder(EventType.ANNOTATION).details(new EventDetails.Annotation("line " + line + " done"))
            .build());
        for (Event e : events.subList(0, Math.min(events.size(), steps - line * 10))) {
          pending.add(ledger.appendAsync(chain, e, key));
        }
        previousRelease = tuned;
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }
  }

  private static Event evaluation(Digest model) {
    return Event.builder(EventType.EVALUATION).input(art("model", ArtifactKind.MODEL, model))
        .details(new EventDetails.Evaluation(new TreeMap<>(Map.of("accuracy", new BigDecimal("0.9"))))).build();
  }

  private static Event release(Digest model, String version) {
    return Event.builder(EventType.RELEASE).output(art("model", ArtifactKind.MODEL, model))
        .details(new EventDetails.Release(version)).build();
  }

  private static ArtifactRef art(String name, ArtifactKind kind, Digest d) {
    return ArtifactRef.of(name, kind, d);
  }

  private static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }
}
