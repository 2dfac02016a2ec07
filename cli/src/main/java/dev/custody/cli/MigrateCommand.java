package dev.custody.cli;

import dev.custody.attest.StoreSettings;
import dev.custody.attest.internal.store.LogIdentity;
import dev.custody.attest.internal.store.LogKeyLocation;
import dev.custody.attest.internal.store.LogStores;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Copy a ledger between a directory and a database: --from DIR --to postgresql://HOST/DB, or",
        "--from postgresql://HOST/DB --to DIR. Records keep their bytes and log indexes, checkpoints their bytes:",
        "both ledgers verify with the same roots. The log's private key goes into neither: a database never holds it",
        "(writers name it in $CUSTODY_LOG_KEY), and a directory records only where it is (--log-private-key FILE)."})
final class MigrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "DIR|URL", description = "The ledger to copy.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "URL|DIR",
      description = "Where the copy goes: an empty database, or a new (absent or empty) directory.")
  String to;

  @Option(names = "--log-private-key", paramLabel = "FILE", description = "To a directory: the log's private key file"
      + " (made by 'custody init'), which stays where it is: DIR/log/key-location records where, so that the copy can"
      + " sign checkpoints (the ledger directory holds no secret).")
  Path logKey;

  @Option(names = "--json", description = "Print JSON: from, to, entries (the number of records copied).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException {
    boolean fromUrl = LogStores.isUrl(from);
    boolean toUrl = LogStores.isUrl(to);
    if (fromUrl == toUrl) {
      throw new IllegalArgumentException("give one directory and one URL (--from " + Untrusted.quote(from) + " --to "
          + Untrusted.quote(to) + "); to copy a ledger directory, copy the directory");
    }
    if (logKey != null && toUrl) {
      throw new IllegalArgumentException("--log-private-key is for a copy into a directory: a database never holds the log's"
          + " private key (writers name it in $" + StoreSettings.LOG_KEY_VARIABLE + ")");
    }
    StoreSettings settings = StoreSettings.fromEnvironment();
    long n;
    if (toUrl) {
      n = LogStores.provider(to).copyFromDirectory(Path.of(from), to, settings);
      if (!json) {
        spec.commandLine().getOut().println("the log's private key stays where it is: writers that sign checkpoints"
            + " name it in $" + StoreSettings.LOG_KEY_VARIABLE);
      }
      return printCopied(n);
    }
    Path dir = Path.of(to);
    n = LogStores.provider(from).copyToDirectory(from, dir, settings);
    if (logKey != null) {
      if (LogKeyLocation.isInside(logKey, dir)) {
        throw new IllegalArgumentException("--log-private-key " + Untrusted.quote(logKey.toString()) + " is inside the"
            + " copy " + Untrusted.quote(dir.toString()) + ", which must hold no secret: keep the key outside it");
      }
      LogKeyLocation.writeHint(dir, logKey.toAbsolutePath().normalize());
      LogIdentity.load(dir, true); // the key must be this log's
    }
    return printCopied(n);
  }

  private Integer printCopied(long n) {
    if (json) {
      spec.commandLine().getOut().println(Json.object(g -> {
        g.writeStringField("from", from);
        g.writeStringField("to", to);
        g.writeNumberField("entries", n);
      }));
    } else {
      spec.commandLine().getOut().println("copied " + n + " entries of " + Untrusted.escape(from) + " into "
          + Untrusted.escape(to));
    }
    return Main.VERIFIED;
  }
}
