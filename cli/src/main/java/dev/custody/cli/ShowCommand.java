package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.entry.EntryRef;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryLocator;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show one entry: its reference, its signed payload and its stored record. Reads only; does not verify.")
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Parameters(index = "0", paramLabel = "CHAIN:SEQ|HASH", description = "The entry, e.g. acme/falcon:3 or sha256:<hex>.")
  String which;

  @Option(names = "--json", description = "Print as JSON: chain, sequence, logIndex, hash, keyId, time, event, payload"
      + " (the signed payload as a JSON object), record (the exact stored record, as a string: its SHA-256 is hash).")
  boolean json;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    try (Ledger ledger = LedgerLocation.openReadOnly(ledgerOption.location())) {
      LedgerEntry e = lookup(ledger, which).orElseThrow(() -> noSuchEntry(ledger, which, ledgerOption.location()));
      JsonNode payload = StrictJson.parse(e.record().envelope().payload().toByteArray(), Integer.MAX_VALUE, "payload");
      String record = new String(e.record().bytes().toByteArray(), StandardCharsets.UTF_8);
      if (json) {
        spec.commandLine().getOut().println(Json.object(g -> {
          Json.refFields(g, e.ref());
          g.writeStringField("keyId", e.payload().keyId());
          g.writeStringField("time", e.payload().time().toString());
          g.writeFieldName("event");
          g.writeTree(payload.get("event"));
          g.writeFieldName("payload");
          g.writeTree(payload);
          g.writeStringField("record", record);
        }));
      } else {
        spec.commandLine().getOut().printf("entry    %s:%d%nlog idx  %d%nhash     %s%nkey id   %s%ntime     %s%n"
                + "payload  (signed, not verified here; run custody verify)%n%s%n",
            Untrusted.escape(e.ref().chain()), e.ref().sequence(), e.ref().logIndex(), e.ref().hash(),
            Untrusted.escape(e.payload().keyId()), e.payload().time(), Json.pretty(payload));
      }
    }
    return Main.VERIFIED;
  }

  /** The error for an entry that {@link #lookup} did not find. */
  static CommandError noSuchEntry(Ledger ledger, String which, String location) {
    String message = "no entry " + Untrusted.quote(which) + " in " + Untrusted.quote(location);
    if (!(EntryLocator.parse(which) instanceof EntryLocator.Position p)) {
      return new CommandError(ErrorReport.of(ErrorReport.Code.NO_SUCH_ENTRY, message).withEntry(which));
    }
    // CHAIN:SEQ whose chain is not in the ledger: most likely a typo of one that is.
    String chain = p.chain();
    String colonSeq = ":" + p.sequence();
    List<String> chains = ledger.chains().stream().map(EntryRef::chain).toList();
    List<String> near = chains.contains(chain) ? List.of()
        : Suggestions.closest(chain, chains).stream().map(c -> c + colonSeq).toList();
    if (!near.isEmpty()) {
      message += ": the ledger has no chain " + Untrusted.quote(chain) + "; did you mean " + Untrusted.quote(near.get(0))
          + "?";
    }
    return new CommandError(ErrorReport.of(ErrorReport.Code.NO_SUCH_ENTRY, message).withEntry(which)
        .withDidYouMean(near));
  }

  /** Resolves {@code CHAIN:SEQ} or an entry hash ({@link EntryLocator}). */
  static Optional<LedgerEntry> lookup(Ledger ledger, String which) throws IOException, FormatException {
    EntryLocator at = EntryLocator.parse(which);
    if (at instanceof EntryLocator.Hash h) {
      return ledger.entry(h.hash());
    }
    EntryLocator.Position p = (EntryLocator.Position) at;
    return ledger.entry(p.chain(), p.sequence());
  }
}
