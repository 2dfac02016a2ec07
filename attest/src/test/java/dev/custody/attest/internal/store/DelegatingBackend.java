package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogStore.ChainHead;
import dev.custody.core.FormatException;
import dev.custody.core.note.SignedNote;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** A {@link LogBackend} that passes every call to another; tests override the step they change. */
class DelegatingBackend implements LogBackend {
  protected final LogBackend b;

  DelegatingBackend(LogBackend b) {
    this.b = b;
  }

  @Override
  public void writeDerived() {
    b.writeDerived();
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
