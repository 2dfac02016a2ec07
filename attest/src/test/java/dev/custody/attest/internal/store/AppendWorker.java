package dev.custody.attest.internal.store;

import dev.custody.attest.StoreSettings;
import dev.custody.attest.TestFixtures;
import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A separate appending process for {@link MultiProcessAppendTest}:
 * {@code AppendWorker LEDGER KEYFILE NAME COUNT CHAIN...} (LEDGER a directory or a store URL) appends COUNT entries round-robin to the
 * chains (keeping a few in flight) once it reads {@code go} on stdin, and prints one line per acknowledged entry:
 * {@code ack CHAIN SEQUENCE LOGINDEX HASH}, then {@code done}; one per failed entry, {@code fail NAME N MESSAGE}
 * (its payload nonce {@code NAME#N}), after which that thread starts no more.
 */
public final class AppendWorker {
  private static final int IN_FLIGHT = 8;
  /** Longer than a writer keeps asking whether a commit whose answer was lost happened (60 s). */
  private static final int ANSWER_SECONDS = 120;
  /** System property: appending threads (default 1), each taking every THREADS-th entry. */
  public static final String THREADS_PROPERTY = "custody.test.threads";

  public static void main(String[] args) throws Exception {
    String ledgerLocation = args[0];
    SigningKey key = SigningKey.load(Path.of(args[1]));
    String name = args[2];
    int count = Integer.parseInt(args[3]);
    int threads = Integer.getInteger(THREADS_PROPERTY, 1);
    PrintStream out = System.out;
    try (Ledger ledger = Ledger.open(ledgerLocation, StoreSettings.fromEnvironment())) {
      out.println("ready");
      out.flush();
      // Start together with the other workers, so that the appends really overlap.
      if (!"go".equals(new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
          java.nio.charset.StandardCharsets.US_ASCII)).readLine())) {
        throw new IllegalStateException("expected 'go' on stdin");
      }
      List<Thread> started = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < threads; t++) {
        int first = t;
        Thread th = new Thread(() -> {
          try {
            appendAll(ledger, key, name, count, threads, first, args, out);
          } catch (Exception | Error e) {
            failures.add(e);
          }
        });
        th.start();
        started.add(th);
      }
      for (Thread th : started) {
        th.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("an appending thread failed", failures.get(0));
      }
    }
    out.println("done");
    out.flush();
  }

  /**
   * Appends entries {@code first, first + step, ...} below {@code count}, a few in flight. Every answer is
   * printed: {@code ack ...}, or {@code fail NAME N MESSAGE} for entry N ({@link TestFixtures#event}'s nonce
   * {@code NAME#N}) when the store said it failed, or {@code unknown NAME N} when no answer came in time. After
   * the first failure no new entry is started; those in flight are still awaited and printed.
   */
  private static void appendAll(Ledger ledger, SigningKey key, String name, int count, int step, int first,
      String[] args, PrintStream out) throws Exception {
    Deque<Map.Entry<Integer, CompletableFuture<EntryRef>>> pending = new ArrayDeque<>();
    Exception failure = null;
    for (int i = first; i < count && failure == null; i += step) {
      String chain = args[4 + i % (args.length - 4)];
      pending.add(Map.entry(i, ledger.appendAsync(chain, TestFixtures.event(name, i), key)));
      if (pending.size() >= IN_FLIGHT) {
        failure = answer(out, name, pending.poll(), failure);
      }
    }
    while (!pending.isEmpty()) {
      failure = answer(out, name, pending.poll(), failure);
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Waits for one append and prints its outcome; returns the first failure seen so far. */
  private static Exception answer(PrintStream out, String name, Map.Entry<Integer, CompletableFuture<EntryRef>> append,
      Exception failure) throws InterruptedException {
    try {
      print(out, append.getValue().get(ANSWER_SECONDS, TimeUnit.SECONDS));
      return failure;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      out.println("fail " + name + " " + append.getKey() + " " + String.valueOf(cause.getMessage()).replace('\n', ' '));
      return failure != null ? failure : e;
    } catch (TimeoutException e) {
      out.println("unknown " + name + " " + append.getKey());
      return failure != null ? failure : e;
    }
  }

  static void print(PrintStream out, EntryRef r) {
    // One println per line, whole: PrintStream locks around it, so threads' lines never mix.
    out.println("ack " + r.chain() + " " + r.sequence() + " " + r.logIndex() + " " + r.hash());
  }

  public static EntryRef parse(String line) {
    String[] f = line.split(" ", -1);
    return new EntryRef(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), dev.custody.core.Digest.parse(f[4]));
  }
}
