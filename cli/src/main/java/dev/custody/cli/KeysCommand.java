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
    subcommands = KeysCommand.Generate.class)
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
}
