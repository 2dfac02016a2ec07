package dev.custody.verify.lineage;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.RecordRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Hand-built lineages for tests: real {@link EntryPayload}s with right sequences and prev links;
 * signatures are the replay's business (covered end to end elsewhere).
 */
public final class TestSteps {
  private TestSteps() {}

  public static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  public static final String KEY = "a".repeat(64);
  public static final Digest DATA = digest("corpus");
  public static final Digest BASE = digest("base weights");
  public static final Digest TUNED = digest("tuned weights");
  public static final Digest QUANT = digest("quantized weights");

  public static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  public static ArtifactRef model(String name, Digest d) {
    return ArtifactRef.of(name, ArtifactKind.MODEL, d);
  }

  public static ArtifactRef dataset(String name, Digest d) {
    return ArtifactRef.of(name, ArtifactKind.DATASET, d);
  }

  /** Builds the steps of one ledger in log order, keeping chain sequences and prev links right. */
  public static final class Ledger {
    public final String label;
    public final List<Step> steps = new ArrayList<>();
    final Map<String, Step> heads = new HashMap<>();
    public long time;

    public Ledger(String label) {
      this.label = label;
    }

    public Step add(String chain, Event event) {
      return add(chain, event, T0.plusSeconds(time++));
    }

    public Step add(String chain, Event event, Instant at) {
      Step head = heads.get(chain);
      long seq = head == null ? 0 : head.sequence() + 1;
      EntryPayload p = new EntryPayload(chain, seq, Optional.ofNullable(head).map(Step::hash), KEY, at, event);
      Digest hash = digest(label + "#" + steps.size());
      RecordRef ref = new RecordRef(steps.size(), "segments/x line " + (steps.size() + 1), Optional.of(chain),
          OptionalLong.of(seq), Optional.of(hash));
      Step s = Step.of(label, ref, KEY, p);
      steps.add(s);
      heads.put(chain, s);
      return s;
    }
  }

  public static Event event(EventType kind, List<ArtifactRef> in, List<ArtifactRef> out) {
    Event.Builder b = Event.builder(kind);
    in.forEach(b::input);
    out.forEach(b::output);
    if (kind.equals(EventType.RELEASE)) {
      b.details(new EventDetails.Release("1.0"));
    }
    return b.build();
  }

  public static Event approval(Digest subject) {
    return Event.builder(EventType.APPROVAL).details(new EventDetails.Decision(subject, "approved", Optional.empty()))
        .build();
  }

  /** dataset-ingest -> training -> evaluation, release: a complete lineage in one chain. */
  public static Ledger honest() {
    Ledger l = new Ledger("acme");
    l.add("acme/m", event(EventType.DATASET_INGEST, List.of(), List.of(dataset("corpus", DATA))));
    l.add("acme/m", event(EventType.TRAINING, List.of(dataset("train", DATA)), List.of(model("model", BASE))));
    l.add("acme/m", event(EventType.EVALUATION, List.of(model("model", BASE)), List.of()));
    l.add("acme/m", event(EventType.RELEASE, List.of(), List.of(model("model", BASE))));
    return l;
  }

}
