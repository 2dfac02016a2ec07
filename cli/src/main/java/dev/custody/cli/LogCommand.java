package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.LedgerEntry;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryRef;
import dev.custody.core.entry.EntrySummary;
import dev.custody.core.internal.text.Untrusted;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "log", mixinStandardHelpOptions = true,
    description = "List entries in log order (or one chain in sequence order). Reads only; does not verify"
        + " (custody verify judges every entry in full).")
final class LogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin LedgerOption ledgerOption;

  @Option(names = "--chain", paramLabel = "ID", description = "Only this chain.")
  String chain;

  @Option(names = "--json", description = "One JSON object per line: chain, sequence, logIndex, hash, kind, time, keyId.")
  boolean json;

  /** Entries read, decoded and formatted per task, and tasks in flight ahead of the writer. */
  private static final int CHUNK = 512;
  private static final int AHEAD = 8;

  @Override
  public Integer call() throws IOException, FormatException, CommandError {
    // Buffered, flushed once at the end (and before an error is printed): the command's writer flushes
    // on every line: one write system call per entry.
    PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16));
    try (Ledger ledger = LedgerLocation.openReadOnly(ledgerOption.location())) {
      if (chain != null) {
        List<LedgerEntry> entries = ledger.chainEntries(chain); // read once: a chain's entries are read in full
        if (entries.isEmpty()) {
          List<String> chains = ledger.chains().stream().map(h -> h.chain()).toList();
          List<String> near = Suggestions.closest(chain, chains);
          throw new CommandError(ErrorReport.of(ErrorReport.Code.NO_SUCH_CHAIN, "no chain " + Untrusted.quote(chain)
              + " in " + Untrusted.quote(ledgerOption.location()) + (near.isEmpty() ? "" : "; did you mean "
              + Untrusted.quote(near.get(0)) + "?") + " (chains: " + chains.stream().map(Untrusted::escape).toList()
              + ")").withChain(chain).withDidYouMean(near));
        }
        StringBuilder text = new StringBuilder();
        for (LedgerEntry e : entries) {
          format(text, e.ref(), EntrySummary.of(e.payload()));
        }
        out.write(text.toString());
      } else {
        printAll(ledger, out);
      }
    } finally {
      out.flush();
    }
    return Main.VERIFIED;
  }

  /** Text for entries [from, to), and the error that stopped it early, if one did. */
  private record Chunk(String text, Exception error) {}

  /**
   * Every entry in log order. Reading, decoding and formatting run on worker threads, a chunk of
   * entries each, ahead of this thread, which writes the chunks in order: an entry that cannot be
   * read is reported after every line before it is written, as when entries were read one by one.
   */
  private void printAll(Ledger ledger, PrintWriter out) throws IOException, FormatException {
    long size = ledger.size();
    int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "custody-log");
      t.setDaemon(true);
      return t;
    });
    try {
      ArrayDeque<Future<Chunk>> ahead = new ArrayDeque<>();
      long next = 0;
      while (next < size || !ahead.isEmpty()) {
        while (next < size && ahead.size() < AHEAD) {
          long from = next;
          long to = Math.min(size, next + CHUNK);
          ahead.add(pool.submit(() -> chunk(ledger, from, to)));
          next = to;
        }
        Chunk c;
        try {
          c = ahead.poll().get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error err) {
            throw err; // out of memory, say: Main reports it as such, not as a bug
          }
          throw new IllegalStateException("reading the ledger failed unexpectedly", e.getCause());
        }
        out.write(c.text());
        if (c.error() instanceof IOException e) {
          throw e;
        } else if (c.error() instanceof FormatException e) {
          throw e;
        } else if (c.error() instanceof RuntimeException e) {
          throw e;
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Chunk chunk(Ledger ledger, long from, long to) {
    StringBuilder text = new StringBuilder((int) (to - from) * 128);
    try {
      ledger.summaries(from, to, (ref, s) -> format(text, ref, s));
    } catch (IOException | FormatException | RuntimeException e) {
      return new Chunk(text.toString(), e);
    }
    return new Chunk(text.toString(), null);
  }

  private void format(StringBuilder line, EntryRef ref, EntrySummary e) {
    if (json) {
      line.append(Json.object(g -> {
        Json.refFields(g, ref);
        g.writeStringField("kind", e.type().name());
        g.writeStringField("time", EntryCodec.timeText(e.time()));
        g.writeStringField("keyId", e.keyId());
      }));
    } else {
      // Columns read from the ledger are escaped (a custom kind is a URI that may hold bidi controls).
      // The columns of "%6d  %-32s %-17s %s  %s  key %s", without a Formatter (which parses its format
      // on every call).
      String index = Long.toString(ref.logIndex());
      pad(line, 6 - index.length()).append(index).append("  ");
      int at = line.length();
      line.append(Untrusted.escape(ref.chain())).append(':').append(ref.sequence());
      pad(line, 32 - (line.length() - at)).append(' ');
      at = line.length();
      line.append(Untrusted.escape(e.type().name()));
      pad(line, 17 - (line.length() - at)).append(' ');
      line.append(ref.hash().toString(), 0, 19).append("  ").append(EntryCodec.timeText(e.time()))
          .append("  key ").append(Untrusted.escape(e.keyId().substring(0, 12)));
    }
    line.append(System.lineSeparator());
  }

  private static StringBuilder pad(StringBuilder sb, int spaces) {
    for (int i = 0; i < spaces; i++) {
      sb.append(' ');
    }
    return sb;
  }
}
