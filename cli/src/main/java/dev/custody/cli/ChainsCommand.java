package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code custody chains}: every chain of the ledger with its head (its newest entry). */
@Command(name = "chains", mixinStandardHelpOptions = true,
    description = "List the ledger's chains, each with its head: the newest entry's sequence number, log index, hash,"
        + " kind and time, and how many entries the chain has. Reads only; does not verify.")
final class ChainsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Option(names = "--json", description = "One JSON object per chain and line: chain, entries, sequence, logIndex,"
      + " hash (sha256:<hex>), kind, time (of the head).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException {
    PrintWriter out = spec.commandLine().getOut();
    try (Ledger ledger = LedgerLocation.openReadOnly(ledgerOption.location())) {
      List<LedgerEntry> heads = new ArrayList<>();
      for (var h : ledger.chains()) {
        heads.add(ledger.entry(h.logIndex()));
      }
      // Chain ids are ASCII (EntryPayload's grammar): String order is code-point order.
      heads.sort(Comparator.comparing(e -> e.ref().chain()));
      for (LedgerEntry e : heads) {
        if (json) {
          out.println(Json.object(g -> {
            g.writeStringField("chain", e.ref().chain());
            g.writeNumberField("entries", e.ref().sequence() + 1);
            g.writeNumberField("sequence", e.ref().sequence());
            g.writeNumberField("logIndex", e.ref().logIndex());
            g.writeStringField("hash", e.ref().hash().toString());
            g.writeStringField("kind", e.payload().event().type().name());
            g.writeStringField("time", e.payload().time().toString());
          }));
        } else {
          out.printf("%-32s %6d entries  head %s:%d  log index %d  %s  %-17s %s%n", Untrusted.escape(e.ref().chain()),
              e.ref().sequence() + 1, Untrusted.escape(e.ref().chain()), e.ref().sequence(), e.ref().logIndex(),
              e.ref().hash(), Untrusted.escape(e.payload().event().type().name()), e.payload().time());
        }
      }
    }
    return Main.VERIFIED;
  }
}
