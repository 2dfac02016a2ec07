package dev.custody.examples;

import dev.custody.attest.Ledger;
import dev.custody.attest.SigningKey;
import dev.custody.core.event.*;
import dev.custody.verify.*;
import dev.custody.verify.policy.TrustPolicy;
import java.nio.file.Path;
import java.util.Map;

/**
 * A training pipeline records a model's lineage — the dataset, the training run that made the
 * model directory, its evaluation, its release — and then verifies the model on disk against that
 * ledger under a trust policy. Run it in a directory holding {@code keys/trainer.key},
 * {@code policy.yaml}, {@code data/train.jsonl} and the trained {@code model/}.
 */
public final class Pipeline {
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : ".");
    Path ledgerDir = work.resolve(".custody");
    Path modelDir = work.resolve("model");
    String chain = "acme/falcon-7b";
    SigningKey key = SigningKey.load(work.resolve("keys/trainer.key"));

    Ledger.create(ledgerDir);                                       // once per ledger
    try (Ledger ledger = Ledger.open(ledgerDir)) {                  // thread-safe: share one
      ArtifactRef data = ledger.artifact("train-data", work.resolve("data/train.jsonl"));  // SHA-256 of the file
      ledger.append(chain, Event.builder(EventType.DATASET_INGEST).output(data)
          .parameter("license", "CC-BY-4.0").build(), key);

      ArtifactRef model = ledger.model("model", modelDir);          // manifest of every file, kept in the ledger
      ledger.append(chain, Event.builder(EventType.TRAINING).input(data).output(model)
          .parameter("epochs", "3").build(), key);

      ledger.append(chain, Event.builder(EventType.EVALUATION).input(model)
          .details(EventDetails.Evaluation.of(Map.of("accuracy", 0.913, "samples", 12_000))).build(), key);

      System.out.println("recorded " + ledger.append(chain, Event.builder(EventType.RELEASE).output(model)
          .details(new EventDetails.Release("1.0.0")).build(), key));   // returns once durable
    }

    VerificationReport report = LedgerVerifier.builder(TrustPolicy.load(work.resolve("policy.yaml")))
        .model(modelDir)                                            // the model on disk, in the same report
        .build()
        .verify(ledgerDir);
    System.out.print(report.toText());
    if (!report.verified()) {
      System.exit(1);
    }
  }
}
