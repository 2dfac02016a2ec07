package dev.custody.verify.internal.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.verify.RecordRef;
import dev.custody.verify.lineage.Step;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LineageCollectorTest {
  private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");
  private static final String KEY = "ab".repeat(32);

  /** Each entry decoded on its own, as the replay does: equal strings, distinct objects. */
  private static EntryPayload payload(int seq) {
    Event e = Event.builder(EventType.TRAINING)
        .input(ArtifactRef.of(new String("train-data".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
            ArtifactKind.DATASET, Digest.sha256(("d" + seq).getBytes(StandardCharsets.UTF_8))))
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, Digest.sha256(("m" + seq).getBytes(StandardCharsets.UTF_8))))
        .parameter(new String("license".toCharArray()), new String("CC-BY-4.0".toCharArray()))
        .environment("host", "runner-" + seq)
        .build();
    return new EntryPayload(new String("acme/m".toCharArray()), seq,
        seq == 0 ? Optional.empty() : Optional.of(Digest.sha256(new byte[] {0})), KEY, T, e);
  }

  private static RecordRef ref(EntryPayload p, long logIndex) {
    return new RecordRef(logIndex, "segments/00000000000000000000.jsonl line " + (logIndex + 1),
        Optional.of(p.chain()), OptionalLong.of(p.sequence()), Optional.of(Digest.sha256(new byte[] {(byte) logIndex})));
  }

  @Test
  void authentic_stepsKeepTheEventWithoutEnvironment_repeatedStringsHeldOnce() {
    LineageCollector c = new LineageCollector("ledger");
    EntryPayload first = payload(0);
    EntryPayload second = payload(1);
    c.authentic(ref(first, 0), KEY, first);
    c.authentic(ref(second, 1), KEY, second);

    List<Step> steps = c.steps();
    assertThat(steps).hasSize(2);
    for (int i = 0; i < 2; i++) {
      EntryPayload p = i == 0 ? first : second;
      Step s = steps.get(i);
      // The same step Step.of makes: same entry, same event but for the environment, which no check reads.
      Step expected = Step.of("ledger", ref(p, i), KEY, p);
      assertThat(s.ref()).isEqualTo(expected.ref());
      assertThat(s.event()).isEqualTo(expected.event());
      assertThat(s.event().environment()).isEmpty();
      assertThat(s.time()).isEqualTo(p.time());
    }
    Step a = steps.get(0);
    Step b = steps.get(1);
    assertThat(b.ref().chain().orElseThrow()).isSameAs(a.ref().chain().orElseThrow());
    assertThat(b.event().inputs().get(0).name()).isSameAs(a.event().inputs().get(0).name());
    assertThat(b.event().parameters().firstKey()).isSameAs(a.event().parameters().firstKey());
    assertThat(b.event().parameters().get("license")).isSameAs(a.event().parameters().get("license"));
  }
}
