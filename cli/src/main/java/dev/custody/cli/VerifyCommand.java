package dev.custody.cli;

import dev.custody.core.FormatException;
import dev.custody.core.text.Untrusted;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.artifacts.ModelCheck;
import dev.custody.verify.report.JsonReportRenderer;
import dev.custody.verify.report.TextReportRenderer;
import java.io.IOException;
import java.nio.file.Path;
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

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text (default) or json.")
  String format;

  @Option(names = "--model", paramLabel = "DIR", description = "Also re-hash this model directory (or file) and check"
      + " it file by file against the manifest of the newest release of --chain, or of --entry.")
  Path model;

  @Option(names = "--entry", paramLabel = "CHAIN:SEQ|HASH", description = "With --model: the entry whose model"
      + " to check against (default: the newest release of --chain).")
  String entry;

  @Override
  public Integer call() throws IOException, FormatException {
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("--format must be text or json, got " + Untrusted.quote(format));
    }
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
    VerificationReport report = b.build().verify(ledgerOption.resolve());
    if (modelCheck != null) {
      try (HashBar bar = HashBar.start("verify model", quiet.quiet)) {
        report = report.withFindings(modelCheck.check(ledgerOption.resolve(), model, bar));
      }
    }
    String rendered = format.equals("json") ? JsonReportRenderer.render(report) : TextReportRenderer.render(report);
    spec.commandLine().getOut().print(rendered.endsWith("\n") ? rendered : rendered + "\n");
    return report.verified() ? Main.VERIFIED : Main.FAILED;
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
