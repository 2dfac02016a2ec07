package dev.custody.attest.store;

import static dev.custody.attest.TestFixtures.maker;

import dev.custody.attest.store.LogStore.ChainHead;
import dev.custody.core.FormatException;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  private static final class NoDerivedFiles implements LogBackend {
    private final LogBackend b;
    private final int n;

    NoDerivedFiles(LogBackend b, int n) {
      this.b = b;
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

    @Override
    public WriteLock lock() throws IOException {
      return b.lock();
    }

    @Override
    public void catchUp() throws IOException, FormatException {
      b.catchUp();
    }

    @Override
    public long size() {
      return b.size();
    }

    @Override
    public Optional<ChainHead> head(String chain) {
      return b.head(chain);
    }

    @Override
    public WriteTimes writeDurably(List<NewRecord> records) throws IOException {
      return b.writeDurably(records);
    }

    @Override
    public void closeWriter() throws IOException {
      b.closeWriter();
    }

    @Override
    public void note(String message) {
      b.note(message);
    }

    @Override
    public String describe() {
      return b.describe();
    }

    @Override
    public Object treeMonitor() {
      return b.treeMonitor();
    }

    @Override
    public TreeKeeper tree() {
      return b.tree();
    }

    @Override
    public void readRecords(long from, long to, RecordVisitor visitor) throws IOException, FormatException {
      b.readRecords(from, to, visitor);
    }

    @Override
    public void rebuildTree(String why) throws IOException, FormatException {
      b.rebuildTree(why);
    }

    @Override
    public List<StoredCheckpoints.Stored> bindingCheckpoints() throws IOException, FormatException {
      return b.bindingCheckpoints();
    }

    @Override
    public Optional<StoredCheckpoints.Stored> newestCheckpoint() throws IOException, FormatException {
      return b.newestCheckpoint();
    }

    @Override
    public void storeCheckpoint(SignedNote note, long size) throws IOException {
      b.storeCheckpoint(note, size);
    }
  }
}
