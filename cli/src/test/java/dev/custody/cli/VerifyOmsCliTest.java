package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.TestPki;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code custody verify-oms} on the models the OMS reference implementation signed
 * ({@code vectors/openssf-model-signing/}, run as its SOURCE.md runs the reference CLI), and each
 * tampering an insider could try.
 */
class VerifyOmsCliTest {
  private static final Path DIR = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");
  private static final Path KEY = DIR.resolve("keys/signing-key-pub.pem");
  private static final Path ROOT = DIR.resolve("keys/ca-cert.pem");

  @TempDir Path tmp;

  /** Each vector: folder, trust option, trust file. */
  static Stream<List<Object>> vectors() {
    List<List<Object>> out = new ArrayList<>();
    for (String v : List.of("v1.0.0", "v1.0.1")) {
      out.add(List.of(DIR.resolve(v + "-elliptic-key"), "--public-key", KEY));
      out.add(List.of(DIR.resolve(v + "-certificate"), "--certificate-chain", ROOT));
    }
    return out.stream();
  }

  private static Cli.Result verify(Path folder, String option, Path trust, Object... extra) {
    List<Object> args = new ArrayList<>(List.of("verify-oms", "--signature", folder.resolve("model.sig"), option, trust));
    args.addAll(List.of(extra));
    args.add(folder);
    if (Files.exists(folder.resolve("ignore-me"))) { // as SOURCE.md runs the reference CLI (last: the option takes 1..*)
      args.addAll(List.of("--ignore-paths", folder.resolve("ignore-me")));
    }
    return Cli.run(args.toArray());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifyOms_referenceSignedModel_exitsZero(List<Object> v) {
    Cli.Result r = verify((Path) v.get(0), (String) v.get(1), (Path) v.get(2));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("verified: ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifyOms_json_printsDocumentedShape(List<Object> v) {
    Cli.Result r = verify((Path) v.get(0), (String) v.get(1), (Path) v.get(2), "--json");
    assertThat(r.code()).as("%s", r).isZero();
    JsonNode j = r.json();
    assertThat(j.get("verified").booleanValue()).isTrue();
    assertThat(j.get("rootDigest").textValue()).matches("sha256:[0-9a-f]{64}");
    assertThat(j.get("missing")).isEmpty();
    assertThat(j.get("extra")).isEmpty();
    assertThat(j.get("changed")).isEmpty();
  }

  @Test
  void verifyOms_ignorePathLeftOut_namesExtraFileAndExitsOne() {
    Path folder = DIR.resolve("v1.0.1-elliptic-key");
    Cli.Result r = Cli.run("verify-oms", "--signature", folder.resolve("model.sig"), "--public-key", KEY, folder);
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.out()).contains("extra    ignore-me");
  }

  private Path copy(String vector) {
    return Cli.copyTree(DIR.resolve(vector), tmp.resolve(vector));
  }

  @Test
  void verifyOms_changedModelFile_namesItAndExitsOne() throws Exception {
    Path folder = copy("v1.0.1-elliptic-key");
    Files.writeString(folder.resolve("signme-2"), "changed");
    Cli.Result r = verify(folder, "--public-key", KEY, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.json().get("changed").get(0).textValue()).isEqualTo("signme-2");
    assertThat(r.json().get("verified").booleanValue()).isFalse();
  }

  @Test
  void verifyOms_deletedModelFile_namesItMissing() throws Exception {
    Path folder = copy("v1.0.1-certificate");
    Files.delete(folder.resolve("signme-1"));
    Cli.Result r = verify(folder, "--certificate-chain", ROOT);
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.out()).contains("missing  signme-1");
  }

  @Test
  void verifyOms_changedStatement_failsVerificationExitOne() throws Exception {
    Path folder = copy("v1.0.1-elliptic-key");
    ObjectNode bundle = (ObjectNode) Cli.MAPPER.readTree(folder.resolve("model.sig").toFile());
    ObjectNode env = (ObjectNode) bundle.get("dsseEnvelope");
    String statement = new String(Base64.getDecoder().decode(env.get("payload").textValue()), StandardCharsets.UTF_8);
    env.put("payload", Base64.getEncoder().encodeToString(statement.replace("signme-2", "signme-3")
        .getBytes(StandardCharsets.UTF_8)));
    Files.writeString(folder.resolve("model.sig"), bundle.toString());
    Cli.Result r = verify(folder, "--public-key", KEY, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("\"code\":\"VERIFICATION_FAILED\"").contains("does not verify");
  }

  @Test
  void verifyOms_wrongKey_failsVerificationExitOne() throws Exception {
    Path other = DIR.resolve("../dsse/keys/spec-p256-public.pem");
    Cli.Result r = verify(DIR.resolve("v1.0.1-elliptic-key"), "--public-key", other);
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("does not verify");
  }

  @Test
  void verifyOms_wrongRoot_failsVerificationExitOne() throws Exception {
    // Another RSA root with the same name as the real one: only the key can tell them apart.
    Path other = Files.writeString(tmp.resolve("other-root.pem"),
        TestPki.root(TestPki.rsa(), TestPki.Spec.ca("CN=root-ca")).pem());
    Cli.Result r = verify(DIR.resolve("v1.0.1-certificate"), "--certificate-chain", other);
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.err()).contains("does not chain to a trusted root");
  }

  @Test
  void verifyOms_noTrustGiven_needsSigstoreTrustRootExitTwo() {
    Path folder = DIR.resolve("v1.0.1-certificate");
    Cli.Result r = Cli.run("verify-oms", "--signature", folder.resolve("model.sig"), "--json", folder);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("NEEDS_TRUST_ROOT").contains("needs Sigstore trust roots, not available offline");
  }

  @Test
  void verifyOms_keyAndChainBoth_usageExitTwo() {
    Path folder = DIR.resolve("v1.0.1-certificate");
    Cli.Result r = Cli.run("verify-oms", "--signature", folder.resolve("model.sig"), "--public-key", KEY,
        "--certificate-chain", ROOT, folder);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("not both");
  }

  @Test
  void verifyOms_truncatedSignature_badFormatExitTwo() throws Exception {
    Path folder = copy("v1.0.1-elliptic-key");
    byte[] sig = Files.readAllBytes(folder.resolve("model.sig"));
    Files.write(folder.resolve("model.sig"), java.util.Arrays.copyOf(sig, sig.length / 2));
    Cli.Result r = verify(folder, "--public-key", KEY, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("BAD_FORMAT");
  }

  @Test
  void verifyOms_hugeSignatureFile_refusedBeforeReadingExitTwo() throws Exception {
    Path folder = copy("v1.0.1-elliptic-key");
    try (RandomAccessFile f = new RandomAccessFile(folder.resolve("model.sig").toFile(), "rw")) {
      f.setLength(1L << 30); // sparse: 1 GiB without writing it
    }
    Cli.Result r = verify(folder, "--public-key", KEY);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("model.sig");
  }

  @Test
  void verifyOms_symlinkInModel_refusedAsSignedWithoutSymlinksExitTwo() throws Exception {
    Path folder = copy("v1.0.1-elliptic-key");
    Files.delete(folder.resolve("signme-2"));
    Files.createSymbolicLink(folder.resolve("signme-2"), DIR.resolve("v1.0.1-elliptic-key/signme-2"));
    Cli.Result r = verify(folder, "--public-key", KEY, "--json");
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("BAD_MODEL");
  }

  @Test
  void verifyOms_keyFileWithTwoKeys_badFormatExitTwo() throws Exception {
    String pem = Files.readString(DIR.resolve("../dsse/keys/spec-p256-public.pem"));
    Path two = Files.writeString(tmp.resolve("two.pem"), pem + pem);
    Cli.Result r = verify(DIR.resolve("v1.0.1-elliptic-key"), "--public-key", two);
    assertThat(r.code()).as("%s", r).isEqualTo(2);
    assertThat(r.err()).contains("more than one");
  }
}
