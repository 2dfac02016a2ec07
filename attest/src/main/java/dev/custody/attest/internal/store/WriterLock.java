package dev.custody.attest.internal.store;

import dev.custody.attest.internal.store.LogBackend.WriteLock;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * A file ledger writer's OS lock: an exclusive lock on the lock file ({@link LedgerLayout#LOCK},
 * which also holds the {@link TailNote}), through one channel shared by the committer and checkpoint
 * signers. The channel is opened when first needed and, after {@link #close()}, closed once nobody
 * holds or waits for the lock through it. The lock file is never a link, special or multiply-linked
 * file, and a lock taken on a lock file that was moved or replaced meanwhile is refused: it would no
 * longer exclude the other writers. Part of {@link FileBackend}.
 */
final class WriterLock {
  private final LedgerFiles files;
  /** Guards {@link #channel}, {@link #key}, {@link #users} and {@link #closing}. */
  private final Object state = new Object();
  /** Null until first needed. */
  private @Nullable FileChannel channel;
  /** {@link LedgerFiles#fileKey} of the lock file when {@link #channel} was opened (null if it was absent then). */
  private @Nullable Object key;
  /** Threads holding or waiting for the lock through {@link #channel}. */
  private int users;
  /** Set by {@link #close()}: the channel is closed when its last user is done (and after a later signer's). */
  private boolean closing;

  WriterLock(LedgerFiles files) {
    this.files = files;
  }

  /** The open lock channel (opened if it is not); callers hold the lock or want the {@link TailNote} it holds. */
  FileChannel channel() throws IOException {
    synchronized (state) {
      if (channel == null || !channel.isOpen()) {
        channel = files.openWrite(files.resolve(LedgerLayout.LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ);
        key = files.fileKey(files.resolve(LedgerLayout.LOCK));
      }
      return channel;
    }
  }

  /** Blocks until this process holds the ledger's exclusive lock; released by closing what it returns. */
  WriteLock lock() throws IOException {
    FileChannel ch;
    Object opened;
    synchronized (state) {
      ch = channel();
      opened = key;
      users++;
    }
    FileLock held;
    try {
      held = lock(ch);
    } catch (IOException | RuntimeException e) {
      leave();
      throw e;
    }
    try {
      FileBackend.requireSameFile(files, files.resolve(LedgerLayout.LOCK), opened,
          "its lock would no longer exclude other writers");
    } catch (IOException | RuntimeException e) {
      try {
        held.release();
      } finally {
        leave();
      }
      throw e;
    }
    return () -> {
      try {
        held.release();
      } finally {
        leave();
      }
    };
  }

  /** Closes the channel now if nobody holds or waits for the lock, else when the last one is done. */
  void close() throws IOException {
    synchronized (state) {
      closing = true;
      if (users == 0 && channel != null) {
        channel.close();
      }
    }
  }

  private void leave() throws IOException {
    synchronized (state) {
      users--;
      if (closing && users == 0 && channel != null) {
        channel.close();
      }
    }
  }

  private static FileLock lock(FileChannel ch) throws IOException {
    while (true) {
      try {
        return ch.lock();
      } catch (OverlappingFileLockException sameJvm) {
        // Another store in this JVM holds it; the OS lock is per process, so wait our turn.
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the ledger lock", e);
        }
      }
    }
  }
}
