package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Vectors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/** Known answers from RFC 8037 Appendix A (Ed25519) and RFC 7515 Appendix A.3 (ES256); see the folder's SOURCE.md. */
class JoseRfcVectorsTest {
  private static final JsonNode ED = Vectors.json("jose-rfc7515-rfc8037/rfc8037-a-ed25519.json");
  private static final JsonNode ES = Vectors.json("jose-rfc7515-rfc8037/rfc7515-a3-es256.json");

  private static byte[] b64u(String s) {
    return Base64.getUrlDecoder().decode(s);
  }

  static VerificationKey es256Key(JsonNode jwk) throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECPoint w = new ECPoint(new BigInteger(1, b64u(jwk.get("x").asText())), new BigInteger(1, b64u(jwk.get("y").asText())));
    byte[] spki = KeyFactory.getInstance("EC")
        .generatePublic(new ECPublicKeySpec(w, params.getParameterSpec(ECParameterSpec.class))).getEncoded();
    return VerificationKey.fromSpki(spki, "RFC 7515 A.3 key");
  }

  @Test
  void rfc8037A4_ed25519Jws_verifiesThroughEnvelope() throws Exception {
    VerificationKey key = VerificationKey.ed25519(b64u(ED.get("publicJwk").get("x").asText()));
    JwsEnvelope env = JwsEnvelope.fromCompact(ED.get("compact").asText(), "RFC 8037 A.4");
    assertThat(new String(env.signingInput(), StandardCharsets.US_ASCII)).isEqualTo(ED.get("signingInput").asText());
    assertThat(new String(env.payload().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("Example of Ed25519 signing");
    env.verify(key);
  }

  @Test
  void rfc8037A4_signingWithPrivateKey_reproducesSignatureExactly() {
    byte[] d = b64u(ED.get("privateJwk").get("d").asText());
    byte[] x = new byte[32];
    Ed25519.generatePublicKey(d, 0, x, 0);
    assertThat(Base64Url.encode(x)).isEqualTo(ED.get("publicJwk").get("x").asText());
    byte[] msg = ED.get("signingInput").asText().getBytes(StandardCharsets.US_ASCII);
    byte[] sig = new byte[64];
    Ed25519.sign(d, 0, msg, 0, msg.length, sig, 0);
    assertThat(Base64Url.encode(sig)).isEqualTo(ED.get("signatureB64u").asText());
  }

  @Test
  void rfc8037A4_oneByteOfPayloadOrSignatureChanged_fails() throws Exception {
    VerificationKey key = VerificationKey.ed25519(b64u(ED.get("publicJwk").get("x").asText()));
    assertMutationsFail(key, ED.get("compact").asText());
  }

  @Test
  void rfc7515A3_es256Jws_verifiesThroughEnvelope() throws Exception {
    VerificationKey key = es256Key(ES.get("jwk"));
    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.ES256);
    JwsEnvelope env = JwsEnvelope.fromCompact(ES.get("compact").asText(), "RFC 7515 A.3");
    env.verify(key);
    key.verifyRaw(ES.get("signingInput").asText().getBytes(StandardCharsets.US_ASCII),
        b64u(ES.get("signatureB64u").asText()));
  }

  @Test
  void rfc7515A3_oneByteOfPayloadOrSignatureChanged_fails() throws Exception {
    assertMutationsFail(es256Key(ES.get("jwk")), ES.get("compact").asText());
  }

  @Test
  void rfc7515A3_derSignatureGivenToVerifyRaw_rejectedOnLength() throws Exception {
    VerificationKey key = es256Key(ES.get("jwk"));
    byte[] der = java.util.HexFormat.of().parseHex(ES.get("signatureDerHexDerived").asText());
    assertThatThrownBy(() -> key.verifyRaw(ES.get("signingInput").asText().getBytes(StandardCharsets.US_ASCII), der))
        .isInstanceOf(SignatureException.class).hasMessageContaining("must be 64 bytes, got " + der.length);
  }

  private static void assertMutationsFail(VerificationKey key, String compact) throws Exception {
    String[] parts = compact.split("\\.", -1);
    byte[] payload = b64u(parts[1]);
    byte[] sig = b64u(parts[2]);
    JwsEnvelope.fromCompact(compact, "original").verify(key);
    for (int i : new int[] {0, payload.length / 2, payload.length - 1}) {
      byte[] p = payload.clone();
      p[i] ^= 0x01;
      String mutated = parts[0] + "." + Base64Url.encode(p) + "." + parts[2];
      assertThatThrownBy(() -> JwsEnvelope.fromCompact(mutated, "payload byte " + i).verify(key))
          .as("payload byte %d", i).isInstanceOf(SignatureException.class);
    }
    for (int i : new int[] {0, 31, 32, 63}) {
      byte[] s = sig.clone();
      s[i] ^= 0x01;
      String mutated = parts[0] + "." + parts[1] + "." + Base64Url.encode(s);
      assertThatThrownBy(() -> JwsEnvelope.fromCompact(mutated, "signature byte " + i).verify(key))
          .as("signature byte %d", i).isInstanceOf(SignatureException.class);
    }
  }
}
