package dev.custody.verify.policy;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.RecordRef;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A test {@link StepView}: real entry payloads (built with {@link Event#builder}, encoded by {@link
 * EntryCodec}, hashed), signers named by identity, and ancestry computed the way the lineage graph
 * defines it — an input (for a release, an output) links to the latest earlier producing step that
 * output the same digest; an approval or revocation links to its subject — independently of the
 * evaluator's own indexes.
 */
final class TestSteps implements StepView<TestSteps.Step> {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  /** One step: the payload as signed, its entry hash, and who signed it. */
  record Step(EntryPayload payload, Digest hash, long logIndex, Optional<String> identity, Optional<String> organisation,
      RecordRef ref) {}

  private final List<Step> steps = new ArrayList<>();
  private final Map<String, Step> lastOfChain = new HashMap<>();
  private final Map<Digest, List<Step>> producers = new HashMap<>();
  private final Map<Digest, Step> byHash = new HashMap<>();

  /** Appends a step signed by {@code identity} on {@code chain}; returns it. */
  Step add(String chain, String identity, Event event) {
    Step prev = lastOfChain.get(chain);
    long seq = prev == null ? 0 : prev.payload().sequence() + 1;
    EntryPayload p = new EntryPayload(chain, seq, Optional.ofNullable(prev).map(Step::hash), keyIdOf(identity),
        T0.plusSeconds(60L * steps.size()), event);
    Digest hash = Digest.sha256(EntryCodec.encode(p));
    RecordRef ref = new RecordRef(steps.size(), "segments/00000000000000000000.jsonl line " + (steps.size() + 1),
        Optional.of(chain), java.util.OptionalLong.of(seq), Optional.of(hash));
    Step s = new Step(p, hash, steps.size(), Optional.of(identity),
        Optional.of(identity.substring(0, identity.indexOf('/'))), ref);
    steps.add(s);
    lastOfChain.put(chain, s);
    byHash.put(s.hash(), s);
    if (!event.type().equals(EventType.RELEASE)) {
      for (ArtifactRef o : event.outputs()) {
        producers.computeIfAbsent(o.digest(), d -> new ArrayList<>()).add(s);
      }
    }
    return s;
  }

  static String keyIdOf(String identity) {
    return Digest.sha256(identity.getBytes(StandardCharsets.UTF_8)).value().hex();
  }

  // ---- events

  static Digest digest(String name) {
    return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
  }

  static ArtifactRef model(String name, String role) {
    return ArtifactRef.of(role, ArtifactKind.MODEL, digest(name));
  }

  static ArtifactRef dataset(String name) {
    return ArtifactRef.of("data", ArtifactKind.DATASET, digest(name));
  }

  static Event ingest(String data, String license) {
    Event.Builder b = Event.builder(EventType.DATASET_INGEST).output(dataset(data));
    if (license != null) {
      b.parameter("license", license);
    }
    return b.build();
  }

  static Event training(String data, String out) {
    return Event.builder(EventType.TRAINING).input(dataset(data)).output(model(out, "model")).build();
  }

  static Event fineTune(String base, String out) {
    return Event.builder(EventType.FINE_TUNE).input(model(base, "base")).output(model(out, "model")).build();
  }

  static Event evaluation(String m, String metric, String value) {
    SortedMap<String, BigDecimal> metrics = new TreeMap<>();
    if (metric != null) {
      metrics.put(metric, new BigDecimal(value));
    }
    return Event.builder(EventType.EVALUATION).input(model(m, "model"))
        .details(new EventDetails.Evaluation(metrics)).build();
  }

  static Event release(String m) {
    return release(m, Map.of());
  }

  static Event release(String m, Map<String, String> params) {
    Event.Builder b = Event.builder(EventType.RELEASE).output(model(m, "model"))
        .details(new EventDetails.Release("1.0"));
    params.forEach(b::parameter);
    return b.build();
  }

  static Event approval(Step subject, String decision) {
    return Event.builder(EventType.APPROVAL)
        .details(new EventDetails.Decision(subject.hash(), decision, Optional.empty())).build();
  }

  static Event transfer(String from, String to) {
    return Event.builder(EventType.CUSTODY_TRANSFER).details(new EventDetails.Transfer(from, to)).build();
  }

  // ---- StepView

  @Override
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  @Override
  public RecordRef ref(Step s) {
    return s.ref();
  }

  @Override
  public EventType kind(Step s) {
    return s.payload().event().type();
  }

  @Override
  public Instant time(Step s) {
    return s.payload().time();
  }

  @Override
  public List<ArtifactRef> inputs(Step s) {
    return s.payload().event().inputs();
  }

  @Override
  public List<ArtifactRef> outputs(Step s) {
    return s.payload().event().outputs();
  }

  @Override
  public SortedMap<String, String> parameters(Step s) {
    return s.payload().event().parameters();
  }

  @Override
  public EventDetails details(Step s) {
    return s.payload().event().details();
  }

  @Override
  public Optional<Instant> startedAt(Step s) {
    return s.payload().event().startedAt();
  }

  @Override
  public Optional<Instant> finishedAt(Step s) {
    return s.payload().event().finishedAt();
  }

  @Override
  public Optional<dev.custody.core.event.Invocation> invocation(Step s) {
    return s.payload().event().invocation();
  }

  @Override
  public String keyId(Step s) {
    return s.payload().keyId();
  }

  @Override
  public Optional<String> identity(Step s) {
    return s.identity();
  }

  @Override
  public Optional<String> organisation(Step s) {
    return s.organisation();
  }

  @Override
  public Collection<Step> ancestors(Step s) {
    Set<Step> seen = new LinkedHashSet<>();
    Deque<Step> todo = new ArrayDeque<>(parents(s));
    while (!todo.isEmpty()) {
      Step p = todo.pop();
      if (seen.add(p)) {
        todo.addAll(parents(p));
      }
    }
    return seen;
  }

  @Override
  public Collection<Step> predecessors(Step s) {
    return parents(s);
  }

  private List<Step> parents(Step s) {
    List<Step> out = new ArrayList<>();
    // A release names what it releases in its outputs: it links to the step that produced them.
    List<ArtifactRef> sources = kind(s).equals(EventType.RELEASE) ? outputs(s) : inputs(s);
    for (ArtifactRef in : sources) {
      List<Step> candidates = producers.getOrDefault(in.digest(), List.of());
      for (int i = candidates.size() - 1; i >= 0; i--) {
        if (candidates.get(i).logIndex() < s.logIndex()) {
          out.add(candidates.get(i));
          break;
        }
      }
    }
    if (details(s) instanceof EventDetails.Decision d && byHash.containsKey(d.subject())) {
      out.add(byHash.get(d.subject()));
    }
    return out;
  }
}
