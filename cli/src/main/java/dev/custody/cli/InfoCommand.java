package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.LogInfo;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show the ledger's log origin, size, Merkle root and the log's verifier key. Reads only (a ledger"
        + " reached by URL through read-only connections, from its tiles: no scan).")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Option(names = "--json", description = "Print JSON: origin, size, rootHash (sha256:<hex>), verifierKey (null when the"
      + " ledger has no log key).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException {
    String location = ledgerOption.location();
    // A directory by its absolute path; a URL as given (it holds no password: one in a URL is refused).
    String shown = ledgerOption.isUrl() ? location : ledgerOption.resolve().toAbsolutePath().normalize().toString();
    try (Ledger ledger = LedgerLocation.openReadOnly(location)) {
      long size = ledger.size();
      Bytes rootHash = ledger.rootHash(size);
      String root = StrictBase64.encode(rootHash.toByteArray());
      Optional<LogInfo> id = ledger.identity();
      if (json) {
        spec.commandLine().getOut().println(Json.object(g -> {
          if (id.isPresent()) {
            g.writeStringField("origin", id.get().origin());
          } else {
            g.writeNullField("origin");
          }
          g.writeNumberField("size", size);
          g.writeStringField("rootHash", Json.hash(rootHash));
          if (id.isPresent()) {
            g.writeStringField("verifierKey", id.get().verifierKey().encode());
          } else {
            g.writeNullField("verifierKey");
          }
        }));
      } else {
        spec.commandLine().getOut().printf("ledger       %s%norigin       %s%nsize         %d%nroot hash    %s%n"
                + "log key      %s%n", Untrusted.escape(shown),
            id.map(i -> Untrusted.escape(i.origin())).orElse("(none)"), size, root,
            id.map(i -> Untrusted.escape(i.verifierKey().encode())).orElse("(none: ledger made before checkpoints)"));
      }
    }
    return Main.VERIFIED;
  }
}
