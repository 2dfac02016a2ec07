package dev.custody.core.dsse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.jws.SignatureException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The DSSE v1.0.2 spec vector ({@code vectors/dsse/}, see its SOURCE.md) and the envelope's reading rules. */
class DsseSpecVectorTest {
  private static final Path DIR = Path.of(System.getProperty("custody.vectors")).resolve("dsse");

  private static JsonNode vector() throws Exception {
    return StrictJson.parse(Files.readAllBytes(DIR.resolve("dsse-spec-vector.json")), 1 << 20, "vector");
  }

  private static EnvelopeKey key() throws Exception {
    return EnvelopeKey.fromPem(Files.readString(DIR.resolve("keys/spec-p256-public.pem")), "spec key");
  }

  @Test
  void encode_specVector_isByteExact() throws Exception {
    JsonNode v = vector();
    byte[] pae = Pae.encode(v.get("payloadType").textValue(), v.get("payloadUtf8").textValue()
        .getBytes(StandardCharsets.UTF_8));
    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo(v.get("paeUtf8").textValue());
    assertThat(Bytes.copyOf(pae).hex()).isEqualTo(v.get("paeHex").textValue());
    assertThat(pae).hasSize(54);
  }

  @Test
  void encode_multiByteType_countsBytesNotCharacters() {
    byte[] pae = Pae.encode("é", new byte[0]);
    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 2 é 0 ");
  }

  @Test
  void verifyOne_specEnvelopeRawSignature_returnsPayload() throws Exception {
    DsseEnvelope e = DsseEnvelope.fromJson(vector().get("envelopeFromProtocolMd"), "envelope");
    assertThat(e.signatures().get(0).sig().length()).isEqualTo(64);
    assertThat(new String(e.verifyOne(key()).toByteArray(), StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void verify_specSignatureInDer_verifies() throws Exception {
    JsonNode v = vector();
    key().verify(v.get("paeUtf8").textValue().getBytes(StandardCharsets.UTF_8),
        Base64.getDecoder().decode(v.get("signatureDerB64").textValue()));
  }

  @Test
  void fromJson_keyidDemoValue_isKeptButNotNeeded() throws Exception {
    DsseEnvelope e = DsseEnvelope.fromJson(vector().get("envelopeFromSigningSpecPy"), "envelope");
    assertThat(e.signatures().get(0).keyId()).isEqualTo("66301bbf");
    e.verifyOne(key());
  }

  @Test
  void verifyOne_otherPayloadType_fails() throws Exception {
    JsonNode v = vector();
    DsseEnvelope good = DsseEnvelope.fromJson(v.get("envelopeFromProtocolMd"), "envelope");
    DsseEnvelope changed = new DsseEnvelope("http://example.com/HelloWorlD", good.payload(), good.signatures());
    assertThatThrownBy(() -> changed.verifyOne(key())).isInstanceOf(SignatureException.class)
        .hasMessageContaining("does not verify");
  }

  @Test
  void verifyOne_flippedSignatureBit_fails() throws Exception {
    DsseEnvelope good = DsseEnvelope.fromJson(vector().get("envelopeFromProtocolMd"), "envelope");
    byte[] sig = good.signatures().get(0).sig().toByteArray();
    sig[10] ^= 1;
    DsseEnvelope bad = new DsseEnvelope(good.payloadType(), good.payload(),
        java.util.List.of(new DsseSignature("", Bytes.copyOf(sig))));
    assertThatThrownBy(() -> bad.verifyOne(key())).isInstanceOf(SignatureException.class);
  }

  @Test
  void verifyOne_twoSignatures_failsAsSigstoreRequiresOne() throws Exception {
    DsseEnvelope good = DsseEnvelope.fromJson(vector().get("envelopeFromProtocolMd"), "envelope");
    DsseEnvelope two = new DsseEnvelope(good.payloadType(), good.payload(),
        java.util.List.of(good.signatures().get(0), good.signatures().get(0)));
    assertThatThrownBy(() -> two.verifyOne(key())).isInstanceOf(SignatureException.class)
        .hasMessageContaining("exactly one");
  }

  @Test
  void fromJson_urlSafeUnpaddedBase64_readsSameBytes() throws Exception {
    String json = "{\"payload\":\"aGVsbG8gd29ybGQ\",\"payloadType\":\"http://example.com/HelloWorld\",\"signatures\":"
        + "[{\"keyid\":null,\"sig\":\"A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F-FnZ-O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA\"}],"
        + "\"unknown\":1}";
    DsseEnvelope e = DsseEnvelope.fromJson(StrictJson.parse(json.getBytes(StandardCharsets.UTF_8), 4096, "e"), "e");
    e.verifyOne(key());
    assertThat(e.signatures().get(0).keyId()).isEmpty();
  }

  @Test
  void fromJson_missingSignatures_failsNamingField() {
    byte[] json = "{\"payload\":\"\",\"payloadType\":\"t\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DsseEnvelope.fromJson(StrictJson.parse(json, 4096, "e"), "e"))
        .isInstanceOf(FormatException.class).hasMessageContaining("e.signatures is required");
  }

  @Test
  void verify_rawSignatureWithZeroR_failsBeforeArithmetic() throws Exception {
    byte[] sig = new byte[64];
    sig[63] = 1;
    assertThatThrownBy(() -> key().verify(new byte[] {1}, sig)).isInstanceOf(SignatureException.class)
        .hasMessageContaining("outside [1, n-1]");
  }

  @Test
  void verify_signatureOfWrongLength_failsNamingLengths() throws Exception {
    assertThatThrownBy(() -> key().verify(new byte[] {1}, new byte[63])).isInstanceOf(SignatureException.class)
        .hasMessageContaining("neither DER nor 64-byte r||s");
  }
}
