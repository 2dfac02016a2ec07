package dev.custody.core.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Vectors;
import dev.custody.core.Digest;
import dev.custody.core.dsse.EnvelopeKey;
import dev.custody.core.intoto.SlsaProvenance;
import dev.custody.core.intoto.Statement;
import dev.custody.core.jws.SignatureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Sigstore bundles of {@code vectors/sigstore-bundles/}, judged as its SOURCE.md says where
 * no network is needed: the DSSE envelope verified with the leaf certificate's key (or the given
 * key), the envelope compared with its log entry, and the stated failures failing. Chains to Fulcio,
 * log inclusion and timestamps are not judged (they need Sigstore's trust roots).
 */
class SigstoreBundleVectorsTest {
  private static SigstoreBundle read(String file) throws FormatException {
    return SigstoreBundle.parse(Vectors.bytes("sigstore-bundles/" + file), file);
  }

  private static EnvelopeKey leafKey(SigstoreBundle b) throws FormatException {
    return EnvelopeKey.fromCertificate(((SigstoreBundle.Certificates) b.material()).leaf(), "leaf");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json",
      "sigstore-conformance/rekor2-dsse-happy-path.sigstore.json"})
  void verifyOne_conformanceHappyPath_verifiesAndSubjectIsATxt(String file) throws Exception {
    SigstoreBundle b = read(file);
    assertThat(b.mediaType()).isEqualTo(SigstoreBundle.MEDIA_TYPE_V03);
    byte[] payload = b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b)).toByteArray();
    b.requireTlogMatchesEnvelope();

    Statement s = Statement.parse(payload, file);
    String aTxt = Digest.sha256(Vectors.bytes("sigstore-bundles/sigstore-conformance/a.txt")).value().hex();
    assertThat(s.subjects().get(0).digestOf("sha256")).contains(aTxt);
    assertThat(s.predicateType()).isEqualTo(SlsaProvenance.PREDICATE_TYPE);
  }

  @Test
  void verifyOne_dsseInvalidSig_fails() throws Exception {
    SigstoreBundle b = read("sigstore-conformance/dsse-invalid-sig_fail.sigstore.json");
    assertThatThrownBy(() -> b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b)))
        .isInstanceOf(SignatureException.class).hasMessageContaining("does not verify");
  }

  @Test
  void requireTlogMatchesEnvelope_dsseMismatchSig_failsThoughEnvelopeVerifies() throws Exception {
    SigstoreBundle b = read("sigstore-conformance/dsse-mismatch-sig_fail.sigstore.json");
    b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b)); // valid on its own, as SOURCE.md says
    assertThatThrownBy(b::requireTlogMatchesEnvelope).isInstanceOf(SignatureException.class)
        .hasMessageContaining("not the one logged");
  }

  @Test
  void requireTlogMatchesEnvelope_dsseMismatchEnvelope_failsThoughEnvelopeVerifies() throws Exception {
    SigstoreBundle b = read("sigstore-conformance/dsse-mismatch-envelope_fail.sigstore.json");
    b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b));
    assertThatThrownBy(b::requireTlogMatchesEnvelope).isInstanceOf(SignatureException.class)
        .hasMessageContaining("payloadHash");
  }

  @Test
  void verifyOne_cosignAttestation_verifiesWithLeafKey() throws Exception {
    SigstoreBundle b = read("cosign/oci-attestation.sigstore.json");
    b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b));
    b.requireTlogMatchesEnvelope();
  }

  @Test
  void verifyOne_githubNoTlog_verifiesWithLeafKeyAndHasNoLogEntry() throws Exception {
    SigstoreBundle b = read("sigstore-java/github-private-no-tlog/attestation.sigstore.json");
    b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b));
    assertThat(b.tlogEntries()).isZero();
    assertThat(b.rfc3161Timestamps()).isEqualTo(1);
  }

  @Test
  void verifyOne_npmPublishV01WithRegistryKey_verifies() throws Exception {
    SigstoreBundle b = read("sigstore-go/bundle-publish.json");
    EnvelopeKey npm = EnvelopeKey.fromPem(new String(Vectors.bytes("sigstore-bundles/sigstore-go/publish_key.pub"),
        java.nio.charset.StandardCharsets.US_ASCII), "publish_key.pub");
    assertThat(((SigstoreBundle.PublicKeyHint) b.material()).hint())
        .isEqualTo("SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA");
    b.dsseEnvelope().orElseThrow().verifyOne(npm);
    b.requireTlogMatchesEnvelope();
  }

  @Test
  void verifyOne_twoSignatureEnvelope_failsAsBundleRequiresOne() throws Exception {
    SigstoreBundle b = read("sigstore-go/dsse-2sigs.sigstore.json");
    assertThat(((SigstoreBundle.Certificates) b.material()).chain()).hasSize(3);
    assertThatThrownBy(() -> b.dsseEnvelope().orElseThrow().verifyOne(leafKey(b)))
        .isInstanceOf(SignatureException.class).hasMessageContaining("exactly one");
  }

  @Test
  void verify_managedKeyMessageSignature_verifiesOverATxtWithTheKey() throws Exception {
    SigstoreBundle b = read("sigstore-conformance/managed-key-happy-path.sigstore.json");
    assertThat(b.dsseEnvelope()).isEmpty();
    assertThat(b.material()).isInstanceOf(SigstoreBundle.PublicKeyHint.class);
    EnvelopeKey key = EnvelopeKey.fromPem(new String(Vectors.bytes(
        "sigstore-bundles/sigstore-conformance/managed-key-happy-path.key.pub"), java.nio.charset.StandardCharsets.US_ASCII),
        "key.pub");
    byte[] aTxt = Vectors.bytes("sigstore-bundles/sigstore-conformance/a.txt");
    b.messageSignature().orElseThrow().verify(key, aTxt);
    byte[] other = java.util.Arrays.copyOf(aTxt, aTxt.length + 1);
    assertThatThrownBy(() -> b.messageSignature().orElseThrow().verify(key, other))
        .isInstanceOf(SignatureException.class).hasMessageContaining("message digest");
  }

  @Test
  void parse_unknownMediaType_failsNamingIt() {
    byte[] json = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.4+json\"}".getBytes();
    assertThatThrownBy(() -> SigstoreBundle.parse(json, "b.json")).isInstanceOf(FormatException.class)
        .hasMessageContaining("v0.4");
  }
}
