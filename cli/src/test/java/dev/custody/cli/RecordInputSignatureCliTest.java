package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code record --input base=DIR --input-signature model.sig --input-key|--input-root}: the base model
 * is recorded with its publisher's OMS signature (checked first; kept in the ledger), and
 * {@code custody verify} re-checks it; every tampering with what was kept is a finding.
 */
class RecordInputSignatureCliTest {
  private static final Path OMS = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
  private static final String CHAIN = "acme/falcon-7b";

  @TempDir Path root;
  Path ledger;
  Path key;
  Path keys;
  Path base;

  @BeforeEach
  void setUp() throws Exception {
    keys = root.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
    key = keys.resolve("alice.key");
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.com/oms");
  }

  /** The base model: the files of {@code sigVector} (not its signature, not ignore-me). */
  private Path base(String sigVector) throws Exception {
    if (base == null) {
      base = Files.createDirectories(root.resolve("base"));
      for (String f : List.of("signme-1", "signme-2")) {
        Files.copy(OMS.resolve(sigVector).resolve(f), base.resolve(f));
      }
    }
    return base;
  }

  private int recorded() throws Exception {
    Path seg = ledger.resolve(Cli.SEGMENT_0);
    return Files.exists(seg) ? Cli.records(ledger).size() : 0;
  }

  private Cli.Result record(String sigVector, String trustOption, Path trust) throws Exception {
    base(sigVector);
    return Cli.run("record", "fine-tune", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--input",
        "base=" + base, "--input-signature", OMS.resolve(sigVector + "/model.sig"), trustOption, trust, "--output",
        "model=sha256:" + "ab".repeat(32));
  }

  private List<String> codes() {
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", keys, "--json");
    List<String> codes = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      codes.add(f.get("code").asText());
    }
    return codes;
  }

  private Path stored(String suffix) throws Exception {
    try (Stream<Path> s = Files.list(ledger.resolve("oms-signatures"))) {
      return s.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
    }
  }

  @Test
  void record_keyMethod_recordsAndVerifyReChecks() throws Exception {
    Cli.Result r = record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem"));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(recorded()).isEqualTo(1);
    assertThat(codes()).contains("INPUT_SIGNATURE_VERIFIED").doesNotContain("INPUT_SIGNATURE_INVALID");
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", keys).code()).isZero();
  }

  @Test
  void record_certificateMethodWithRsaRoot_recordsAndVerifyReChecks() throws Exception {
    Cli.Result r = record("v1.0.1-certificate", "--input-root", OMS.resolve("keys/ca-cert.pem"));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(codes()).contains("INPUT_SIGNATURE_VERIFIED");
  }

  @Test
  void record_wrongKey_exitOneAndNothingRecorded() throws Exception {
    Cli.Result r = record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("../dsse/keys/spec-p256-public.pem"));
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("does not verify").contains("nothing was recorded");
    assertThat(recorded()).isZero();
  }

  @Test
  void record_baseChangedSinceSigning_exitOneNamingTheFileAndNothingRecorded() throws Exception {
    Files.writeString(base("v1.0.1-elliptic-key").resolve("signme-2"), "changed");
    Cli.Result r = record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem"));
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("changed 'signme-2'");
    assertThat(recorded()).isZero();
  }

  @Test
  void record_keyWithoutSignature_usageExitTwo() throws Exception {
    Cli.Result r = Cli.run("record", "fine-tune", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--input",
        "base=" + base("v1.0.1-elliptic-key"), "--input-key", OMS.resolve("keys/signing-key-pub.pem"));
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(recorded()).isZero();
  }

  @Test
  void verify_storedSignatureAltered_inputSignatureInvalid() throws Exception {
    assertThat(record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem")).code()).isZero();
    Path sig = stored(".json");
    Files.writeString(sig, Files.readString(sig).replace("\"mediaType\"", " \"mediaType\""));
    assertThat(codes()).contains("INPUT_SIGNATURE_INVALID");
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", keys).code()).isEqualTo(1);
  }

  @Test
  void verify_storedKeyReplacedByAnother_inputSignatureInvalid() throws Exception {
    assertThat(record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem")).code()).isZero();
    Files.copy(OMS.resolve("../dsse/keys/spec-p256-public.pem"), stored(".pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(codes()).contains("INPUT_SIGNATURE_INVALID");
  }

  @Test
  void verify_storedSignatureDeleted_inputSignatureMissing() throws Exception {
    assertThat(record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem")).code()).isZero();
    Files.delete(stored(".json"));
    assertThat(codes()).contains("INPUT_SIGNATURE_MISSING");
  }

  @Test
  void verify_storedSignatureReplacedBySymlink_notFollowed() throws Exception {
    assertThat(record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem")).code()).isZero();
    Path sig = stored(".json");
    Files.delete(sig);
    Files.createSymbolicLink(sig, OMS.resolve("v1.0.1-elliptic-key/model.sig"));
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", keys);
    assertThat(r.code()).as("%s", r).isNotZero();
  }

  private Path policy() throws Exception {
    String digest = Cli.ok("hash", base("v1.0.1-elliptic-key")).out().strip();
    return Files.writeString(root.resolve("policy.yaml"), String.join("\n",
        "version: custody/policy/v1",
        "organisations: {acme: {}}",
        "identities:",
        "  - {name: acme/trainer, organisation: acme, keys: [keys/alice.pub]}",
        "roles:",
        "  - {identities: [\"acme/*\"], kinds: [\"*\"], chains: [\"acme/**\"]}",
        "externalRoots:",
        "  - {digest: \"" + digest + "\", kind: model, name: signme, publisher: oms-tests, requireSignature: true}",
        ""));
  }

  private List<String> policyCodes(Path policy) {
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--policy", policy, "--json");
    List<String> codes = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      codes.add(f.get("code").asText());
    }
    return codes;
  }

  @Test
  void verify_policyRequiresSignatureAndInputRecordedWithout_inputSignatureRequired() throws Exception {
    Cli.ok("record", "fine-tune", "--ledger", ledger, "--chain", CHAIN, "--key", key, "--input",
        "base=" + base("v1.0.1-elliptic-key"), "--output", "model=sha256:" + "ab".repeat(32));
    assertThat(policyCodes(policy())).contains("INPUT_SIGNATURE_REQUIRED");
  }

  @Test
  void verify_policyRequiresSignatureAndInputRecordedWithIt_noRequiredFinding() throws Exception {
    assertThat(record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem")).code()).isZero();
    assertThat(policyCodes(policy())).contains("INPUT_SIGNATURE_VERIFIED").doesNotContain("INPUT_SIGNATURE_REQUIRED");
  }

  @Test
  void verifyBundle_lineageWithASignedInput_notAnErrorButSaysTheBundleDoesNotCarryTheSignature() throws Exception {
    Cli.Result r = record("v1.0.1-elliptic-key", "--input-key", OMS.resolve("keys/signing-key-pub.pem"));
    assertThat(r.code()).as("%s", r).isZero();
    Path bundle = root.resolve("export.json");
    Cli.ok("export", "--ledger", ledger, "--chain", CHAIN, "--out", bundle);

    Cli.Result v = Cli.run("verify", "--bundle", bundle, "--trust", keys, "--json");

    List<String> codes = new ArrayList<>();
    for (JsonNode f : v.json().get("findings")) {
      codes.add(f.get("code").asText() + ": " + f.get("message").asText());
    }
    assertThat(v.code()).as("%s", v).isZero();
    assertThat(codes).noneMatch(c -> c.startsWith("INPUT_SIGNATURE_MISSING") || c.startsWith("INPUT_SIGNATURE_INVALID"));
    assertThat(codes).anyMatch(c -> c.startsWith("BUNDLE_PARTIAL") && c.contains("OpenSSF model signature"));
  }
}
