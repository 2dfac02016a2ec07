package dev.custody.attest.internal.store;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A separate appending process for {@link MultiProcessAppendTest}:
 * {@code AppendWorker LEDGER KEYFILE NAME COUNT CHAIN...} appends COUNT entries round-robin to the
 * chains (keeping a few in flight) once it reads {@code go} on stdin, and prints one line per acknowledged entry:
 * {@code ack CHAIN SEQUENCE LOGINDEX HASH}, then {@code done}.
 */
public final class AppendWorker {
  private static final int IN_FLIGHT = 8;

  public static void main(String[] args) throws Exception {
    Path ledgerDir = Path.of(args[0]);
    SigningKey key = SigningKey.load(Path.of(args[1]));
    String name = args[2];
    int count = Integer.parseInt(args[3]);
    PrintStream out = System.out;
    try (Ledger ledger = Ledger.open(ledgerDir)) {
      out.println("ready");
      out.flush();
      // Start together with the other workers, so that the appends really overlap.
      if (!"go".equals(new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
          java.nio.charset.StandardCharsets.US_ASCII)).readLine())) {
        throw new IllegalStateException("expected 'go' on stdin");
      }
      Deque<CompletableFuture<EntryRef>> pending = new ArrayDeque<>();
      for (int i = 0; i < count; i++) {
        String chain = args[4 + i % (args.length - 4)];
        pending.add(ledger.appendAsync(chain, TestFixtures.event(name, i), key));
        if (pending.size() >= IN_FLIGHT) {
          print(out, pending.poll().get(60, TimeUnit.SECONDS));
        }
      }
      while (!pending.isEmpty()) {
        print(out, pending.poll().get(60, TimeUnit.SECONDS));
      }
    }
    out.println("done");
    out.flush();
  }

  static void print(PrintStream out, EntryRef r) {
    out.println("ack " + r.chain() + " " + r.sequence() + " " + r.logIndex() + " " + r.hash());
  }

  static EntryRef parse(String line) {
    String[] f = line.split(" ");
    return new EntryRef(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), dev.custody.core.Digest.parse(f[4]));
  }
}
