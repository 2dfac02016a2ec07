package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.LogStoreProvider;
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

  @Option(names = "--store", paramLabel = "URL",
      description = "Create a shared ledger in a PostgreSQL database instead of a directory: postgresql://HOST[:PORT]/DB"
          + " (an empty database; password from PGPASSWORD, ~/.pgpass or ?passwordFile=PATH, never in the URL)."
          + " Needs --log-key.")
  String store;

  @Option(names = "--log-key", paramLabel = "FILE",
      description = "With --store: where the new private log key is written (mode 0600; the database never holds it)."
          + " Writers that sign checkpoints name it in $CUSTODY_LOG_KEY.")
  Path logKey;

  @Option(names = "--json", description = "Print JSON: ledger (absolute path), origin, verifierKey (the log key to"
      + " publish), checkpointIntervalMillis (null: off).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    String location = store != null ? store : ledger.location();
    if (!LedgerLocation.isUrl(location) && (store != null || logKey != null)) {
      throw new IllegalArgumentException(store != null ? "--store takes a URL such as postgresql://HOST/DB, not "
          + Untrusted.quote(store) + "; a ledger directory is given with --ledger DIR"
          : "--log-key is for a ledger created with --store URL; a ledger directory keeps its log key in DIR/log/key");
    }
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
    SecureRandom random = new SecureRandom();
    String o = origin != null ? origin : LogIdentity.defaultOrigin(random);
    LogConfig config;
    try {
      config = new LogConfig(o, intervalMillis < 0 ? Optional.empty() : Optional.of(intervalMillis));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--origin: " + e.getMessage(), e);
    }
    if (LedgerLocation.isUrl(location)) {
      return createAtUrl(location, config, random);
    }
    Path dir = ledger.resolve();
    networkFs.checkBeforeCreating(dir, spec);
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
    return printCreated(dir.toAbsolutePath().normalize().toString(), o, vkey);
  }

  private Integer printCreated(String where, String o, String vkey) {
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("ledger", where);
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
    spec.commandLine().getOut().println("initialised ledger " + Untrusted.escape(where));
    spec.commandLine().getOut().println("log origin   " + o);
    spec.commandLine().getOut().println("log key      " + vkey + "  (publish it: verifiers trust checkpoints signed by it)");
    return Main.VERIFIED;
  }

  /** {@code --store URL}: the ledger in a database, its private log key in {@code --log-key FILE}. */
  private Integer createAtUrl(String url, LogConfig config, SecureRandom random)
      throws IOException, FormatException {
    if (logKey == null) {
      throw new IllegalArgumentException("--store " + Untrusted.quote(url) + " needs --log-key FILE: where the new"
          + " private log key is written (the database never holds it)");
    }
    Ledger.create(url, config, random, LogStoreProvider.Settings.fromEnvironment().withLogKeyFile(logKey));
    String vkey;
    try (Ledger created = LedgerLocation.openReadOnly(url)) {
      vkey = created.identity().orElseThrow().verifierKey().encode();
    }
    return printCreated(url, config.origin(), vkey);
  }
}
