package dev.custody.cli;

import dev.custody.attest.ledger.Ledger;
import dev.custody.attest.ledger.LedgerEntry;
import dev.custody.core.FormatException;
import dev.custody.core.text.Untrusted;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
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
  public Integer call() throws IOException, FormatException {
    // Buffered, flushed once at the end (and before an error is printed): the command's writer flushes
    // on every line: one write system call per entry.
    PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16));
    StringBuilder line = new StringBuilder(160);
    try (Ledger ledger = Ledger.openReadOnly(ledgerOption.resolve())) {
      if (chain != null) {
        if (ledger.chainEntries(chain).isEmpty()) {
          throw new IllegalArgumentException("no chain " + Untrusted.quote(chain) + " in "
              + Untrusted.quote(ledgerOption.resolve().toString()) + " (chains: "
              + ledger.chains().stream().map(h -> Untrusted.escape(h.chain())).toList() + ")");
        }
        for (LedgerEntry e : ledger.chainEntries(chain)) {
          print(out, e, line);
        }
      } else {
        for (long i = 0; i < ledger.size(); i++) {
          print(out, ledger.entry(i), line);
        }
      }
    } finally {
      out.flush();
    }
    return Main.VERIFIED;
  }

  private void print(PrintWriter out, LedgerEntry e, StringBuilder line) {
    if (json) {
      out.println(Json.object(g -> {
        Json.refFields(g, e.ref());
        g.writeStringField("kind", e.payload().event().type().name());
        g.writeStringField("time", e.payload().time().toString());
        g.writeStringField("keyId", e.payload().keyId());
      }));
    } else {
      // Columns read from the ledger are escaped (a custom kind is a URI that may hold bidi controls).
      // The columns of "%6d  %-32s %-17s %s  %s  key %s", without a Formatter (which parses its format
      // on every call).
      line.setLength(0);
      String index = Long.toString(e.ref().logIndex());
      pad(line, 6 - index.length()).append(index).append("  ");
      int at = line.length();
      line.append(Untrusted.escape(e.ref().chain())).append(':').append(e.ref().sequence());
      pad(line, 32 - (line.length() - at)).append(' ');
      at = line.length();
      line.append(Untrusted.escape(e.payload().event().type().name()));
      pad(line, 17 - (line.length() - at)).append(' ');
      line.append(e.ref().hash().toString(), 0, 19).append("  ").append(e.payload().time()).append("  key ")
          .append(Untrusted.escape(e.payload().keyId().substring(0, 12)));
      out.println(line);
    }
  }

  private static StringBuilder pad(StringBuilder sb, int spaces) {
    for (int i = 0; i < spaces; i++) {
      sb.append(' ');
    }
    return sb;
  }
}
