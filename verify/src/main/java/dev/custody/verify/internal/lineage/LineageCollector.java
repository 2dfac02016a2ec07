package dev.custody.verify.internal.lineage;

import dev.custody.verify.lineage.*;
import dev.custody.core.entry.EntryPayload;
import dev.custody.verify.EntryObserver;
import dev.custody.verify.RecordRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects the {@link Step}s of one ledger's replay, to build a {@link LineageGraph} from one or
 * several ledgers afterwards. Not thread-safe: the replay calls it from its one sequential thread.
 */
public final class LineageCollector implements EntryObserver {
  private final String ledger;
  private final List<Step> steps = new ArrayList<>();

  /** @param ledger the label findings and the graph will name this ledger by */
  public LineageCollector(String ledger) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
  }

  @Override
  public void authentic(RecordRef ref, EntryPayload payload) {
    authentic(ref, payload.keyId(), payload);
  }

  /** Takes an authentic entry with the key id that verified its signature. */
  public void authentic(RecordRef ref, String signerKeyId, EntryPayload payload) {
    steps.add(Step.of(ledger, ref, signerKeyId, payload));
  }

  /** The steps collected so far, in log order. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /** The label of the ledger. */
  public String ledger() {
    return ledger;
  }
}
