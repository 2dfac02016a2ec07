package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.CosignatureV1Signer;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.jws.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: {@link SigningKey} is the one holder of private key material; the JWS, note and
 * cosignature signers are built from it and sign with the same key, and the secret leaves only
 * through {@code exportSecret…}.
 */
class SigningKeySignersTest {
  /** RFC 8032 §7.1 TEST 1 secret key and public key. */
  private static final Bytes SEED = Bytes.copyOf(HexFormat.of().parseHex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  private static final String PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String SIGNATURE_OF_EMPTY = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  @Test
  void ed25519FromSeed_rfc8032Test1_publicKeyAndSignature() throws Exception {
    SigningKey key = SigningKey.ed25519FromSeed(SEED);

    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.ED25519);
    assertThat(key.ed25519PublicKey().hex()).isEqualTo(PUBLIC);
    assertThat(HexFormat.of().formatHex(key.sign(new byte[0]))).isEqualTo(SIGNATURE_OF_EMPTY);
    assertThat(HexFormat.of().formatHex(key.noteSigner("k").sign(new byte[0]))).isEqualTo(SIGNATURE_OF_EMPTY);
  }

  @Test
  void noteSigner_sameKeyAsJws_sameSignatures() throws Exception {
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);
    byte[] text = "example.com/log\n1\nAAAA\n".getBytes(StandardCharsets.UTF_8);

    Ed25519NoteSigner note = key.noteSigner("example.com/log");

    assertThat(note.sign(text)).isEqualTo(key.sign(text));
    assertThat(note.signingKey()).isSameAs(key);
    assertThat(note.verifierKey().publicKey()).isEqualTo(key.ed25519PublicKey());
  }

  @Test
  void cosigner_fromKey_signsWithTheKeyAfterTheTimestamp() throws Exception {
    SigningKey key = SigningKey.ed25519FromSeed(SEED);
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
    byte[] checkpoint = ("example.com/log\n1\n" + "A".repeat(43) + "=\n").getBytes(StandardCharsets.UTF_8);

    CosignatureV1Signer w = key.cosigner("witness.example", clock);
    byte[] out = w.sign(checkpoint);

    byte[] signed = dev.custody.core.note.CosignatureV1.signedMessage(1_700_000_000L, checkpoint);
    byte[] expected = new byte[Ed25519.SIGNATURE_SIZE];
    key.signEd25519(signed, 0, signed.length, expected, 0);
    assertThat(Arrays.copyOfRange(out, 8, out.length)).isEqualTo(expected);
    assertThat(w.verifierKey().publicKey()).isEqualTo(key.ed25519PublicKey());
  }

  @Test
  void exportSecret_seedAndNoteKeyAndPem_roundTripToTheSameKey() throws Exception {
    SigningKey key = SigningKey.ed25519FromSeed(SEED);

    assertThat(key.exportSecretEd25519Seed()).isEqualTo(SEED);
    Ed25519NoteSigner back = Ed25519NoteSigner.parsePrivateKey(key.noteSigner("k").exportSecretPrivateKey());
    assertThat(back.signingKey().exportSecretEd25519Seed()).isEqualTo(SEED);
    assertThat(SigningKey.fromPem(key.exportSecretPkcs8Pem(), "export").publicKey()).isEqualTo(key.publicKey());
    assertThat(Ed25519NoteSigner.fromSeed("k", SEED).signingKey().exportSecretPkcs8Pem())
        .isEqualTo(key.exportSecretPkcs8Pem());
  }

  @Test
  void toString_anySigner_neverTheSecret() throws Exception {
    SigningKey key = SigningKey.ed25519FromSeed(SEED);
    String seedHex = SEED.hex();
    String seedB64 = java.util.Base64.getEncoder().encodeToString(SEED.toByteArray()).substring(0, 20);
    for (Object o : new Object[] {key, key.noteSigner("k"), key.cosigner("k", Clock.systemUTC())}) {
      assertThat(o.toString()).doesNotContain(seedHex).doesNotContain(seedB64);
    }
  }

  @Test
  void noteSigner_es256Key_refusedNamingTheAlgorithm() {
    SigningKey es = SigningKey.generate(KeyAlgorithm.ES256);
    assertThatThrownBy(() -> es.noteSigner("k")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Ed25519");
    assertThatThrownBy(es::exportSecretEd25519Seed).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> es.cosigner("k", Clock.systemUTC())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ed25519FromSeed_wrongLength_rejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> SigningKey.ed25519FromSeed(Bytes.copyOf(new byte[31])))
        .isInstanceOf(FormatException.class).hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> SigningKey.ed25519FromSeed(Bytes.copyOf(new byte[33])))
        .isInstanceOf(FormatException.class).hasMessageContaining("got 33");
  }
}
