package dev.custody.attest.internal.store;

import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LedgerLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the writer holding the ledger lock is about to leave at the end of the log, kept in the lock
 * file itself ({@code DIR/lock}) so that the next holder can tell its own and other lock holders'
 * writes from writes made without the lock (two writers whose locks are not shared, e.g. on two
 * machines over sshfs or NFS without locking). Format, one line of fixed length at offset 0:
 *
 * <pre>
 *   custody-tail/v1 SEGMENT START END LAST\n
 *   SEGMENT  first log index of the last segment, 20 digits (its file name, see {@link LedgerLayout})
 *   START    offset in it where the batch being written starts, 20 digits
 *   END      offset just after the batch's last record and '\n', 20 digits
 *   LAST     lowercase hex SHA-256 of that last record (its entry hash), or 64 '-' if END is 0
 * </pre>
 *
 * A writer writes it under the lock <em>before</em> writing the batch, so a crash leaves the segment
 * between START and END long; after a repair it notes the repaired tail (START = END). Not fsynced: it
 * only has to survive a killed process, and a reader never depends on it (see {@link TailGuard} for
 * what is checked and when). Any other content (an empty lock file of an older ledger) is "no note".
 *
 * @param segment first log index of the segment
 * @param start where the batch starts
 * @param end where the segment ends after the batch
 * @param last entry hash of the record ending at {@code end}; empty iff {@code end == 0}
 */
record TailNote(long segment, long start, long end, Optional<Digest> last) {
  static final String FORMAT = "custody-tail/v1";
  /** Fixed length, so a note is always overwritten whole. */
  static final int LENGTH = FORMAT.length() + 3 * 21 + 1 + 64 + 1;
  private static final Pattern LINE = Pattern.compile(Pattern.quote(FORMAT)
      + " ([0-9]{20}) ([0-9]{20}) ([0-9]{20}) ([0-9a-f]{64}|-{64})\n");

  TailNote {
    if (segment < 0 || start < 0 || end < start || last.isPresent() == (end == 0)) {
      throw new IllegalArgumentException("not a tail: segment " + segment + " [" + start + ", " + end + ") " + last);
    }
  }

  byte[] encode() {
    String hash = last.map(d -> d.value().hex()).orElse("-".repeat(64));
    return (FORMAT + " " + digits20(segment) + " " + digits20(start) + " "
        + digits20(end) + " " + hash + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static String digits20(long n) {
    String d = Long.toString(n);
    return "0".repeat(20 - d.length()) + d;
  }

  /** The note in {@code bytes} (the first {@link #LENGTH} bytes of the lock file), if it holds one. */
  static Optional<TailNote> decode(byte[] bytes) {
    Matcher m = LINE.matcher(new String(bytes, StandardCharsets.US_ASCII));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      Optional<Digest> last = m.group(4).startsWith("-") ? Optional.empty()
          : Optional.of(Digest.ofSha256(HexFormat.of().parseHex(m.group(4))));
      return Optional.of(new TailNote(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
          Long.parseLong(m.group(3)), last));
    } catch (IllegalArgumentException e) { // a number over a long, or not a tail
      return Optional.empty();
    }
  }

  static Optional<TailNote> read(FileChannel lock) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    while (b.hasRemaining() && lock.read(b, b.position()) > 0) {
      // read the whole note or up to the end of the file
    }
    return b.hasRemaining() ? Optional.empty() : decode(b.array());
  }

  void write(FileChannel lock) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(encode());
    while (b.hasRemaining()) {
      lock.write(b, b.position());
    }
  }

  /** For messages: "segments/NNN.jsonl up to offset END (last record sha256:…)". */
  String describe() {
    return LedgerLayout.SEGMENTS + "/" + LedgerLayout.segmentName(segment) + " up to offset " + end
        + last.map(d -> " (last record " + d + ")").orElse("");
  }
}
