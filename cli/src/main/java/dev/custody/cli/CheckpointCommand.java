package dev.custody.cli;

import dev.custody.attest.AttestException;
import dev.custody.attest.ledger.Ledger;
import dev.custody.attest.timestamp.CheckpointTimestamps;
import dev.custody.attest.timestamp.TimestampClient;
import dev.custody.core.FormatException;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = {"Sign the ledger's current tree head with the log key as a C2SP tlog-checkpoint signed note, store it",
        "(DIR/checkpoint and DIR/checkpoints/<size>) and print it. Hand it to auditors: 'custody verify --checkpoint'",
        "against it later detects truncation and rewriting.",
        "With --tsa, also obtain an RFC 3161 timestamp of the checkpoint text from that timestamp authority and store it",
        "beside the checkpoint (DIR/checkpoints/<size>.tsr, and DIR/checkpoint.tsr); 'custody verify --tsa-root' checks it."},
    footer = {"", "Exit codes: 0 checkpoint made (and timestamped), 2 bad input or the TSA failed (the checkpoint is then"
        + " already stored and printed; run the command again to retry the timestamp)."})
final class CheckpointCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;
  @Mixin NetworkFsOption networkFs;

  @Option(names = "--tsa", paramLabel = "URL",
      description = "An RFC 3161 timestamp authority (HTTP POST of application/timestamp-query), e.g."
          + " http://timestamp.example/tsr.")
  URI tsa;

  @Override
  public Integer call() throws IOException, FormatException, AttestException, TimestampException {
    if (tsa != null && !"http".equals(tsa.getScheme()) && !"https".equals(tsa.getScheme())) {
      throw new IllegalArgumentException("--tsa must be an http or https URL, got '" + tsa + "'");
    }
    Path dir = ledgerOption.resolve();
    SignedNote note;
    try (Ledger ledger = networkFs.open(dir, spec)) {
      note = ledger.checkpoint();
    }
    spec.commandLine().getOut().print(new String(note.encoded(), StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
    if (tsa != null) {
      TimestampToken token;
      try {
        token = TimestampClient.create().timestampCheckpoint(tsa, note);
      } catch (TimestampException e) {
        throw new TimestampException(e.reason(), "the checkpoint was stored, but the TSA " + tsa + " did not"
            + " timestamp it: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new IOException("the checkpoint was stored, but the TSA " + tsa + " could not be reached: "
            + e.getMessage(), e);
      }
      List<Path> files = CheckpointTimestamps.store(dir, note, token);
      spec.commandLine().getErr().println("custody: timestamped by " + tsa + " at " + token.unverifiedGenTime()
          + " (not yet verified; 'custody verify --tsa-root' checks it): " + files);
    }
    return Main.VERIFIED;
  }
}
