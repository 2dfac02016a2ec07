package dev.custody.attest.internal.store;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.SigningKey;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process the kill harness (cli's KillHarnessTest) kills with SIGKILL:
 * {@code KillChild LEDGER KEYFILE THREADS SEGMENT_BYTES WARMUP_DIR}. It warms up on a ledger of its
 * own in WARMUP_DIR (so that what follows "go" runs loaded and compiled code), prints {@code ready},
 * waits for {@code go} on stdin, opens the ledger (repairing what the last kill left) and prints
 * {@code open}, then appends forever from THREADS threads — each to its own chain and to a shared one — while
 * another thread signs checkpoints in a loop (the ledger's automatic checkpoints run too). After an
 * append has returned, and only then, it prints the entry's reference, {@code ack CHAIN SEQUENCE
 * LOGINDEX HASH} ({@link AppendWorker#print} format), in one write; the parent counts only complete
 * lines. Failures are printed as {@code error ...} lines and stop the process with exit code 3.
 */
public final class KillChild {
  private KillChild() {}

  public static void main(String[] args) throws Exception {
    Path ledgerDir = Path.of(args[0]);
    SigningKey key = SigningKey.load(Path.of(args[1]));
    int threads = Integer.parseInt(args[2]);
    long segmentBytes = Long.parseLong(args[3]);
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    if (!args[4].equals("-")) {
      warmUp(Path.of(args[4]), key, segmentBytes);
    }
    line(out, "ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    if (!"go".equals(in.readLine())) {
      return;
    }
    Ledger ledger = Ledger.open(ledgerDir, FileLogStore.Options.defaults().withSegmentBytes(segmentBytes));
    line(out, "open");
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String own = "kill/t" + t;
      all.add(new Thread(() -> {
        try {
          for (long i = 0; ; i++) {
            String chain = i % 3 == 2 ? "kill/shared" : own;
            EntryRef r = ledger.append(chain, TestFixtures.event(own, i), key);
            line(out, "ack " + r.chain() + " " + r.sequence() + " " + r.logIndex() + " " + r.hash());
          }
        } catch (Exception e) {
          fail(out, e);
        }
      }, "appender-" + t));
    }
    all.add(new Thread(() -> {
      try {
        while (true) {
          ledger.checkpoint();
          Thread.sleep(5);
        }
      } catch (Exception e) {
        fail(out, e);
      }
    }, "checkpointer"));
    all.forEach(Thread::start);
    for (Thread t : all) {
      t.join();
    }
  }

  /**
   * Runs what the harness will, briefly, on a ledger of its own: opening, appending, a checkpoint;
   * this loads and initialises the classes (most of a child's start-up) before the parent says go.
   */
  private static void warmUp(Path dir, SigningKey key, long segmentBytes) throws Exception {
    Ledger.create(dir, new dev.custody.core.checkpoint.LogConfig("example.org/warm-up", java.util.Optional.empty()),
        new java.security.SecureRandom());
    for (int round = 0; round < 1; round++) {
      try (Ledger ledger = Ledger.open(dir, FileLogStore.Options.defaults().withSegmentBytes(segmentBytes))) {
        List<java.util.concurrent.CompletableFuture<EntryRef>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          fs.add(ledger.appendAsync(i % 3 == 2 ? "kill/shared" : "kill/t" + i % 3, TestFixtures.event("w", i), key));
        }
        for (java.util.concurrent.CompletableFuture<EntryRef> f : fs) {
          f.get();
        }
        ledger.checkpoint();
      }
    }
  }

  /** One line in one write of the stream, so that a kill leaves whole lines or a torn last one. */
  private static void line(OutputStream out, String s) {
    byte[] b = (s + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (out) {
      try {
        out.write(b);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void fail(OutputStream out, Exception e) {
    line(out, "error " + e.toString().replace('\n', ' '));
    Runtime.getRuntime().halt(3);
  }
}
