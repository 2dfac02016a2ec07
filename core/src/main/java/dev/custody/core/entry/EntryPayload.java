package dev.custody.core.entry;

import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.Digest;
import dev.custody.core.event.Event;
import dev.custody.core.internal.text.Untrusted;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an entry's signature covers: which chain, where in it, the link to the previous entry,
 * who signs, when, and the event. Encoded by {@link EntryCodec}.
 *
 * @param chain the chain id, e.g. {@code acme/falcon-7b}
 * @param sequence position in the chain, from 0
 * @param prev hash of the chain's previous entry; empty exactly when {@code sequence == 0}
 * @param keyId key id of the signer ({@link dev.custody.core.jws.VerificationKey#keyId()})
 * @param time when the entry was signed (UTC)
 * @param event the lifecycle step
 */
public record EntryPayload(String chain, long sequence, Optional<Digest> prev, String keyId, Instant time, Event event) {
  /** Chain ids: path-like names, e.g. {@code acme/falcon-7b}; no empty segments, no "." or "..". */
  private static final Pattern CHAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63}){0,7}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  public EntryPayload {
    requireChainId(chain);
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    Objects.requireNonNull(prev, "prev");
    if ((sequence == 0) != prev.isEmpty()) {
      throw new IllegalArgumentException(sequence == 0
          ? "the first entry of a chain (sequence 0) has no prev"
          : "entry " + sequence + " of a chain needs the hash of entry " + (sequence - 1) + " as prev");
    }
    Objects.requireNonNull(keyId, "keyId");
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("keyId must be 64 lowercase hex digits, got " + Untrusted.quote(keyId));
    }
    Event.requireTime(time, "time");
    Objects.requireNonNull(event, "event");
  }

  /**
   * Checks a chain id.
   *
   * @throws IllegalArgumentException saying what a chain id looks like
   */
  public static String requireChainId(String chain) {
    Objects.requireNonNull(chain, "chain");
    if (!CHAIN.matcher(chain).matches()) {
      throw new IllegalArgumentException("invalid chain id " + Untrusted.quote(chain) + ": use 1-8 '/'-separated segments of"
          + " letters, digits, '.', '_' or '-', each starting with a letter or digit (e.g. acme/falcon-7b)");
    }
    return chain;
  }
}
