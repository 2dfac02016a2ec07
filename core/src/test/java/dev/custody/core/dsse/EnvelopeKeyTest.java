package dev.custody.core.dsse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.jws.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** The allow-list and both ECDSA encodings of {@link EnvelopeKey}, with real keys. */
class EnvelopeKeyTest {
  private static final Path OMS = Path.of(System.getProperty("custody.vectors")).resolve("openssf-model-signing");

  @Test
  void fromPem_gnutlsPreamble_readsP384Key() throws Exception {
    String text = Files.readString(OMS.resolve("keys/signing-key-pub.pem"));
    assertThat(text).startsWith("Public Key Information:");
    EnvelopeKey k = EnvelopeKey.fromPem(text, "signing-key-pub.pem");
    assertThat(k.algorithm()).isEqualTo(EnvelopeKey.Algorithm.ECDSA_P384_SHA384);
  }

  @Test
  void fromPem_twoBlocks_failsSayingMoreThanOne() throws Exception {
    KeyPair a = ec("secp256r1");
    String pem = Pem.encode(a.getPublic().getEncoded(), "PUBLIC KEY");
    assertThatThrownBy(() -> EnvelopeKey.fromPem(pem + "text\n" + pem, "two.pem"))
        .isInstanceOf(FormatException.class).hasMessageContaining("more than one");
  }

  @Test
  void fromSpki_p521_failsNamingAllowList() throws Exception {
    byte[] spki = ec("secp521r1").getPublic().getEncoded();
    assertThatThrownBy(() -> EnvelopeKey.fromSpki(spki, "p521")).isInstanceOf(FormatException.class)
        .hasMessageContaining("P-256 and P-384");
  }

  @Test
  void verify_p384DerAndRaw_bothVerify() throws Exception {
    KeyPair kp = ec("secp384r1");
    byte[] msg = "message".getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("SHA384withECDSA");
    s.initSign(kp.getPrivate());
    s.update(msg);
    byte[] der = s.sign();
    Signature p = Signature.getInstance("SHA384withECDSAinP1363Format");
    p.initSign(kp.getPrivate());
    p.update(msg);
    byte[] raw = p.sign();
    EnvelopeKey k = EnvelopeKey.fromSpki(kp.getPublic().getEncoded(), "k");
    k.verify(msg, der);
    k.verify(msg, raw);
    assertThat(raw).hasSize(96);
  }

  @Test
  void verify_p384SignatureOverSha256_fails() throws Exception {
    KeyPair kp = ec("secp384r1");
    byte[] msg = "message".getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(kp.getPrivate());
    s.update(msg);
    byte[] der = s.sign();
    EnvelopeKey k = EnvelopeKey.fromSpki(kp.getPublic().getEncoded(), "k");
    assertThatThrownBy(() -> k.verify(msg, der)).isInstanceOf(dev.custody.core.jws.SignatureException.class);
  }

  @Test
  void verify_ed25519_verifiesAndRejectsOtherMessage() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] msg = "message".getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(kp.getPrivate());
    s.update(msg);
    byte[] sig = s.sign();
    EnvelopeKey k = EnvelopeKey.fromSpki(kp.getPublic().getEncoded(), "k");
    k.verify(msg, sig);
    assertThatThrownBy(() -> k.verify("other".getBytes(StandardCharsets.UTF_8), sig))
        .isInstanceOf(dev.custody.core.jws.SignatureException.class);
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }
}
