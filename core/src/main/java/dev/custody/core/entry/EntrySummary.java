package dev.custody.core.entry;

import dev.custody.core.event.EventType;
import java.time.Instant;
import java.util.Objects;

/**
 * What a listing shows of an entry: the members at the head of its payload — chain, sequence, key id,
 * time and the event's kind ({@link EntryRecord#summary}). Reading it does not decode, nor check, the
 * rest of the event; {@link EntryRecord#payload} does, and verification judges it.
 */
public record EntrySummary(String chain, long sequence, String keyId, Instant time, EventType type) {
  public EntrySummary {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
  }

  /** The summary of a decoded payload. */
  public static EntrySummary of(EntryPayload p) {
    return new EntrySummary(p.chain(), p.sequence(), p.keyId(), p.time(), p.event().type());
  }
}
