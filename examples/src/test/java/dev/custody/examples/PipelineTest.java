package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.SigningKey;
import dev.custody.core.jws.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's example ({@link Pipeline}) as a user would: its own JVM, in a directory of real
 * files (a key, a policy, a dataset, a model directory), and reads what it prints.
 */
class PipelineTest {
  @TempDir Path work;

  /** What the example expects to find: a trainer's key, a policy trusting it, a dataset and a trained model. */
  private void workspace(String minAccuracy) throws IOException {
    SigningKey.generate(KeyAlgorithm.ED25519).writeTo(Files.createDirectories(work.resolve("keys")), "trainer");
    Files.writeString(work.resolve("policy.yaml"), String.join("\n",
        "version: custody/policy/v1",
        "organisations:",
        "  acme: {}",
        "identities:",
        "  - {name: acme/trainer, organisation: acme, keys: [keys/trainer.pub]}",
        "roles:",
        "  - {identities: [acme/trainer], kinds: [\"*\"], chains: [\"acme/**\"]}",
        "rules:",
        "  - id: release-after-evaluation",
        "    requirePredecessor: {kind: release, predecessor: evaluation, sameModel: true}",
        "  - id: accuracy",
        "    metric: {name: accuracy, min: " + minAccuracy + "}",
        "  - id: dataset-licence",
        "    requireParameter: {kind: dataset-ingest, parameter: license}",
        ""));
    Files.writeString(Files.createDirectories(work.resolve("data")).resolve("train.jsonl"),
        "{\"text\":\"hello\"}\n{\"text\":\"world\"}\n");
    Path model = Files.createDirectories(work.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{\"architectures\":[\"FalconForCausalLM\"]}");
    byte[] weights = new byte[3 << 20];
    new java.util.SplittableRandom(7).nextBytes(weights);
    Files.write(model.resolve("model.safetensors"), weights);
  }

  private record Run(int exit, String out) {}

  private Run run() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        Pipeline.class.getName(), work.toString()).redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the example finishes").isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void main_pipelineUnderPolicy_recordsFourStepsAndPrintsAVerifiedReportWithTheModelChecked() throws Exception {
    workspace("0.9");

    Run r = run();

    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("recorded acme/falcon-7b:3 (log index 3, sha256:")
        .contains("VERIFIED: 4 entries in 1 chain")
        .contains("ARTIFACT_VERIFIED")
        .doesNotContain("FAILED").doesNotContain("RULE_VIOLATION").doesNotContain("ERROR");
    assertThat(work.resolve(".custody/manifests")).isDirectory();
  }

  @Test
  void main_evaluationBelowThePolicyMinimum_printsTheViolationAndExits1() throws Exception {
    workspace("0.95");

    Run r = run();

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("FAILED: 1 error").contains("RULE_VIOLATION").contains("accuracy")
        .contains("ARTIFACT_VERIFIED");
  }

  @Test
  void main_modelChangedAfterItWasRecorded_isNotVerified() throws Exception {
    workspace("0.9");
    assertThat(run().exit()).isZero();
    // The model changes after its release was recorded; the example's verification half, run again:
    Files.writeString(work.resolve("model/config.json"), "{\"architectures\":[\"Tampered\"]}");
    dev.custody.verify.VerificationReport report = dev.custody.verify.LedgerVerifier.builder(
            dev.custody.verify.policy.TrustPolicy.load(work.resolve("policy.yaml")))
        .model(work.resolve("model")).build().verify(work.resolve(".custody"));
    assertThat(report.verified()).isFalse();
    assertThat(report.toText()).contains("ARTIFACT_ENTRY_NOT_FOUND");
  }
}
