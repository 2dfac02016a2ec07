package dev.custody.cli;

import dev.custody.attest.ledger.Ledger;
import dev.custody.attest.ledger.LedgerEntry;
import dev.custody.core.FormatException;
import dev.custody.core.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "log", mixinStandardHelpOptions = true,
    description = "List entries in log order (or one chain in sequence order). Reads only; does not verify.")
final class LogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Option(names = "--chain", paramLabel = "ID", description = "Only this chain.")
  String chain;

  @Option(names = "--json", description = "One JSON object per line: chain, sequence, logIndex, hash, kind, time, keyId.")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    PrintWriter out = spec.commandLine().getOut();
    try (Ledger ledger = Ledger.openReadOnly(ledgerOption.resolve())) {
      if (chain != null) {
        if (ledger.chainEntries(chain).isEmpty()) {
          List<String> chains = ledger.chains().stream().map(h -> h.chain()).toList();
          List<String> near = Suggestions.closest(chain, chains);
          throw new CommandError(ErrorReport.of(ErrorReport.Code.NO_SUCH_CHAIN, "no chain " + Untrusted.quote(chain)
              + " in " + Untrusted.quote(ledgerOption.resolve().toString()) + (near.isEmpty() ? "" : "; did you mean "
              + Untrusted.quote(near.get(0)) + "?") + " (chains: " + chains.stream().map(Untrusted::escape).toList()
              + ")").withChain(chain).withDidYouMean(near));
        }
        for (LedgerEntry e : ledger.chainEntries(chain)) {
          print(out, e);
        }
      } else {
        for (long i = 0; i < ledger.size(); i++) {
          print(out, ledger.entry(i));
        }
      }
    }
    return Main.VERIFIED;
  }

  private void print(PrintWriter out, LedgerEntry e) {
    if (json) {
      out.println(Json.object(g -> {
        Json.refFields(g, e.ref());
        g.writeStringField("kind", e.payload().event().type().name());
        g.writeStringField("time", e.payload().time().toString());
        g.writeStringField("keyId", e.payload().keyId());
      }));
    } else {
      // Columns read from the ledger are escaped (a custom kind is a URI that may hold bidi controls).
      out.printf("%6d  %-32s %-17s %s  %s  key %s%n", e.ref().logIndex(),
          Untrusted.escape(e.ref().chain()) + ":" + e.ref().sequence(), Untrusted.escape(e.payload().event().type().name()),
          e.ref().hash().toString().substring(0, 19), e.payload().time(), Untrusted.escape(e.payload().keyId()
              .substring(0, 12)));
    }
  }
}
