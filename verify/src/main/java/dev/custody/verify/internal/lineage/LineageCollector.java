package dev.custody.verify.internal.lineage;

import dev.custody.verify.lineage.*;
import dev.custody.core.entry.EntryPayload;
import dev.custody.verify.EntryObserver;
import dev.custody.verify.RecordRef;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

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
    // The step Step.of makes, with its repeated strings shared (see MAX_SHARED).
    Step step = Step.of(ledger, ref, signerKeyId, payload);
    Event e = step.event();
    Event kept = new Event(e.type(), shared(e.inputs()), shared(e.outputs()), shared(e.parameters()), e.environment(),
        e.startedAt(), e.finishedAt(), e.details(), e.invocation());
    RecordRef at = new RecordRef(ref.logIndex(), ref.where(), ref.chain().map(this::shared), ref.sequence(), ref.hash(),
        ref.ledger());
    steps.add(new Step(ledger, at, signerKeyId, step.time(), kept));
  }

  /**
   * Most distinct strings shared. Chain ids, artifact names and parameter names and values repeat
   * across a ledger's steps (100,000 steps of the bench ledger hold 1.44 million such strings, 100,000
   * of them distinct), and a verifier holds every step until the report: one copy of each lowers the
   * smallest heap that verifies that ledger from 280 to 245 MiB. Past this many, strings not seen yet
   * are kept as they are, so that a ledger of unique values cannot grow the table without bound.
   */
  private static final int MAX_SHARED = 1 << 16;

  private final Map<String, String> strings = new HashMap<>();

  private String shared(String s) {
    String had = strings.get(s);
    if (had != null) {
      return had;
    }
    if (strings.size() < MAX_SHARED) {
      strings.put(s, s);
    }
    return s;
  }

  private List<ArtifactRef> shared(List<ArtifactRef> refs) {
    List<ArtifactRef> out = new ArrayList<>(refs.size());
    for (ArtifactRef a : refs) {
      out.add(new ArtifactRef(shared(a.name()), a.kind(), a.digest(), a.uri(), a.mediaType(), a.annotations()));
    }
    return out;
  }

  private SortedMap<String, String> shared(SortedMap<String, String> map) {
    if (map.isEmpty()) {
      return map;
    }
    SortedMap<String, String> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(shared(k), shared(v)));
    return out;
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
