package dev.custody.cli;

import dev.custody.attest.SigningKey;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage signing keys.",
    subcommands = {KeysCommand.Generate.class, KeysCommand.MoveLogKey.class})
final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try 'custody keys generate --help')");
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Generate a key pair: DIR/NAME.key (PKCS#8 PEM, mode 0600) and DIR/NAME.pub (SPKI PEM).")
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the key files to.")
    Path out;

    @Option(names = "--name", defaultValue = "custody", paramLabel = "NAME", description = "Base name of the files (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--alg", defaultValue = "ed25519", paramLabel = "ALG", description = "ed25519 (default) or es256.")
    String alg;

    @Option(names = "--json", description = "Print JSON: privateKey, publicKey (the files written), keyId (64 hex),"
        + " algorithm.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      KeyAlgorithm algorithm = KeyAlgorithm.fromCliName(alg);
      SigningKey key = SigningKey.generate(algorithm);
      Path priv = key.writeTo(out, name);
      Path pub = out.resolve(name + ".pub");
      if (json) {
        spec.commandLine().getOut().println(Json.object(g -> {
          g.writeStringField("privateKey", priv.toString());
          g.writeStringField("publicKey", pub.toString());
          g.writeStringField("keyId", key.keyId());
          g.writeStringField("algorithm", algorithm.cliName());
        }));
        return Main.VERIFIED;
      }
      spec.commandLine().getOut().printf("private key: %s%npublic key:  %s%nkey id:      %s (%s)%n",
          Untrusted.escape(priv.toString()), Untrusted.escape(pub.toString()), key.keyId(),
          algorithm.cliName());
      return Main.VERIFIED;
    }
  }

  @Command(name = "move-log-key", mixinStandardHelpOptions = true,
      description = {"Move the log's private key out of a ledger made before custody kept it outside (DIR/log/key):",
          "to --to FILE, by default $CUSTODY_KEYS/logs/<origin>-<key id>.key (mode 0600); DIR/log/key-location then",
          "records where, and DIR/log/key is deleted. Copies of the ledger made before still hold the key."})
  static final class MoveLogKey implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin LedgerOption ledger;

    @Option(names = "--to", paramLabel = "FILE", description = "Where to move the key (a new file outside the ledger).")
    Path to;

    @Option(names = "--json", description = "Print JSON: ledger, logPrivateKey (absolute path of the key's new file).")
    boolean json;

    @Override
    public Integer call() throws IOException, dev.custody.core.FormatException {
      if (ledger.isUrl()) {
        throw new IllegalArgumentException("a ledger on PostgreSQL (" + Untrusted.quote(ledger.location()) + ") never"
            + " holds the log's private key: its writers name the key file in $CUSTODY_LOG_KEY or ?logKey=PATH, so"
            + " there is nothing to move");
      }
      Path dir = ledger.resolve();
      dev.custody.core.internal.ledger.LedgerLayout.requireLedger(dir);
      Path moved = dev.custody.attest.internal.store.LogIdentity.moveKeyOut(dir, to == null
          ? dev.custody.attest.internal.store.LogKeyLocation.DEFAULT : to);
      if (json) {
        spec.commandLine().getOut().println(Json.object(g -> {
          g.writeStringField("ledger", dir.toAbsolutePath().normalize().toString());
          g.writeStringField("logPrivateKey", moved.toString());
        }));
      } else {
        spec.commandLine().getOut().println("moved the log private key of " + Untrusted.escape(dir.toString()) + " to "
            + Untrusted.escape(moved.toString()) + " (mode 0600); the ledger holds no private key now");
      }
      return Main.VERIFIED;
    }
  }
}
