package dev.custody.cli;

import dev.custody.attest.AttestException;
import dev.custody.attest.Ledger;
import dev.custody.attest.StoredTimestamp;
import dev.custody.attest.internal.timestamp.TimestampClient;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.note.SignedNote;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampToken;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = {"Sign the ledger's current tree head with the log key as a C2SP tlog-checkpoint signed note, store it",
        "(DIR/checkpoint and DIR/checkpoints/<size>; in the table custody_checkpoints of a ledger reached by URL, whose",
        "log key file is --log-private-key, $CUSTODY_LOG_KEY or the URL's ?logKey=) and print it. Hand it to auditors: 'custody verify --checkpoint'",
        "against it later detects truncation and rewriting.",
        "With --tsa, also obtain an RFC 3161 timestamp of the checkpoint text from that timestamp authority and store it",
        "beside the checkpoint (DIR/checkpoints/<size>.tsr, and DIR/checkpoint.tsr; in the table custody_checkpoint_timestamps",
        "of a ledger reached by URL); a size keeps its first timestamp. 'custody verify --tsa-root' checks it."},
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

  @Option(names = "--tsa-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "With --tsa: give up on the TSA after this many seconds for the whole exchange (connect, send,"
          + " receive). Default: ${DEFAULT-VALUE}.")
  int tsaTimeoutSeconds;

  /** Longest --tsa-timeout: an hour is already far beyond any TSA's answer. */
  static final int MAX_TSA_TIMEOUT_SECONDS = 3600;

  @Option(names = "--json", description = "Print JSON: origin, size, rootHash (sha256:<hex>), note (the signed"
      + " checkpoint, exactly as stored), and with --tsa timestamp {tsa, time (not yet verified), files (where it is"
      + " stored: the files, or the database row)}.")
  boolean json;

  /** Under --json, the checkpoint (and its timestamp, when one was obtained) as one JSON object. */
  private void printJson(SignedNote note, TimestampToken token, List<String> places) throws FormatException {
    if (!json) {
      return;
    }
    Checkpoint cp = Checkpoint.parse(note.unverifiedText()); // signed here, by this process
    spec.commandLine().getOut().println(Json.object(g -> {
      g.writeStringField("origin", cp.origin());
      g.writeNumberField("size", cp.size());
      g.writeStringField("rootHash", Json.hash(cp.rootHash()));
      g.writeStringField("note", new String(note.encoded(), StandardCharsets.UTF_8));
      if (token != null) {
        g.writeObjectFieldStart("timestamp");
        g.writeStringField("tsa", tsa.toString());
        g.writeStringField("time", token.unverifiedGenTime().toString());
        g.writeArrayFieldStart("files");
        for (String place : places) {
          g.writeString(place);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }));
    spec.commandLine().getOut().flush();
  }

  /**
   * Opens the ledger to sign on: a directory through {@code --allow-network-fs}'s checks; a URL through the
   * store's writer, which signs under its lock (one signer at a time), with the log key of
   * {@code --log-private-key}, else {@code $CUSTODY_LOG_KEY}, else the URL's {@code ?logKey=}.
   */
  private Ledger open() throws IOException, FormatException {
    if (ledgerOption.isUrl()) {
      return LedgerLocation.open(ledgerOption.location(), Optional.ofNullable(networkFs.logPrivateKey));
    }
    return networkFs.open(ledgerOption.resolve(), spec);
  }

  @Override
  public Integer call() throws IOException, FormatException, AttestException, TimestampException {
    if (tsa != null && !"http".equals(tsa.getScheme()) && !"https".equals(tsa.getScheme())) {
      throw new ParameterException(spec.commandLine(), "--tsa must be an http or https URL, got "
          + Untrusted.quote(tsa.toString()));
    }
    if (tsaTimeoutSeconds < 1 || tsaTimeoutSeconds > MAX_TSA_TIMEOUT_SECONDS) {
      throw new ParameterException(spec.commandLine(), "--tsa-timeout must be 1 to " + MAX_TSA_TIMEOUT_SECONDS
          + " seconds, got " + tsaTimeoutSeconds);
    }
    // Open while the TSA answers: the token is stored where the checkpoint was, through the same store.
    try (Ledger ledger = open()) {
      SignedNote note = ledger.checkpoint();
      if (!json) {
        spec.commandLine().getOut().print(new String(note.encoded(), StandardCharsets.UTF_8));
        spec.commandLine().getOut().flush();
      }
      if (tsa == null) {
        printJson(note, null, null);
        return Main.VERIFIED;
      }
      TimestampToken token;
      StoredTimestamp stored;
      try {
        token = TimestampClient.create(Duration.ofSeconds(tsaTimeoutSeconds)).timestampCheckpoint(tsa, note);
      } catch (TimestampException e) {
        printJson(note, null, null);
        throw new TimestampException(e.reason(), "the checkpoint was stored, but the TSA " + tsa + " did not"
            + " timestamp it: " + e.getMessage(), e);
      } catch (IOException e) {
        printJson(note, null, null);
        // The client's message names the TSA and what happened (refused, unknown host, timeout, cut off).
        throw new IOException("the checkpoint was stored, but it was not timestamped: " + e.getMessage(), e);
      }
      try {
        stored = ledger.keepCheckpointTimestamp(note, token);
      } catch (IOException | RuntimeException e) {
        printJson(note, null, null);
        throw e;
      }
      printJson(note, token, stored.places());
      if (stored.earlierKept()) {
        // Not an error: the checkpoint is timestamped, by its first token (the earlier time is the stronger
        // evidence). Said on stderr under --json too, as the printed time is the new token's.
        spec.commandLine().getErr().println("custody: " + stored.places().get(0) + " already holds a timestamp of this"
            + " checkpoint, kept; the one of " + tsa + " at " + token.unverifiedGenTime() + " was not stored (a"
            + " timestamp is never replaced: delete it first to store another)");
      } else if (!json) {
        spec.commandLine().getErr().println("custody: timestamped by " + tsa + " at " + token.unverifiedGenTime()
            + " (not yet verified; 'custody verify --tsa-root' checks it): " + stored.places());
      }
    }
    return Main.VERIFIED;
  }
}
