package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Third-party verifiers, run by the suite, judge custody's output: the npm {@code jose} package
 * verifies ledger entries (flattened JWS), and {@code @sigstore/verify}'s lower-level {@code Verifier}
 * (trust material from the public key, tlog/CT/timestamp thresholds 0, offline) verifies the Sigstore
 * bundles of {@code export --format intoto} and {@code --format oms}. A rejection fails the
 * test; each check also runs once on a tampered input to show it can fail.
 */
class ThirdPartyVerifiersTest {
  static final String CHAIN = "acme/falcon-7b";
  @TempDir static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    for (String alg : List.of("ed25519", "es256")) {
      Cli.ok("keys", "generate", "--out", root.resolve("keys"), "--name", alg, "--alg", alg);
      Path ledger = root.resolve("ledger-" + alg);
      Cli.ok("init", "--ledger", ledger, "--origin", "example.com/" + alg);
      Path key = root.resolve("keys/" + alg + ".key");
      Path model = Files.createDirectories(root.resolve("model-" + alg));
      Files.writeString(model.resolve("weights.bin"), "weights " + alg);
      Cli.ok("record", "training", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "model=" + model);
      Cli.ok("run", "evaluation", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--",
          "true");
      Cli.ok("record", "release", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--output", "model=" + model,
          "--version", "1.0");
    }
  }

  private static Path records(String alg) throws Exception {
    List<String> lines = new ArrayList<>();
    try (var s = Files.list(root.resolve("ledger-" + alg).resolve("segments"))) {
      for (Path seg : s.sorted().toList()) {
        lines.addAll(Files.readAllLines(seg));
      }
    }
    assertThat(lines).hasSize(3);
    return Files.write(root.resolve(alg + "-records.jsonl"), lines);
  }

  private static Path export(String alg, String format) {
    Path out = root.resolve(alg + "-" + format + ".jsonl");
    if (!Files.exists(out)) {
      Cli.ok("export", "--ledger", root.resolve("ledger-" + alg), "--format", format, "--chain", CHAIN,
          "--key", root.resolve("keys/" + alg + ".key"), "--out", out);
    }
    return out;
  }

  private static String jwsAlg(String alg) {
    return alg.equals("ed25519") ? "EdDSA" : "ES256";
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void jose_custodyEntries_verify(String alg) throws Exception {
    NpmVerifiers.Run r = NpmVerifiers.node("verify-jose.mjs", records(alg), root.resolve("keys/" + alg + ".pub"),
        jwsAlg(alg));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("ok 3");
  }

  @Test
  void jose_entryWithChangedPayload_fails() throws Exception {
    String line = Files.readAllLines(records("ed25519")).get(0);
    int at = line.indexOf("\"payload\":\"") + 12;
    String tampered = line.substring(0, at) + (line.charAt(at) == 'A' ? 'B' : 'A') + line.substring(at + 1);
    Path file = Files.writeString(root.resolve("tampered-record.jsonl"), tampered + "\n");
    NpmVerifiers.Run r = NpmVerifiers.node("verify-jose.mjs", file, root.resolve("keys/ed25519.pub"), "EdDSA");
    assertThat(r.code()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void sigstoreVerify_exportedInTotoBundles_verify(String alg) {
    NpmVerifiers.Run r = NpmVerifiers.node("verify-sigstore.cjs", export(alg, "intoto"),
        root.resolve("keys/" + alg + ".pub"));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("ok 3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void sigstoreVerify_exportedOmsSignature_verifies(String alg) {
    NpmVerifiers.Run r = NpmVerifiers.node("verify-sigstore.cjs", export(alg, "oms"),
        root.resolve("keys/" + alg + ".pub"));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("ok 1");
  }

  @Test
  void sigstoreVerify_bundleWithOtherKey_fails() {
    NpmVerifiers.Run r = NpmVerifiers.node("verify-sigstore.cjs", export("ed25519", "intoto"),
        root.resolve("keys/es256.pub"));
    assertThat(r.code()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL 1");
  }

  /**
   * Why {@code @sigstore/verify} 4.1.3 rejects the OMS P-384 signatures that custody (and a plain DSSE
   * ECDSA P-384/SHA-384 check) accepts: its DSSE path calls Node's {@code crypto.verify} without a
   * hash algorithm, and Node (OpenSSL 3) then hashes with SHA-256 for every EC curve; OMS signs with
   * SHA-384. Pinned so that a fixed release shows up here.
   */
  @Test
  void sigstoreVerify_omsP384Vector_signatureErrorFromDefaultSha256() throws Exception {
    Path oms = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
    Path bundle = Files.writeString(root.resolve("oms-p384.jsonl"),
        Files.readString(oms.resolve("v1.0.1-elliptic-key/model.sig")).strip() + "\n");
    NpmVerifiers.Run r = NpmVerifiers.node("verify-sigstore.cjs", bundle, oms.resolve("keys/signing-key-pub.pem"));
    assertThat(r.code()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("SIGNATURE_ERROR");
    // custody verifies the same bundle with the same key.
    Cli.Result ours = Cli.run("verify-oms", "--signature", oms.resolve("v1.0.1-elliptic-key/model.sig"),
        "--public-key", oms.resolve("keys/signing-key-pub.pem"), oms.resolve("v1.0.1-elliptic-key"),
        "--ignore-paths", "ignore-me");
    assertThat(ours.code()).as("%s", ours).isZero();
  }
}
