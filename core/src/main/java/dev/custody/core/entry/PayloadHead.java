package dev.custody.core.entry;

import dev.custody.core.FormatException;
import dev.custody.core.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads an {@link EntrySummary} from the head of a payload in its canonical spelling, byte by byte:
 *
 * <pre>{"format":"custody/entry/v1","chain":"…","sequence":N[,"prev":"sha256:…"],"keyId":"…","time":"…","event":{"type":"…"</pre>
 *
 * followed by {@code ,} or {@code }}. Strings must be printable ASCII without escapes, the sequence
 * a canonical JSON integer, the digests lowercase hex, the time as {@link EntryCodec#timeText} writes
 * it, and every value valid for its member. Anything else gives empty, and the caller decodes the
 * payload in full, which accepts or names the problem ({@code PayloadHeadTest} checks that a head read
 * here equals the full decoder's).
 */
final class PayloadHead {
  private static final byte[] FORMAT = bytes("{\"format\":\"" + EntryCodec.FORMAT + "\",\"chain\":\"");
  private static final byte[] SEQUENCE = bytes("\",\"sequence\":");
  private static final byte[] PREV = bytes(",\"prev\":\"sha256:");
  private static final byte[] KEY_ID = bytes(",\"keyId\":\"");
  private static final byte[] TIME = bytes("\",\"time\":\"");
  private static final byte[] TYPE = bytes("\",\"event\":{\"type\":\"");

  private final byte[] json;
  private int at;

  private PayloadHead(byte[] json) {
    this.json = json;
  }

  static Optional<EntrySummary> read(byte[] json) {
    try {
      return new PayloadHead(json).summary();
    } catch (IllegalArgumentException | FormatException | IndexOutOfBoundsException e) {
      return Optional.empty(); // the full decoder names what is wrong
    }
  }

  private Optional<EntrySummary> summary() throws FormatException {
    if (!literal(FORMAT)) {
      return Optional.empty();
    }
    String chain = EntryPayload.requireChainId(string());
    if (!literal(SEQUENCE)) {
      return Optional.empty();
    }
    long sequence = sequence();
    boolean hasPrev = literal(PREV);
    if (sequence < 0 || hasPrev != (sequence > 0) || hasPrev && !(hex64() && json[at++] == '"')) {
      return Optional.empty();
    }
    if (!literal(KEY_ID)) {
      return Optional.empty();
    }
    int keyFrom = at;
    if (!hex64()) {
      return Optional.empty();
    }
    String keyId = new String(json, keyFrom, 64, StandardCharsets.US_ASCII);
    if (!literal(TIME)) {
      return Optional.empty();
    }
    String timeText = string();
    Instant time = EntryCodec.time(timeText, "time");
    if (!EntryCodec.timeText(time).equals(timeText) || !literal(TYPE)) {
      return Optional.empty();
    }
    EventType type = EventType.of(string());
    at++; // the closing quote
    if (json[at] != ',' && json[at] != '}') {
      return Optional.empty();
    }
    return Optional.of(new EntrySummary(chain, sequence, keyId, time, type));
  }

  /** Whether {@code lit} is next; if so, skips it. */
  private boolean literal(byte[] lit) {
    if (json.length - at < lit.length) {
      return false;
    }
    for (int i = 0; i < lit.length; i++) {
      if (json[at + i] != lit[i]) {
        return false;
      }
    }
    at += lit.length;
    return true;
  }

  /** Printable ASCII up to the next quote, which is left next; no escapes. */
  private String string() {
    int from = at;
    while (json[at] != '"') {
      if (json[at] < 0x20 || json[at] > 0x7e || json[at] == '\\') {
        throw new IllegalArgumentException("not a plain string");
      }
      at++;
    }
    return new String(json, from, at - from, StandardCharsets.US_ASCII);
  }

  /** A canonical non-negative JSON integer that fits a long (no sign, no leading zero), else -1. */
  private long sequence() {
    int from = at;
    while (at < json.length && json[at] >= '0' && json[at] <= '9' && at - from <= 19) {
      at++;
    }
    boolean canonical = at > from && at - from <= 19 && (json[from] != '0' || at - from == 1) && json[at] == ',';
    // Long.parseLong refuses (NumberFormatException) a 19-digit value beyond Long.MAX_VALUE.
    return canonical ? Long.parseLong(new String(json, from, at - from, StandardCharsets.US_ASCII)) : -1;
  }

  /** Whether 64 lowercase hex digits are next; if so, skips them. */
  private boolean hex64() {
    for (int i = 0; i < 64; i++) {
      byte b = json[at + i];
      if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
        return false;
      }
    }
    at += 64;
    return true;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
