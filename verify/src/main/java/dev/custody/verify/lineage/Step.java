package dev.custody.verify.lineage;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.RecordRef;
import java.time.Instant;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One authentic entry as the lineage and policy stages see it: where it is (ledger and log
 * position), its chain position, who signed it (the key that verified its signature), when it
 * claims to have been signed, and its event without the {@code environment} map (a run's
 * environment is evidence for people, not for lineage, and would dominate the memory held per
 * step).
 *
 * <p>Two steps are equal when they are the same entry of the same ledger (ledger label and log
 * index), so a step is a cheap graph node whatever its event holds. Immutable.
 *
 * @param ledger label of the ledger (or bundle) the entry came from, e.g. its directory name
 * @param ref where the entry is; chain, sequence and hash are present (the entry is authentic)
 * @param keyId the key id of the key whose signature verified
 * @param time the entry's {@code time}: the signer's claim, not proof
 * @param event the event, environment removed
 */
public record Step(String ledger, RecordRef ref, String keyId, Instant time, Event event) {
  public Step {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(event, "event");
    if (ref.chain().isEmpty() || ref.hash().isEmpty()) {
      throw new IllegalArgumentException("a step is an authentic entry: its chain and hash are known (" + ref + ")");
    }
  }

  /**
   * The step of an authentic entry.
   *
   * @param keyId the key that verified the signature (the header's {@code kid}; the payload's own
   *     claim may differ, which the replay reports as {@code KEY_ID_MISMATCH})
   */
  public static Step of(String ledger, RecordRef ref, String keyId, EntryPayload payload) {
    Event e = payload.event();
    Event lean = e.environment().isEmpty() ? e : new Event(e.type(), e.inputs(), e.outputs(), e.parameters(),
        new TreeMap<>(), e.startedAt(), e.finishedAt(), e.details(), e.invocation());
    return new Step(ledger, ref, keyId, payload.time(), lean);
  }

  /** The entry's chain id. */
  public String chain() {
    return ref.chain().orElseThrow();
  }

  /** The entry's sequence number in its chain. */
  public long sequence() {
    return ref.sequence().orElseThrow();
  }

  /** The entry hash. */
  public Digest hash() {
    return ref.hash().orElseThrow();
  }

  /** The event kind. */
  public EventType kind() {
    return event.type();
  }

  /** {@code chain:sequence}, e.g. {@code acme/falcon-ft:3}. */
  public String position() {
    return chain() + ":" + sequence();
  }

  /**
   * {@code kind chain:sequence}, with the ledger when there are several, for messages; the kind
   * (a custom kind is any URI its signer chose) and the ledger label are escaped for printing.
   */
  public String describe(boolean withLedger) {
    return Untrusted.escape(kind().name()) + " " + position() + (withLedger ? " in " + Untrusted.quote(ledger) : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Step s && s.ref.logIndex() == ref.logIndex() && s.ledger.equals(ledger);
  }

  @Override
  public int hashCode() {
    return ledger.hashCode() * 31 + Long.hashCode(ref.logIndex());
  }

  @Override
  public String toString() {
    return kind() + " " + position() + " (" + ledger + " #" + ref.logIndex() + ")";
  }
}
