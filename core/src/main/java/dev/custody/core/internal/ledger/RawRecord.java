package dev.custody.core.internal.ledger;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A record line as read from a segment, before any parsing.
 *
 * @param logIndex position in the log, from 0
 * @param segment the segment file
 * @param line 1-based line number in the segment
 * @param offset byte offset of the line in the segment
 * @param bytes the line without its '\n'; {@code null} when {@code oversize}
 * @param oversize the line is longer than the record limit and was skipped, not buffered
 * @param terminated the line ends with '\n'; only the last line of the last segment may not (a torn write)
 */
public record RawRecord(long logIndex, Path segment, long line, long offset, byte @Nullable [] bytes, boolean oversize,
    boolean terminated) {

  /** Where the record is, for messages: "segments/0000…0.jsonl line 18 (log index 17)". */
  public String where() {
    Path name = segment.getParent() == null ? segment.getFileName()
        : segment.getParent().getFileName().resolve(segment.getFileName());
    return name + " line " + line + " (log index " + logIndex + ")";
  }
}
