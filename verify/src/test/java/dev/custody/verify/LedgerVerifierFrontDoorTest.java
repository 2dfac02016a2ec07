package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRef;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.verify.TestLedgers.TestKey;
import dev.custody.verify.policy.TrustPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-call path: {@code LedgerVerifier.builder(policy).model(dir).build().verify(ledger)} judges the
 * ledger under a policy and the model on disk in one report, and one verifier serves many threads.
 */
class LedgerVerifierFrontDoorTest {
  private static final TestKey TRAINER = TestKey.ed25519("front door trainer");
  private static final TestKey EVALUATOR = TestKey.ed25519("front door evaluator");
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

  @TempDir Path tmp;

  /** A lineage: dataset-ingest, training, evaluation, release of {@code model}, by two signers. */
  private Path ledger(Path dir, Digest model) {
    List<byte[]> records = new ArrayList<>();
    Digest data = Digest.sha256(new byte[] {7});
    Optional<Digest> prev = Optional.empty();
    List<Event> events = List.of(
        Event.builder(EventType.DATASET_INGEST).output(ArtifactRef.of("train-data", ArtifactKind.DATASET, data))
            .parameter("license", "CC-BY-4.0").build(),
        Event.builder(EventType.TRAINING).input(ArtifactRef.of("train-data", ArtifactKind.DATASET, data))
            .output(ArtifactRef.of("model", ArtifactKind.MODEL, model)).build(),
        Event.builder(EventType.EVALUATION).input(ArtifactRef.of("model", ArtifactKind.MODEL, model))
            .details(EventDetails.Evaluation.of(Map.of("accuracy", 0.913))).build(),
        Event.builder(EventType.RELEASE).output(ArtifactRef.of("model", ArtifactKind.MODEL, model))
            .details(new EventDetails.Release("1.0")).build());
    for (int i = 0; i < events.size(); i++) {
      TestKey k = events.get(i).type() == EventType.EVALUATION ? EVALUATOR : TRAINER;
      byte[] rec = TestLedgers.sign(k, new EntryPayload("acme/falcon", i, prev, k.keyId(), T0.plusSeconds(i),
          events.get(i)));
      records.add(rec);
      prev = Optional.of(Digest.sha256(rec));
    }
    return TestLedgers.write(dir, records);
  }

  private Path model(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{\"layers\":2}");
    Files.write(dir.resolve("weights.bin"), new byte[100_000]);
    return dir;
  }

  /** A policy with roles, a metric rule, separation of duties and a CEL rule: every stage has work. */
  private TrustPolicy policy() throws Exception {
    Files.writeString(tmp.resolve("trainer.pub"), TRAINER.publicKey().toPem());
    Files.writeString(tmp.resolve("evaluator.pub"), EVALUATOR.publicKey().toPem());
    Path file = tmp.resolve("policy.yaml");
    Files.writeString(file, String.join("\n",
        "version: custody/policy/v1",
        "organisations:",
        "  acme: {}",
        "identities:",
        "  - {name: acme/trainer, organisation: acme, keys: [trainer.pub]}",
        "  - {name: acme/evaluator, organisation: acme, keys: [evaluator.pub]}",
        "roles:",
        "  - {identities: [\"acme/*\"], kinds: [\"*\"], chains: [\"acme/**\"]}",
        "rules:",
        "  - id: release-after-evaluation",
        "    requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}",
        "  - id: evaluator-not-trainer",
        "    separationOfDuties: {kinds: [evaluation], distinctFrom: [training], by: identity}",
        "  - id: accuracy",
        "    metric: {name: accuracy, min: 0.9}",
        "  - id: licensed",
        "    cel: {kind: dataset-ingest, expression: \"event.parameters['license'] != ''\"}",
        ""));
    return TrustPolicy.load(file);
  }

  @Test
  void model_releasedModelUnchanged_verifiedWithTheModelCheckInTheReport() throws Exception {
    Path model = model(tmp.resolve("model"));
    Path dir = ledger(tmp.resolve("ledger"), ModelHasher.hashWithDefaults(model).rootDigest());

    VerificationReport r = LedgerVerifier.builder(policy()).model(model).build().verify(dir);

    assertThat(r.findings()).extracting(Finding::code).contains(FindingCode.ARTIFACT_VERIFIED)
        .doesNotContain(FindingCode.RULE_VIOLATION, FindingCode.ROLE_VIOLATION);
    assertThat(r.verified()).as(r.toText()).isTrue();
    assertThat(r.toText()).contains("ARTIFACT_VERIFIED").contains("acme/falcon");
  }

  @Test
  void model_oneByteChanged_notVerifiedInTheSameReport() throws Exception {
    Path model = model(tmp.resolve("model"));
    Path dir = ledger(tmp.resolve("ledger"), ModelHasher.hashWithDefaults(model).rootDigest());
    Files.write(model.resolve("weights.bin"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

    VerificationReport r = LedgerVerifier.builder(policy()).model(model).build().verify(dir);

    assertThat(r.findings()).extracting(Finding::code).contains(FindingCode.ARTIFACT_ENTRY_NOT_FOUND)
        .doesNotContain(FindingCode.ARTIFACT_VERIFIED);
    assertThat(r.verified()).isFalse();
  }

  @Test
  void model_ledgerInsideTheModelDirectory_releaseFoundAsRecordHashedIt() throws Exception {
    Path model = model(tmp.resolve("model"));
    Digest recorded = ModelHasher.hashWithDefaults(model).rootDigest(); // record ignores the ledger inside
    Path dir = ledger(model.resolve(".custody"), recorded);

    VerificationReport r = LedgerVerifier.builder(policy()).model(model).build().verify(dir);

    assertThat(r.findings()).extracting(Finding::code).contains(FindingCode.ARTIFACT_VERIFIED);
    assertThat(r.verified()).as(r.toText()).isTrue();
  }

  @Test
  void verify_eightThreadsThroughOneInstance_eachReportEqualsTheSequentialOne() throws Exception {
    Path model = model(tmp.resolve("model"));
    Path good = ledger(tmp.resolve("good"), ModelHasher.hashWithDefaults(model).rootDigest());
    Path bad = ledger(tmp.resolve("bad"), Digest.sha256(new byte[] {9})); // another model released
    LedgerVerifier verifier = LedgerVerifier.builder(policy()).model(model).parallelism(2).build();
    List<Path> ledgers = List.of(good, bad);
    List<List<Finding>> expected = new ArrayList<>();
    for (Path l : ledgers) {
      expected.add(verifier.verify(l).findings());
    }
    assertThat(expected.get(0)).extracting(Finding::code).contains(FindingCode.ARTIFACT_VERIFIED);
    assertThat(expected.get(1)).extracting(Finding::code).contains(FindingCode.ARTIFACT_ENTRY_NOT_FOUND);

    int threads = 8;
    int rounds = 3;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<List<Finding>>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t % 2;
        Callable<List<List<Finding>>> task = () -> {
          start.await();
          List<List<Finding>> out = new ArrayList<>();
          for (int i = 0; i < rounds; i++) {
            Path l = ledgers.get((first + i) % 2);
            out.add(verifier.verify(l).findings());
          }
          return out;
        };
        results.add(pool.submit(task));
      }
      start.countDown();
      for (int t = 0; t < threads; t++) {
        List<List<Finding>> got = results.get(t).get();
        for (int i = 0; i < rounds; i++) {
          assertThat(got.get(i)).as("thread %d round %d", t, i).isEqualTo(expected.get((t % 2 + i) % 2));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void recordRefEntry_authenticEntry_isTheEntryRefOfItsPlace() throws Exception {
    Path model = model(tmp.resolve("model"));
    Path dir = ledger(tmp.resolve("ledger"), ModelHasher.hashWithDefaults(model).rootDigest());
    VerificationReport r = LedgerVerifier.builder(policy()).model(model).build().verify(dir);
    Finding verified = r.findings().stream().filter(f -> f.code() == FindingCode.ARTIFACT_VERIFIED).findFirst()
        .orElseThrow();
    RecordRef at = verified.entry().orElseThrow();
    EntryRef entry = at.entry().orElseThrow();
    assertThat(entry.position()).isEqualTo("acme/falcon:3");
    assertThat(entry.logIndex()).isEqualTo(3);
    assertThat(Optional.of(entry.hash())).isEqualTo(at.hash());
    assertThat(new RecordRef(5, "line 6", Optional.empty(), java.util.OptionalLong.empty(),
        Optional.of(entry.hash())).entry()).isEmpty();
  }
}
