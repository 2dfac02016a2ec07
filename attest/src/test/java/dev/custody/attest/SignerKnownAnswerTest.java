package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import dev.custody.attest.SigningKey;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.jws.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Known answers from RFC 8037 Appendix A (../shared/vectors/jose-rfc7515-rfc8037/rfc8037-a-ed25519.json). */
class SignerKnownAnswerTest {
  private static JsonNode vector;
  private static byte[] d;
  private static byte[] x;

  @BeforeAll
  static void readVector() throws Exception {
    String dir = System.getProperty("custody.vectors");
    assertThat(dir).as("system property custody.vectors (set by surefire)").isNotNull();
    vector = new ObjectMapper().readTree(Path.of(dir, "jose-rfc7515-rfc8037", "rfc8037-a-ed25519.json").toFile());
    d = Base64Url.decode(vector.at("/privateJwk/d").asText(), "d");
    x = Base64Url.decode(vector.at("/privateJwk/x").asText(), "x");
    assertThat(d).hasSize(32);
    assertThat(x).hasSize(32);
  }

  @Test
  void ed25519_rfc8037A4ThroughNimbusJwsObject_reproducesSignatureExactly() throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.EdDSA), new Payload(vector.get("payloadUtf8").asText()));

    jws.sign(Signers.ed25519(d, x));

    assertThat(jws.getHeader().toBase64URL().toString()).isEqualTo(vector.get("protectedB64u").asText());
    assertThat(new String(jws.getSigningInput(), StandardCharsets.US_ASCII)).isEqualTo(vector.get("signingInput").asText());
    assertThat(jws.getSignature().toString()).isEqualTo(vector.get("signatureB64u").asText());
    assertThat(jws.serialize()).isEqualTo(vector.get("compact").asText());
  }

  @Test
  void signingKey_rfc8037A1KeyAsPkcs8_derivesA2PublicKeyAndReproducesA4Signature() throws Exception {
    byte[] pkcs8 = PrivateKeyInfoFactory.createPrivateKeyInfo(new Ed25519PrivateKeyParameters(d, 0)).getEncoded("DER");
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
    SigningKey key = SigningKey.fromPem(pem, "RFC 8037 A.1");

    byte[] sig = key.sign(vector.get("signingInput").asText().getBytes(StandardCharsets.US_ASCII));

    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.ED25519);
    assertThat(key.publicKey()).isEqualTo(VerificationKey.ed25519(x));
    assertThat(Base64Url.encode(sig)).isEqualTo(vector.get("signatureB64u").asText());
  }

  @Test
  void es256_signThenVerifyThroughCoreEnvelope_roundTripsAndRejectsOtherKey() throws Exception {
    SigningKey key = SigningKey.generate(KeyAlgorithm.ES256);
    SigningKey other = SigningKey.generate(KeyAlgorithm.ES256);
    String header = "{\"alg\":\"ES256\",\"kid\":\"" + key.keyId() + "\"}";
    String h = Base64Url.encode(header.getBytes(StandardCharsets.US_ASCII));
    String p = Base64Url.encode("custody".getBytes(StandardCharsets.US_ASCII));

    byte[] sig = key.sign((h + "." + p).getBytes(StandardCharsets.US_ASCII));

    assertThat(sig).as("ES256 JWS signature is R||S").hasSize(64);
    JwsEnvelope env = JwsEnvelope.parse(JwsEnvelope.serialize(h, p, Base64Url.encode(sig)), 4096, "es256 test");
    env.verify(key.publicKey());
    assertThatThrownBy(() -> env.verify(other.publicKey())).isInstanceOf(SignatureException.class);
    assertThatThrownBy(() -> env.verify(VerificationKey.ed25519(x))).isInstanceOf(SignatureException.class)
        .hasMessageContaining("alg");
  }
}
