package dev.custody.cli;

import dev.custody.core.CustodyException;
import dev.custody.core.entry.EntryLocator;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.ModelCheck;
import dev.custody.verify.report.HtmlReportOptions;
import dev.custody.verify.report.HtmlReportRenderer;
import dev.custody.verify.report.JsonReportRenderer;
import dev.custody.verify.report.TextReportRenderer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Replay ledgers offline and judge them: strict parsing, every signature by a trusted key (and, under"
        + " --policy, by an identity allowed that kind of event on that chain at that time), hash links, sequence"
        + " numbers, no forks or duplicates, the Merkle root against every checkpoint (the ledger's own and"
        + " --checkpoint), witness cosignatures and RFC 3161 timestamps when asked, the lineage of every model across"
        + " chains and ledgers, and the policy's rules. Prints a report naming every problem's entry.",
        "With --model DIR, also re-hashes the model and names every file missing, extra or changed against the"
            + " released manifest (of --entry, of the newest release of --chain, or of the release of the model's"
            + " own digest).",
        "Exit 0 verified, 1 verification failed, 2 bad usage or unreadable input."})
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EvidenceOptions evidence;
  @Mixin QuietOption quiet;

  @Option(names = "--chain", paramLabel = "ID", description = "Report on this chain only.")
  String chain;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text (default: the verdict,"
      + " a summary and the findings by severity), json (the versioned document custody/report/v1), or html: one"
      + " self-contained page with the verdict, a summary, the lineage graph, a timeline and the findings.")
  String format;

  @Option(names = "--json", description = "The same as --format json: the report as custody/report/v1 (errors, too,"
      + " are then JSON on standard error).")
  boolean json;

  @Option(names = "--color", defaultValue = "auto", paramLabel = "WHEN", description = "Colour the text report:"
      + " auto (default: on a terminal, unless NO_COLOR is set or --out is given), always, or never.")
  String color;

  @Option(names = "--lineage", description = "With --format json: add the lineage (every step in the report's scope,"
      + " the links between them and the roots they use).")
  boolean lineage;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE (replaced atomically; not inside"
      + " a ledger) instead of standard output.")
  Path out;

  @Option(names = "--model", paramLabel = "DIR", description = "Also re-hash this model directory (or file) and check"
      + " it file by file against a released manifest: of --entry, else of the newest release of --chain, else of"
      + " the newest release whose model digest is DIR's own root digest.")
  Path model;

  @Option(names = "--entry", paramLabel = "CHAIN:SEQ|HASH", description = "With --model: the entry whose model"
      + " to check against.")
  String entry;

  @Override
  public Integer call() throws IOException, CustodyException {
    if (json) {
      if (!format.equals("text") && !format.equals("json")) {
        throw new ParameterException(spec.commandLine(), "--json is --format json: do not give --format "
            + dev.custody.core.internal.text.Untrusted.quote(format) + " with it");
      }
      format = "json";
    }
    if (!format.equals("text") && !format.equals("json") && !format.equals("html")) {
      throw new IllegalArgumentException("--format must be text, json or html, got "
          + dev.custody.core.internal.text.Untrusted.quote(format));
    }
    Terminal.ColourMode colour = Terminal.ColourMode.parse(color);
    if (lineage && !format.equals("json")) {
      throw new ParameterException(spec.commandLine(), "--lineage adds the lineage to the JSON report: give --format"
          + " json too (the html report always draws it; 'custody lineage' prints one model's)");
    }
    evidence.quiet = quiet.quiet || format.equals("json"); // under JSON, stderr carries only JSON
    EvidenceOptions.Prepared prepared = evidence.prepare();
    java.util.Map<String, Path> inputs = evidence.inputs();
    inputs.put("--model", model);
    ReportFile outFile = out == null ? null : ReportFile.check(out, evidence.ledgers(), inputs);
    if (chain != null) {
      prepared.builder().chain(chain);
    }
    VerificationReport report;
    try (HashBar bar = model == null ? null : HashBar.start("verify model", evidence.quiet)) {
      if (model != null) {
        prepared.builder().model(model, modelTarget(), bar);
      } else if (entry != null) {
        throw new ParameterException(spec.commandLine(), "--entry needs --model DIR");
      }
      report = prepared.builder().build().verifyAll(prepared.sources());
    } catch (OutOfMemoryError e) {
      // Exit 2, never 1: running out of memory decides nothing about the ledger. Replay holds bounded
      // state (SECURITY.md); what remains per entry and per chain can still exceed a small heap.
      throw new VerificationStopped("verification of " + evidence.ledgers() + " stopped: out of memory (the Java heap"
          + " is limited to " + Main.maxHeapMiB() + " MiB); the ledger needs more memory than this heap (a few hundred"
          + " bytes per entry for its lineage, and per chain), or is built to exhaust it; nothing was verified. Run"
          + " with a larger heap, e.g. java -Xmx4g -jar custody.jar verify ...", e);
    }
    String rendered = switch (format) {
      case "json" -> JsonReportRenderer.render(report, lineage);
      case "html" -> HtmlReportRenderer.render(report, report.lineage(), HtmlReportOptions.defaults()
          .withSignerLabel(report::signerLabel).withGeneratedAt(Instant.now()));
      default -> TextReportRenderer.render(report,
          colour.colour(Terminal.interactive(), System.getenv("NO_COLOR"), outFile != null));
    };
    rendered = rendered.endsWith("\n") ? rendered : rendered + "\n";
    if (outFile != null) {
      outFile.write(rendered);
    } else {
      spec.commandLine().getOut().print(rendered);
    }
    return report.verified() ? Main.VERIFIED : Main.FAILED;
  }

  /** Verification could not finish (e.g. out of memory): exit 2 with the message, not a verdict. */
  static final class VerificationStopped extends CustodyException {
    private static final long serialVersionUID = 1L;

    VerificationStopped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Which release the model is checked against. */
  private ModelCheck.Target modelTarget() {
    if (entry != null) {
      try {
        return ModelCheck.Target.entry(EntryLocator.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--entry " + e.getMessage(), e);
      }
    }
    return chain != null ? ModelCheck.Target.newestRelease(chain) : ModelCheck.Target.releaseOfModel();
  }
}
