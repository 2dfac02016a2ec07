package dev.custody.cli;

import static dev.custody.verify.report.ReportWords.plural;

import dev.custody.core.CustodyException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryLocator;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.RootUse;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.report.LineageJsonRenderer;
import dev.custody.verify.report.LineageTextRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "lineage", mixinStandardHelpOptions = true,
    description = {"Prove where a model came from: verify the ledgers (as 'custody verify' does), then print the"
        + " lineage of TARGET back to its roots — every step it derives from (datasets ingested, training,"
        + " fine-tunes, conversions, merges, base models from other ledgers or declared external roots), who signed"
        + " each, the evaluations and approvals of each — with the findings about those steps and a verdict.",
        "TARGET: a model directory or file (hashed; the newest release of its root digest), a digest (an entry hash,"
            + " or a model digest: its newest release, else its producer), or CHAIN:SEQ.",
        "The verdict counts the errors about the lineage's steps and about the ledgers as a whole (e.g. truncation);"
            + " errors about unrelated entries are counted but do not fail it.",
        "Exit 0 the lineage verified, 1 it did not (or TARGET is in no authentic entry), 2 bad usage or unreadable"
            + " input."})
final class LineageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EvidenceOptions evidence;
  @Mixin QuietOption quiet;

  @Parameters(paramLabel = "TARGET", description = "MODEL_DIR|FILE, sha256:DIGEST, or CHAIN:SEQ")
  String target;

  @Option(names = "--json", description = "One JSON document (custody/lineage/v1) instead of text.")
  boolean json;

  @Override
  public Integer call() throws IOException, CustodyException {
    evidence.quiet = quiet.quiet || json; // under --json, stderr carries only JSON
    EvidenceOptions.Prepared prepared = evidence.prepare();
    Target t = target();
    VerificationReport report = prepared.builder().build().verifyAll(prepared.sources());
    LineageGraph graph = report.lineage().orElseThrow();
    PrintWriter out = spec.commandLine().getOut();
    Optional<Step> step = t.find(graph);
    if (step.isEmpty()) {
      ErrorReport r = ErrorReport.of(ErrorReport.Code.NOT_IN_LEDGER, t.describe() + " is in no authentic entry of "
          + Untrusted.quote(evidence.ledgers().toString()) + ": its lineage cannot be shown, let alone proven. Check"
          + " the target, the ledgers given and the trusted keys (" + report.entriesChecked() + " entries checked)");
      // TARGET as given: a model directory or file, else a digest or CHAIN:SEQ.
      boolean model = !Digest.isDigestText(target) && Files.exists(Path.of(target), LinkOption.NOFOLLOW_LINKS);
      throw new CommandError(model ? r.withFile(target) : r.withEntry(target), Main.FAILED);
    }
    Step s = step.get();
    List<Step> scope = graph.lineageOf(s);
    Set<RecordRef> refs = new HashSet<>();
    scope.forEach(x -> refs.add(x.ref()));
    List<Finding> findings = report.findings().stream()
        .filter(f -> f.entry().map(refs::contains).orElse(true)).toList();
    long errors = findings.stream().filter(Finding::isError).count();
    long omittedErrors = report.errorCount() - report.findings().stream().filter(Finding::isError).count();
    long elsewhere = report.errorCount() - errors - omittedErrors;
    // Errors past the report's per-code bound are not listed, so they may concern this lineage: they count.
    boolean verified = errors == 0 && omittedErrors == 0;
    if (json) {
      out.println(LineageJsonRenderer.render(graph, s, verified, report::signerLabel, findings));
      return verified ? Main.VERIFIED : Main.FAILED;
    }
    out.println("lineage of " + t.describe() + ": " + s.describe(graph.severalLedgers()) + " (" + s.hash() + ")");
    out.print(LineageTextRenderer.render(graph, s, report::signerLabel, findings));
    List<Finding> global = findings.stream().filter(f -> f.entry().isEmpty() && f.severity() != Severity.INFO).toList();
    for (Finding f : global) {
      out.println(f.severity() + " " + f.code() + ": " + Untrusted.sanitize(f.message()));
    }
    List<RootUse> roots = graph.lineageRoots(s);
    long unproven = roots.stream().filter(RootUse::isUnproven).count();
    long warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
    String summary = plural(scope.size(), "step") + ", " + plural(roots.size(), "root") + " (" + unproven
        + " not produced by any step nor declared), " + plural(errors, "error") + " and " + plural(warnings, "warning")
        + " about it"
        + (elsewhere > 0 ? "; " + plural(elsewhere, "more error") + " about other entries ('custody verify' lists them)"
            : "")
        + (omittedErrors > 0 ? "; " + plural(omittedErrors, "error") + " beyond the report's per-code bound, which may"
            + " concern it" : "");
    out.println((verified ? "LINEAGE VERIFIED: " : "LINEAGE FAILED: ") + summary);
    return verified ? Main.VERIFIED : Main.FAILED;
  }

  /** What TARGET names. */
  private interface Target {
    Optional<Step> find(LineageGraph graph);

    String describe();
  }

  private Target target() throws IOException, CustodyException {
    Path p = Path.of(target);
    if (!Digest.isDigestText(target) && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      Digest root;
      try (HashBar bar = HashBar.start("hash model", quiet.quiet || json)) {
        root = ModelHasher.builder().progress(bar).build().hash(p).rootDigest();
      }
      return model(root, "model " + Untrusted.quote(target) + " (root digest " + root + ")");
    }
    if (Digest.isDigestText(target)) {
      Digest d = Digest.parse(target);
      Target asModel = model(d, "digest " + d);
      return new Target() {
        @Override
        public Optional<Step> find(LineageGraph graph) {
          return graph.step(d).or(() -> asModel.find(graph));
        }

        @Override
        public String describe() {
          return "digest " + d;
        }
      };
    }
    EntryLocator.Position at;
    try {
      at = (EntryLocator.Position) EntryLocator.parse(target); // a digest was taken above
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TARGET is not an existing model directory or file, and " + e.getMessage(), e);
    }
    String chain = at.chain();
    long seq = at.sequence();
    return new Target() {
      @Override
      public Optional<Step> find(LineageGraph graph) {
        List<Step> found = graph.steps().stream().filter(s -> s.chain().equals(chain) && s.sequence() == seq).toList();
        if (found.size() > 1) {
          // A chain lives in one ledger: two ledgers may each have a chain of this id. Do not pick one.
          throw new IllegalArgumentException("TARGET " + Untrusted.quote(target) + " names an entry in "
              + found.size() + " of the ledgers given: " + String.join(", ", found.stream().map(s ->
                  Untrusted.quote(s.ledger()) + " (" + s.hash() + ")").toList()) + "; name the one you mean by its entry"
              + " hash instead");
        }
        return found.stream().findFirst();
      }

      @Override
      public String describe() {
        return "entry " + chain + ":" + seq;
      }
    };
  }

  /** A model by digest: its newest release (by claimed time), else the last step that produced it. */
  private static Target model(Digest d, String what) {
    return new Target() {
      @Override
      public Optional<Step> find(LineageGraph graph) {
        List<Step> releases = new ArrayList<>(graph.releasesOf(d));
        if (!releases.isEmpty()) {
          return releases.stream().max(Comparator.comparing(Step::time).thenComparing(LineageGraph.ORDER));
        }
        List<Step> producers = graph.producersOf(d);
        return producers.isEmpty() ? Optional.empty() : Optional.of(producers.get(producers.size() - 1));
      }

      @Override
      public String describe() {
        return what;
      }
    };
  }
}
