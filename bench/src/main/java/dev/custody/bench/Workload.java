package dev.custody.bench;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Realistic ledger entries: each chain follows a model's life (dataset ingest, training,
 * evaluation, conversion, fine-tune, release) with inputs, outputs, parameters, environment and
 * timestamps, so records have the size and JSON shape of real ones (about 1–1.5 KiB each). Digests are
 * random rather than computed, so generation does not measure file hashing. Deterministic for a
 * seed; not thread-safe (give each thread its own).
 */
final class Workload {
  private static final EventType[] CYCLE = {EventType.DATASET_INGEST, EventType.TRAINING, EventType.EVALUATION,
      EventType.CONVERSION, EventType.FINE_TUNE, EventType.EVALUATION, EventType.RELEASE};

  private final SplittableRandom random;
  private final Instant epoch = Instant.parse("2025-01-01T00:00:00Z");

  Workload(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The {@code step}-th event of a chain. */
  Event event(String chain, long step) {
    EventType type = CYCLE[(int) (step % CYCLE.length)];
    Instant start = epoch.plusSeconds(step * 3600 + random.nextInt(600));
    Event.Builder b = Event.builder(type).startedAt(start).finishedAt(start.plusSeconds(60 + random.nextInt(7200)));
    String run = "run-" + step;
    switch (type.name()) {
      case "dataset-ingest" -> {
        for (int i = 0; i < 3; i++) {
          b.output(artifact("shard-" + i, ArtifactKind.DATASET).withUri("s3://datasets/" + chain + "/" + run + "/shard-"
              + i + ".parquet"));
        }
        b.parameter("source", "https://data.example.org/corpus/v" + (step % 9))
            .parameter("license", "CC-BY-4.0").parameter("split", "train").parameter("dedup", "minhash-0.8");
      }
      case "training", "fine-tune" -> {
        b.input(artifact("train-data", ArtifactKind.DATASET)).input(artifact("base-model", ArtifactKind.MODEL))
            .input(artifact("training-code", ArtifactKind.CODE)).input(artifact("config", ArtifactKind.CONFIG))
            .output(artifact("model", ArtifactKind.MODEL).withUri("s3://models/" + chain + "/" + run + "/model.safetensors"))
            .output(artifact("optimizer-state", ArtifactKind.OTHER));
        b.parameter("learning-rate", "3e-4").parameter("epochs", Integer.toString(1 + random.nextInt(5)))
            .parameter("batch-size", "512").parameter("seed", Long.toString(random.nextLong() & Long.MAX_VALUE))
            .parameter("precision", "bf16");
        b.environment("accelerator", "8xH100").environment("cuda", "12.4").environment("framework", "torch-2.5.1")
            .environment("host", "trainer-" + random.nextInt(64));
      }
      case "evaluation" -> {
        b.input(artifact("model", ArtifactKind.MODEL)).input(artifact("eval-set", ArtifactKind.DATASET))
            .output(artifact("report", ArtifactKind.REPORT));
        TreeMap<String, BigDecimal> metrics = new TreeMap<>();
        metrics.put("accuracy", BigDecimal.valueOf(5000 + random.nextInt(5000), 4));
        metrics.put("loss", BigDecimal.valueOf(random.nextInt(30000), 4));
        metrics.put("toxicity", BigDecimal.valueOf(random.nextInt(100), 4));
        b.details(new EventDetails.Evaluation(metrics)).parameter("harness", "lm-eval-0.4.5");
      }
      case "conversion" -> b.input(artifact("model", ArtifactKind.MODEL))
          .output(artifact("model-gguf", ArtifactKind.MODEL))
          .details(new EventDetails.Method(Optional.of("quantize-q4_k_m")))
          .parameter("tool", "llama.cpp-b4000");
      case "release" -> b.input(artifact("model", ArtifactKind.MODEL))
          .details(new EventDetails.Release("v" + (step / CYCLE.length) + ".0.0"));
      default -> throw new IllegalStateException(type.name());
    }
    return b.build();
  }

  private ArtifactRef artifact(String name, ArtifactKind kind) {
    byte[] d = new byte[Digest.SHA256_LENGTH];
    random.nextBytes(d);
    return ArtifactRef.of(name, kind, Digest.ofSha256(d));
  }
}
