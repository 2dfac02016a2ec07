package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The process {@link FileLogStoreAckedThenKilledTest} kills: {@code DerivedFilesKillChild LEDGER N}.
 * Opens the ledger with a backend whose {@link LogBackend#writeDerived()} does nothing (no record
 * index rows, no hash tiles written, ever) and, once the store acknowledged N appends, blocks in it
 * for good: the window between a batch's acknowledgement and its derived files, held open. Appends
 * N entries (one first, then the rest in flight together, on three chains), prints {@code ack CHAIN
 * SEQUENCE LOGINDEX HASH} for each acknowledged one and {@code done}, and waits to be killed.
 */
public final class DerivedFilesKillChild {
  private DerivedFilesKillChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
    FileLogStore store = FileLogStore.open(dir, FileLogStore.Options.defaults(), b -> new NoDerivedFiles(b, n));
    List<CompletableFuture<LogStore.Appended>> fs = new ArrayList<>();
    fs.add(store.append("kill/a", maker("kill/a", "first")));
    fs.get(0).get();
    for (int i = 1; i < n; i++) {
      String chain = "kill/" + "abc".charAt(i % 3);
      fs.add(store.append(chain, maker(chain, "n" + i)));
    }
    for (CompletableFuture<LogStore.Appended> f : fs) {
      LogStore.Appended a = f.get();
      out.println("ack " + a.chain() + " " + a.sequence() + " " + a.logIndex() + " " + a.hash());
    }
    out.println("done");
    Thread.sleep(Long.MAX_VALUE);
  }

  /** The file backend, except that derived files are never written and the committer stops after the last ack. */
  private static final class NoDerivedFiles extends DelegatingBackend {
    private final int n;

    NoDerivedFiles(LogBackend b, int n) {
      super(b);
      this.n = n;
    }

    @Override
    public void writeDerived() {
      // Held here for good once everything is acknowledged: the parent kills the process now.
      while (b.size() >= n) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
