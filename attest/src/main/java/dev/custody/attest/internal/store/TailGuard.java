package dev.custody.attest.internal.store;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Detects writes made to the log without the ledger lock, before a writer adds its next batch: the
 * case of two writers on one ledger through two mounts whose locks are not shared (sshfs, NFS with
 * {@code nolock}), where each believes it holds the lock and overwrites what the other acknowledged.
 *
 * <p>Every lock holder writes a {@link TailNote} into the lock file before it writes a batch. When
 * the store takes the lock for its next batch (or checkpoint) it reads the note and requires:
 * <ul>
 *   <li>if the note is the one this store wrote last (nobody held the lock since): the segment is
 *       exactly as this store left it — the same length, and the record ending there still hashes to
 *       the entry hash it wrote (so an overwrite of the same length is caught too);
 *   <li>otherwise (another process held the lock since): the segment is between the note's start
 *       and end long (a batch of that writer, whole or torn by its crash), and if it is whole, the
 *       record ending there hashes to the noted entry hash;
 *   <li>no segment was started after the noted one.
 * </ul>
 * Anything else means bytes were written, overwritten or removed without the lock: the store stops
 * with {@link ForeignWriteException}, changing nothing (no truncation, no repair of bytes that are
 * someone else's).
 *
 * <p>On open the store does not apply these checks: a torn tail then is a crash remnant to repair
 * (a writer that crashed and one still writing without a shared lock look the same), and a ledger of
 * an earlier version has no note. The store notes the tail it found, so checks start from there.
 *
 * <p>Committer thread (and checkpoint signing) only, under the OS lock.
 */
final class TailGuard {
  /** Bytes read back first to find the last record (a typical record is under 2 KiB). */
  private static final int STEP = 4096;

  private final LedgerFiles files;
  private Optional<TailNote> lastWritten = Optional.empty();

  TailGuard(LedgerFiles files) {
    this.files = files;
  }

  /**
   * Checks the segment against the note in the lock file; call right after taking the lock, before
   * catching up.
   *
   * @param written the channel this store last wrote a segment through, and that segment, if any:
   *     when the note is this store's own (the common case) the check reads through it, saving the
   *     path checks (the next catch-up compares the path's size anyway)
   * @return the note read
   * @throws ForeignWriteException if the tail is not what the last lock holder left
   */
  Optional<TailNote> check(FileChannel lock, @Nullable FileChannel written, @Nullable Path writtenPath)
      throws IOException {
    Optional<TailNote> read = TailNote.read(lock);
    if (read.isEmpty()) {
      return read;
    }
    TailNote t = read.get();
    boolean mine = lastWritten.equals(read);
    Path seg = segment(t.segment());
    // The channel to read through when the note is this store's own, or null (the fast path is not taken).
    FileChannel fast = mine && written != null && seg.equals(writtenPath) ? written : null;
    long length = fast != null ? fast.size() : files.sizeOrZero(seg);
    if (mine ? length != t.end() : length < t.start() || length > t.end()) {
      throw foreign(seg, "it is " + length + " bytes long, but the " + (mine ? "last batch of this writer" : "last"
          + " writer that held the lock") + " left " + t.describe() + (mine ? "" : " (a crash leaves at least "
          + t.start() + " bytes)"));
    }
    if (length == t.end() && t.last().isPresent()) {
      Digest actual;
      if (fast != null) {
        actual = lastRecordHash(fast, seg, t.end());
      } else {
        try (FileChannel ch = files.openRead(seg)) {
          actual = lastRecordHash(ch, seg, t.end());
        }
      }
      if (!actual.equals(t.last().get())) {
        throw foreign(seg, "the record ending at offset " + t.end() + " is now " + actual + ", not the "
            + t.last().get() + " written there under the lock");
      }
    }
    return read;
  }

  /**
   * After catching up: no segment was started after the noted one without the lock.
   *
   * @param lastSegment first log index of the last segment the store now knows
   */
  void checkNoLaterSegment(Optional<TailNote> note, long lastSegment) throws ForeignWriteException {
    if (note.isPresent() && lastSegment > note.get().segment()) {
      throw foreign(segment(lastSegment), "it was started after " + note.get().describe() + ", which the last"
          + " writer holding the lock left as the end of the log");
    }
  }

  /** Writes {@code t} into the lock file (before the batch it announces is written). */
  void note(FileChannel lock, TailNote t) throws IOException {
    t.write(lock);
    lastWritten = Optional.of(t);
  }

  private Path segment(long firstIndex) {
    return files.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(firstIndex));
  }

  /**
   * The entry hash of the record that ends (with its '\n') at {@code end} in {@code ch}, segment
   * {@code seg}: the bytes after the '\n' before it (or from the segment's start). One read of the
   * last {@value #STEP} bytes in the common case; a longer record widens the window.
   */
  private Digest lastRecordHash(FileChannel ch, Path seg, long end) throws IOException {
    for (long window = STEP; ; window *= 4) {
      long from = Math.max(0, end - window);
      ByteBuffer b = ByteBuffer.allocate((int) (end - from));
      readFully(ch, b, from);
      byte[] bytes = b.array();
      if (bytes[bytes.length - 1] != '\n') {
        throw foreign(seg, "offset " + end + " is not the end of a record");
      }
      int start = -1;
      for (int i = bytes.length - 2; i >= 0; i--) {
        if (bytes[i] == '\n') {
          start = i + 1;
          break;
        }
      }
      if (start < 0 && from > 0) {
        if (window > EntryRecord.MAX_RECORD_BYTES) {
          throw foreign(seg, "the record ending at offset " + end + " is longer than any record");
        }
        continue;
      }
      MessageDigest md = Digest.newSha256();
      md.update(bytes, Math.max(start, 0), bytes.length - 1 - Math.max(start, 0));
      return Digest.ofSha256(md.digest());
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new java.io.EOFException("segment ended while reading its last record");
      }
      p += n;
    }
  }

  private ForeignWriteException foreign(Path seg, String what) {
    return new ForeignWriteException(seg, what, files.resolve(LedgerLayout.LOCK));
  }
}
