package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "init", mixinStandardHelpOptions = true,
    description = {"Create an empty ledger with a transparency-log identity: an origin name and an Ed25519 log key",
        "(DIR/log/key, mode 0600; DIR/log/vkey; DIR/log/config.json). Appends then sign checkpoints automatically."})
final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledger;
  @Mixin NetworkFsOption networkFs;

  @Option(names = "--origin", paramLabel = "NAME",
      description = "The log's origin (first line of its checkpoints, and the log key's name), e.g. example.com/models;"
          + " no spaces or '+'. Default: custody.local/<16 random hex digits>.")
  String origin;

  @Option(names = "--checkpoint-interval", paramLabel = "MILLIS", defaultValue = "1000",
      description = "Automatic checkpoints: after a durable batch of appends, sign one when at least this many ms passed"
          + " since the last (0: after every batch; -1: off). Default: ${DEFAULT-VALUE}.")
  long intervalMillis;

  @Option(names = "--json", description = "Print JSON: ledger (absolute path), origin, verifierKey (the log key to"
      + " publish), checkpointIntervalMillis (null: off).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    Path dir = ledger.resolve();
    if (intervalMillis < -1) {
      throw new IllegalArgumentException("--checkpoint-interval must be -1 (off), 0 or a number of milliseconds, got "
          + intervalMillis);
    }
    if (origin != null && Untrusted.needsEscaping(origin)) {
      // An origin heads every checkpoint and report: it must print as it is.
      throw new IllegalArgumentException("--origin " + Untrusted.quote(origin) + " holds characters that do not print"
          + " as themselves (controls, bidi or other format characters, a backslash); use a name like"
          + " example.com/models");
    }
    networkFs.checkBeforeCreating(dir, spec);
    SecureRandom random = new SecureRandom();
    String o = origin != null ? origin : LogIdentity.defaultOrigin(random);
    LogConfig config;
    try {
      config = new LogConfig(o, intervalMillis < 0 ? Optional.empty() : Optional.of(intervalMillis));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--origin: " + e.getMessage(), e);
    }
    try {
      Ledger.create(dir, config, random);
    } catch (FormatException e) {
      if (Files.exists(dir.resolve(LedgerLayout.MARKER))) {
        throw new CommandError(ErrorReport.of(ErrorReport.Code.ALREADY_EXISTS, e.getMessage())
            .withFile(dir.toString()));
      }
      if (origin != null) {
        throw new FormatException("--origin " + Untrusted.quote(origin) + " is not usable as a log name: "
            + e.getMessage(), e);
      }
      throw e;
    }
    String vkey = new String(LedgerLayout.readSmallFile(dir.resolve(LedgerLayout.LOG_VKEY)),
        java.nio.charset.StandardCharsets.UTF_8).strip();
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("ledger", dir.toAbsolutePath().normalize().toString());
        g.writeStringField("origin", o);
        g.writeStringField("verifierKey", vkey);
        if (intervalMillis < 0) {
          g.writeNullField("checkpointIntervalMillis");
        } else {
          g.writeNumberField("checkpointIntervalMillis", intervalMillis);
        }
      }));
      return Main.VERIFIED;
    }
    spec.commandLine().getOut().println("initialised ledger " + Untrusted.escape(dir.toAbsolutePath().normalize()
        .toString()));
    spec.commandLine().getOut().println("log origin   " + o);
    spec.commandLine().getOut().println("log key      " + vkey + "  (publish it: verifiers trust checkpoints signed by it)");
    return Main.VERIFIED;
  }
}
