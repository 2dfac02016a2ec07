package dev.custody.attest.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.keys.SigningKey;
import dev.custody.core.digest.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.SignatureException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EntrySignerTest {
  private static final SigningKey ES256 = SigningKey.generate(KeyAlgorithm.ES256);

  private static SigningKey key(KeyAlgorithm alg) {
    return alg == KeyAlgorithm.ED25519 ? TestFixtures.ED25519 : ES256;
  }

  private static EntryPayload payload(SigningKey key) {
    return new EntryPayload("acme/falcon-7b", 3, Optional.of(Digest.sha256(new byte[] {1})), key.keyId(),
        TestFixtures.TIME, TestFixtures.event("x", 3));
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void sign_payload_parsesWithEntryRecordAndVerifiesWithPublicKey(KeyAlgorithm alg) throws Exception {
    SigningKey key = key(alg);
    EntryPayload payload = payload(key);

    byte[] bytes = EntrySigner.sign(payload, key);

    EntryRecord rec = EntryRecord.parse(bytes, "signed entry");
    rec.verifySignature(key.publicKey());
    assertThat(rec.payload("signed entry")).isEqualTo(payload);
    assertThat(rec.envelope().payload().toByteArray()).isEqualTo(EntryCodec.encode(payload));
    assertThat(rec.headerKeyId()).isEqualTo(key.keyId());
    assertThat(rec.envelope().header().getAlgorithm()).isEqualTo(alg.jwsAlgorithm());
    assertThat(rec.envelope().header().getType().toString()).isEqualTo(JwsEnvelope.ENTRY_TYPE);
    assertThat(rec.hash()).isEqualTo(Digest.sha256(bytes));
    assertThat(new String(bytes, StandardCharsets.US_ASCII)).doesNotContain("\n");
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void recordLength_anyPayload_equalsLengthOfSignedRecord(KeyAlgorithm alg) throws Exception {
    SigningKey key = key(alg);
    for (int n : new int[] {0, 1, 2, 3, 100, 1000, 65_000}) {
      EntryPayload p = new EntryPayload("acme/a", n, n == 0 ? Optional.empty() : Optional.of(Digest.sha256(new byte[1])),
          key.keyId(), TestFixtures.TIME, TestFixtures.event("x".repeat(n), n));
      assertThat(EntrySigner.recordLength(p, key)).as("size %d", n).isEqualTo(EntrySigner.sign(p, key).length);
    }
  }

  @Test
  void sign_ed25519_isDeterministic() throws Exception {
    EntryPayload payload = payload(TestFixtures.ED25519);
    assertThat(EntrySigner.sign(payload, TestFixtures.ED25519)).isEqualTo(EntrySigner.sign(payload, TestFixtures.ED25519));
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void verifySignature_signatureBitFlipped_throwsSignatureException(KeyAlgorithm alg) throws Exception {
    SigningKey key = key(alg);
    EntryRecord rec = EntryRecord.parse(EntrySigner.sign(payload(key), key), "e");
    byte[] sig = rec.envelope().signature().toByteArray();
    sig[sig.length / 2] ^= 0x01;
    EntryRecord tampered = EntryRecord.parse(JwsEnvelope.serialize(rec.envelope().protectedB64(),
        rec.envelope().payloadB64(), dev.custody.core.jws.Base64Url.encode(sig)), "tampered");

    assertThatThrownBy(() -> tampered.verifySignature(key.publicKey())).isInstanceOf(SignatureException.class);
  }

  @Test
  void verifySignature_otherKey_throwsSignatureException() throws Exception {
    EntryRecord rec = EntryRecord.parse(EntrySigner.sign(payload(TestFixtures.ED25519), TestFixtures.ED25519), "e");
    SigningKey other = SigningKey.generate(KeyAlgorithm.ED25519);

    assertThatThrownBy(() -> rec.verifySignature(other.publicKey())).isInstanceOf(SignatureException.class);
  }

  @Test
  void sign_payloadNamesAnotherKey_throwsIllegalArgument() {
    EntryPayload payload = payload(ES256);
    assertThatThrownBy(() -> EntrySigner.sign(payload, TestFixtures.ED25519))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ES256.keyId());
  }
}
