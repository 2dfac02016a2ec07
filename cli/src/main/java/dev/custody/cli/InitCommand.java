package dev.custody.cli;

import dev.custody.attest.StoreSettings;
import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.LogKeyLocation;
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
        "(DIR/log/vkey, DIR/log/config.json). The log's private key is written outside the ledger, so that copying a",
        "ledger never copies a secret: to --log-private-key FILE, by default $CUSTODY_KEYS/logs/<origin>-<key id>.key",
        "($CUSTODY_KEYS: ~/.config/custody/keys), mode 0600; DIR/log/key-location records where. Appends then sign",
        "checkpoints automatically."})
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
          + " Needs --log-private-key FILE (the database never holds the private key; writers that sign checkpoints"
          + " name it in $CUSTODY_LOG_KEY).")
  String store;

  @Option(names = "--json", description = "Print JSON: ledger (absolute path), origin, verifierKey (the log key to"
      + " publish), logPrivateKey (absolute path of the private key file written), checkpointIntervalMillis (null:"
      + " off).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    String location = store != null ? store : ledger.location();
    if (!LedgerLocation.isUrl(location) && store != null) {
      throw new IllegalArgumentException("--store takes a URL such as postgresql://HOST/DB, not "
          + Untrusted.quote(store) + "; a ledger directory is given with --ledger DIR");
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
    Path keyFile = networkFs.logPrivateKey == null ? LogKeyLocation.DEFAULT : networkFs.logPrivateKey;
    if (networkFs.logPrivateKey != null && LogKeyLocation.isInside(networkFs.logPrivateKey, dir)) {
      throw new IllegalArgumentException("--log-private-key " + Untrusted.quote(networkFs.logPrivateKey.toString())
          + " is inside the ledger " + Untrusted.quote(dir.toString()) + ", which must hold no secret (a copy of the"
          + " ledger would copy it): choose a file outside it, or leave the option out for the default");
    }
    networkFs.checkBeforeCreating(dir, spec);
    try {
      Ledger.create(dir, config, random, keyFile);
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
    String written = new String(LedgerLayout.readSmallFile(dir.resolve(LedgerLayout.LOG_KEY_HINT)),
        java.nio.charset.StandardCharsets.UTF_8).strip();
    return printCreated(dir.toAbsolutePath().normalize().toString(), o, vkey, written);
  }

  private Integer printCreated(String where, String o, String vkey, String written) {
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("ledger", where);
        g.writeStringField("origin", o);
        g.writeStringField("verifierKey", vkey);
        g.writeStringField("logPrivateKey", written);
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
    spec.commandLine().getOut().println("private key  " + Untrusted.escape(written) + "  (mode 0600, outside the ledger:"
        + " keep it with your other keys; appending needs it)");
    return Main.VERIFIED;
  }

  /** {@code --store URL}: the ledger in a database, its private log key in {@code --log-private-key FILE}. */
  private Integer createAtUrl(String url, LogConfig config, SecureRandom random)
      throws IOException, FormatException {
    Path logKey = networkFs.logPrivateKey;
    if (logKey == null) {
      throw new IllegalArgumentException("--store " + Untrusted.quote(url) + " needs --log-private-key FILE: where the"
          + " new private log key is written (the database never holds it)");
    }
    Ledger.create(url, config, random, StoreSettings.fromEnvironment().withLogKeyFile(logKey));
    String vkey;
    try (Ledger created = LedgerLocation.openReadOnly(url)) {
      vkey = created.identity().orElseThrow().verifierKey().encode();
    }
    return printCreated(url, config.origin(), vkey, logKey.toAbsolutePath().normalize().toString());
  }
}
