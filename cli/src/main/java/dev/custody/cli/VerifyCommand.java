package dev.custody.cli;

import dev.custody.core.FormatException;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.artifacts.ModelCheck;
import dev.custody.verify.lineage.DerivationCheck;
import dev.custody.verify.lineage.LineageCollector;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.verify.lineage.ModelWeights;
import dev.custody.verify.report.HtmlReportOptions;
import dev.custody.verify.report.HtmlReportRenderer;
import dev.custody.verify.report.JsonReportRenderer;
import dev.custody.verify.report.TextReportRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Replay the ledger offline: strict parsing, every signature by a trusted key, hash links,"
        + " sequence numbers, no forks or duplicates, and the Merkle root against every checkpoint (the ledger's own"
        + " and --checkpoint), witness cosignatures and RFC 3161 timestamps when asked. Prints a report naming every"
        + " problem's entry.",
        "With --model DIR, also re-hashes the model and names every file missing, extra or changed against the"
            + " released manifest.",
        "Exit 0 verified, 1 verification failed, 2 bad usage or unreadable input."})
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin QuietOption quiet;

  @Option(names = "--trust", required = true, paramLabel = "PATH",
      description = "A trusted public key file, or a directory of *.pub files.")
  Path trust;

  @Option(names = "--chain", paramLabel = "ID", description = "Report on this chain only.")
  String chain;

  @Option(names = "--log-key", paramLabel = "VKEY|FILE",
      description = "A trusted log key for checkpoints: a verifier key string (name+hash+base64, as 'custody info' prints"
          + " it) or a file holding one. Repeatable. *.vkey files in the --trust directory are trusted too. Without"
          + " any, checkpoints are checked with the ledger's own log/vkey (a warning says so).")
  java.util.List<String> logKeys = new java.util.ArrayList<>();

  @Mixin CheckpointEvidenceOptions checkpointEvidence; // --checkpoint, --witness-key, --witness-threshold, --tsa-root

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text (default), json, or"
      + " html: one self-contained page with the verdict, a summary, the lineage graph, a timeline and the findings.")
  String format;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE (replaced atomically; not inside"
      + " the ledger) instead of standard output.")
  Path out;

  @Option(names = "--model", paramLabel = "DIR", description = "Also re-hash this model directory (or file) and check"
      + " it file by file against the manifest of the newest release of --chain, or of --entry.")
  Path model;

  @Option(names = "--entry", paramLabel = "CHAIN:SEQ|HASH", description = "With --model: the entry whose model"
      + " to check against (default: the newest release of --chain).")
  String entry;

  @Option(names = "--weights", paramLabel = "DIR|FILE", description = "Model weights at hand (a directory of"
      + " safetensors files, or one file), named by their digest: every fine-tune, conversion and merge whose model"
      + " input and output are both at hand is checked against the weights, and a model that is a near-copy of"
      + " another one its lineage does not include is reported. Signed comparisons in the ledger count as evidence"
      + " too. Repeatable. With --chain, that chain's lineage only.")
  java.util.List<Path> weights = new java.util.ArrayList<>();

  @Override
  public Integer call() throws IOException, dev.custody.core.CustodyException {
    if (!format.equals("text") && !format.equals("json") && !format.equals("html")) {
      throw new IllegalArgumentException("--format must be text, json or html, got "
          + dev.custody.core.text.Untrusted.quote(format));
    }
    ReportFile outFile = out == null ? null : ReportFile.check(out, ledgerOption.resolve(), reportInputs());
    LedgerVerifier.Builder b = LedgerVerifier.builder(TrustedKeys.load(trust));
    java.util.List<dev.custody.core.note.VerifierKey> keys = new java.util.ArrayList<>(TrustedKeys.loadLogKeys(trust));
    for (String k : logKeys) {
      keys.add(TrustedKeys.parseLogKey(k));
    }
    b.logKeys(keys);
    checkpointEvidence.configure(b);
    if (chain != null) {
      b.chain(chain);
    }
    ModelCheck modelCheck = modelCheck();
    if (modelCheck != null) {
      b.observer(modelCheck);
    }
    for (Path w : weights) {
      if (!Files.isDirectory(w, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(w, LinkOption.NOFOLLOW_LINKS)) {
        throw new ParameterException(spec.commandLine(), "--weights " + dev.custody.core.text.Untrusted.quote(w.toString())
            + " is not a model directory or a safetensors file" + (Files.isSymbolicLink(w) ? " (symbolic links are"
            + " refused, as record refuses them)" : ""));
      }
    }
    // The HTML page draws the lineage, and --weights checks it: collect it, judge it as the --trust case does (gaps
    // are warnings), and let its findings count. (The lead moves this into the verifier for every format.)
    LineageCollector lineage = format.equals("html") || !weights.isEmpty() ? new LineageCollector(ledgerLabel()) : null;
    if (lineage != null) {
      b.observer(lineage);
    }
    Path ledger = ledgerOption.resolve();
    VerificationReport report;
    Optional<LineageGraph> graph;
    try {
      report = b.build().verify(ledger);
      graph = Optional.ofNullable(lineage)
          .map(l -> LineageGraph.build(l.steps(), LineageSettings.lenient(), java.util.List.of()));
      if (graph.isPresent()) {
        report = report.withFindings(graph.get().findings());
        // With no weights, signed comparisons are still judged against the claims they concern.
        report = report.withFindings(derivation(graph.get(), ledger));
      }
      if (modelCheck != null) {
        try (HashBar bar = HashBar.start("verify model", quiet.quiet)) {
          report = report.withFindings(modelCheck.check(ledger, model, bar));
        }
      }
    } catch (OutOfMemoryError e) {
      // Exit 2, never 1: running out of memory decides nothing about the ledger. Replay holds bounded
      // state (SECURITY.md); what remains per entry and per chain can still exceed a small heap.
      throw new VerificationStopped("verification of " + ledger + " stopped: out of memory (the Java heap is limited"
          + " to " + Main.maxHeapMiB() + " MiB); the ledger needs more memory than this heap (about 64 bytes per entry"
          + " and a few hundred per chain), or is built to exhaust it; nothing was verified. Run with a larger heap,"
          + " e.g. java -Xmx4g -jar custody.jar verify ...", e);
    }
    String rendered = switch (format) {
      case "json" -> JsonReportRenderer.render(report);
      case "html" -> HtmlReportRenderer.render(report, graph, HtmlReportOptions.defaults().withGeneratedAt(Instant.now()));
      default -> TextReportRenderer.render(report);
    };
    rendered = rendered.endsWith("\n") ? rendered : rendered + "\n";
    if (outFile != null) {
      outFile.write(rendered);
    } else {
      spec.commandLine().getOut().print(rendered);
    }
    return report.verified() ? Main.VERIFIED : Main.FAILED;
  }

  /** {@code --weights}: the lineage's model links checked against the weights at hand and the signed comparisons. */
  private java.util.List<dev.custody.verify.Finding> derivation(LineageGraph graph, Path ledger)
      throws IOException, dev.custody.core.CustodyException {
    java.util.List<ModelWeights> at = new java.util.ArrayList<>();
    for (Path w : weights) {
      try (HashBar bar = HashBar.start("hash " + w.getFileName(), quiet.quiet)) {
        at.add(ModelWeights.open(w, java.util.List.of(ledger), bar));
      }
    }
    if (chain == null) {
      return DerivationCheck.check(graph, at);
    }
    return DerivationCheck.check(graph, at, graph.steps().stream().filter(s -> s.chain().equals(chain)).toList());
  }

  /** Verification could not finish (e.g. out of memory): exit 2 with the message, not a verdict. */
  static final class VerificationStopped extends dev.custody.core.CustodyException {
    private static final long serialVersionUID = 1L;

    VerificationStopped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What this verification reads besides the ledger, which --out may not replace. */
  private java.util.Map<String, Path> reportInputs() {
    java.util.Map<String, Path> in = new java.util.LinkedHashMap<>();
    in.put("--trust", trust);
    in.put("--model", model);
    for (int i = 0; i < weights.size(); i++) {
      in.put(weights.size() == 1 ? "--weights" : "--weights (" + (i + 1) + ")", weights.get(i));
    }
    Path cp = checkpointEvidence.checkpoint;
    in.put("--checkpoint", cp);
    in.put("the timestamp of --checkpoint", cp == null || cp.getFileName() == null ? null
        : cp.resolveSibling(cp.getFileName() + ".tsr"));
    return in;
  }

  /** How the report names the ledger its steps come from: the directory's name. */
  private String ledgerLabel() {
    Path name = ledgerOption.resolve().toAbsolutePath().normalize().getFileName();
    return name == null ? ledgerOption.resolve().toString() : name.toString();
  }

  /** The model check --model asks for, or null. */
  private ModelCheck modelCheck() {
    if (model == null) {
      if (entry != null) {
        throw new ParameterException(spec.commandLine(), "--entry needs --model DIR");
      }
      return null;
    }
    if (entry != null) {
      return ModelCheck.entry(entry);
    }
    if (chain == null) {
      throw new ParameterException(spec.commandLine(), "--model needs --chain ID (its newest release) or --entry"
          + " CHAIN:SEQ|HASH");
    }
    return ModelCheck.newestRelease(chain);
  }
}
