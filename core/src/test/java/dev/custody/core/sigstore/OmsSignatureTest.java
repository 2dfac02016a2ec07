package dev.custody.core.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.TestPki;
import dev.custody.core.Bytes;
import dev.custody.core.dsse.DsseEnvelope;
import dev.custody.core.dsse.DsseSignature;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.dsse.Pae;
import dev.custody.core.intoto.ResourceDescriptor;
import dev.custody.core.intoto.Statement;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.manifest.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models signed by the OMS reference implementation ({@code vectors/openssf-model-signing/}, see its
 * SOURCE.md) verify by the key and certificate methods, re-hash to the signed resources, and each
 * tampering fails with its reason.
 */
class OmsSignatureTest {
  private static final Path DIR = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");

  static Stream<Path> keyModels() {
    return Stream.of("v1.0.0-elliptic-key", "v1.0.1-elliptic-key").map(DIR::resolve);
  }

  static Stream<Path> certificateModels() {
    return Stream.of("v1.0.0-certificate", "v1.0.1-certificate").map(DIR::resolve);
  }

  static OmsSignature.Trust publisherKey() throws Exception {
    return new OmsSignature.PublicKey(EnvelopeKey.fromPem(Files.readString(DIR.resolve("keys/signing-key-pub.pem")),
        "signing-key-pub.pem"));
  }

  static OmsSignature.Trust root() throws Exception {
    return new OmsSignature.CertificateRoots(CertificateFiles.parse(Files.readAllBytes(DIR.resolve("keys/ca-cert.pem")),
        "ca-cert.pem"));
  }

  /** Verifies, re-hashes the folder (ignoring model.sig and ignore-me, as SOURCE.md says) and compares. */
  static OmsSignature.Comparison check(Path folder, OmsSignature.Trust trust) throws Exception {
    OmsSignature.Verified v = OmsSignature.verify(Files.readAllBytes(folder.resolve("model.sig")), trust, "model.sig");
    ModelManifest actual = OmsSignature.hasherFor(v, List.of("model.sig", "ignore-me")).build().hash(folder);
    return OmsSignature.compare(v.manifest(), actual);
  }

  @ParameterizedTest
  @MethodSource("keyModels")
  void verify_referenceKeyMethod_verifiesAndModelMatches(Path folder) throws Exception {
    assertThat(check(folder, publisherKey()).matches()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("certificateModels")
  void verify_referenceCertificateMethodWithRsaRoot_verifiesAndModelMatches(Path folder) throws Exception {
    assertThat(check(folder, root()).matches()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("keyModels")
  void verify_otherKey_failsAsBadSignature(Path folder) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    OmsSignature.Trust other = new OmsSignature.PublicKey(EnvelopeKey.fromSpki(g.generateKeyPair().getPublic()
        .getEncoded(), "other"));
    assertThatThrownBy(() -> OmsSignature.verify(Files.readAllBytes(folder.resolve("model.sig")), other, "model.sig"))
        .isInstanceOf(OmsException.class).hasMessageContaining("does not verify")
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.BAD_SIGNATURE);
  }

  @ParameterizedTest
  @MethodSource("certificateModels")
  void verify_otherRoot_failsAsUntrustedChain(Path folder) throws Exception {
    OmsSignature.Trust other = new OmsSignature.CertificateRoots(List.of(
        TestPki.root(TestPki.rsa(), TestPki.Spec.ca("CN=root-ca")).cert()));
    assertThatThrownBy(() -> OmsSignature.verify(Files.readAllBytes(folder.resolve("model.sig")), other, "model.sig"))
        .isInstanceOf(OmsException.class).hasMessageContaining("does not chain to a trusted root")
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.UNTRUSTED_CHAIN);
  }

  @Test
  void verify_keyMethodOnCertificateBundle_isBadSignatureWithOtherKey() throws Exception {
    // The certificate bundles were signed with the same P-384 key, so the key method verifies them too.
    assertThat(check(DIR.resolve("v1.0.1-certificate"), publisherKey()).matches()).isTrue();
  }

  @Test
  void verify_certificateMethodOnKeyBundle_failsNamingPublicKey() throws Exception {
    assertThatThrownBy(() -> OmsSignature.verify(Files.readAllBytes(DIR.resolve("v1.0.1-elliptic-key/model.sig")),
        root(), "model.sig")).isInstanceOf(OmsException.class).hasMessageContaining("--public-key");
  }

  @ParameterizedTest
  @MethodSource("keyModels")
  void verify_changedStatement_failsAsBadSignature(Path folder) throws Exception {
    ObjectNode bundle = (ObjectNode) StrictJson.parse(Files.readAllBytes(folder.resolve("model.sig")), 1 << 20, "b");
    ObjectNode env = (ObjectNode) bundle.get("dsseEnvelope");
    String statement = new String(Base64.getDecoder().decode(env.get("payload").textValue()), StandardCharsets.UTF_8);
    String changed = statement.replaceFirst("\"digest\": \"[0-9a-f]", "\"digest\": \"0");
    assertThat(changed).isNotEqualTo(statement);
    env.put("payload", Base64.getEncoder().encodeToString(changed.getBytes(StandardCharsets.UTF_8)));
    byte[] tampered = bundle.toString().getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OmsSignature.verify(tampered, publisherKey(), "model.sig"))
        .isInstanceOf(OmsException.class)
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.BAD_SIGNATURE);
  }

  @Test
  void compare_changedAddedAndRemovedFile_namesEach(@TempDir Path tmp) throws Exception {
    Path folder = tmp.resolve("m");
    Files.createDirectories(folder);
    Path src = DIR.resolve("v1.0.1-elliptic-key");
    Files.copy(src.resolve("model.sig"), folder.resolve("model.sig"));
    Files.write(folder.resolve("signme-1"), Files.readAllBytes(src.resolve("signme-1")));
    Files.writeString(folder.resolve("signme-2"), "changed");
    Files.writeString(folder.resolve("new-file"), "new");
    OmsSignature.Comparison c = check(folder, publisherKey());
    assertThat(c.changed()).containsExactly("signme-2");
    assertThat(c.extra()).containsExactly("new-file");
    assertThat(c.missing()).isEmpty();

    Files.delete(folder.resolve("signme-1"));
    assertThat(check(folder, publisherKey()).missing()).containsExactly("signme-1");
  }

  @Test
  void verify_keylessTrust_failsNeedingSigstoreRoots() throws Exception {
    assertThatThrownBy(() -> OmsSignature.verify(Files.readAllBytes(DIR.resolve("v1.0.1-certificate/model.sig")),
        new OmsSignature.SigstoreKeyless(), "model.sig")).isInstanceOf(OmsException.class)
        .hasMessageContaining("needs Sigstore trust roots, not available offline")
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.NEEDS_SIGSTORE_TRUST_ROOT);
  }

  @Test
  void verify_subjectNotRootDigest_failsAsInconsistent() throws Exception {
    KeyPair kp = p384();
    ModelManifest m = OmsSignature.verify(Files.readAllBytes(DIR.resolve("v1.0.1-elliptic-key/model.sig")),
        publisherKey(), "model.sig").manifest();
    Statement s = new Statement(List.of(ResourceDescriptor.subject("model", "sha256", "00".repeat(32))),
        OmsSignature.PREDICATE_TYPE, m.toJsonNode());
    byte[] bundle = signedBundle(kp, Statement.PAYLOAD_TYPE, s.toJson());
    assertThatThrownBy(() -> OmsSignature.verify(bundle, new OmsSignature.PublicKey(
        EnvelopeKey.fromSpki(kp.getPublic().getEncoded(), "k")), "model.sig")).isInstanceOf(OmsException.class)
        .hasMessageContaining("is not the root digest")
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.INCONSISTENT_STATEMENT);
  }

  @Test
  void verify_otherPredicateTypeSignedByTrustedKey_failsAsMalformed() throws Exception {
    KeyPair kp = p384();
    JsonNode predicate = StrictJson.parse("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 100, "p");
    Statement s = new Statement(List.of(ResourceDescriptor.subject("model", "sha256", "00".repeat(32))),
        "https://slsa.dev/provenance/v1", predicate);
    byte[] bundle = signedBundle(kp, Statement.PAYLOAD_TYPE, s.toJson());
    assertThatThrownBy(() -> OmsSignature.verify(bundle, new OmsSignature.PublicKey(
        EnvelopeKey.fromSpki(kp.getPublic().getEncoded(), "k")), "model.sig")).isInstanceOf(OmsException.class)
        .hasMessageContaining("is not OMS v1.0");
  }

  @Test
  void verify_notJson_failsAsMalformed() {
    assertThatThrownBy(() -> OmsSignature.verify("not json".getBytes(StandardCharsets.UTF_8), publisherKey(), "x.sig"))
        .isInstanceOf(OmsException.class)
        .extracting(e -> ((OmsException) e).reason()).isEqualTo(OmsException.Reason.MALFORMED);
  }

  static KeyPair p384() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair();
  }

  /** A bundle signed the way OMS signs: ECDSA P-384 SHA-384, DER, over the PAE. */
  static byte[] signedBundle(KeyPair kp, String payloadType, byte[] payload) throws Exception {
    Signature sig = Signature.getInstance("SHA384withECDSA");
    sig.initSign(kp.getPrivate());
    sig.update(Pae.encode(payloadType, payload));
    List<DsseSignature> sigs = new ArrayList<>(List.of(new DsseSignature("", Bytes.copyOf(sig.sign()))));
    return SigstoreBundle.writeDsse(new DsseEnvelope(payloadType, Bytes.copyOf(payload), sigs), "test");
  }
}
