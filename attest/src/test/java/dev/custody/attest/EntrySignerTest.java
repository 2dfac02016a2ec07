package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.SigningKey;
import dev.custody.core.Digest;
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
    sig[10] ^= 0x01; // in R: a flip in S could make it high, which is a form error, not a bad signature
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

  /** One fully populated event of every built-in kind, and a custom kind with a body. */
  static java.util.stream.Stream<dev.custody.core.event.Event> everyKind() {
    java.util.List<dev.custody.core.event.EventType> kinds = new java.util.ArrayList<>(
        dev.custody.core.event.EventType.BUILT_IN);
    kinds.add(dev.custody.core.event.EventType.of("https://example.com/kinds/red-team/v1"));
    Digest d = Digest.sha256(new byte[] {7});
    return kinds.stream().map(t -> {
      if (t.equals(dev.custody.core.event.EventType.COMPARISON)) { // inputs a and b only, no outputs
        return dev.custody.core.derivation.Summaries.event(d, Digest.sha256(new byte[] {8}),
            dev.custody.core.derivation.Summaries.fineTune());
      }
      dev.custody.core.event.EventDetails details = switch (t.name()) {
        case "evaluation" -> new dev.custody.core.event.EventDetails.Evaluation(new java.util.TreeMap<>(java.util.Map.of(
            "accuracy", new java.math.BigDecimal("0.9125"), "loss", new java.math.BigDecimal("-1.5E-7"),
            "ratio", new java.math.BigDecimal("0.50"))));
        case "conversion", "merge" -> new dev.custody.core.event.EventDetails.Method(Optional.of("ties"));
        case "release" -> new dev.custody.core.event.EventDetails.Release("1.2.0");
        case "custody-transfer" -> new dev.custody.core.event.EventDetails.Transfer("ACME", "Regulator \u00e9 <x@y>");
        case "approval" -> new dev.custody.core.event.EventDetails.Decision(d, "approved", Optional.of("ok \u2713"));
        case "revocation" -> new dev.custody.core.event.EventDetails.Decision(d, "revoked", Optional.of("key leak"));
        case "annotation" -> new dev.custody.core.event.EventDetails.Annotation("note \"q\"\n\ttab / slash");
        case "dataset-ingest", "training", "fine-tune" -> new dev.custody.core.event.EventDetails.None();
        default -> new dev.custody.core.event.EventDetails.Custom(
            "{\"n\":1e3,\"x\":[1.0,-0.5,\"\\u0041\"],\"o\":{\"b\":true,\"z\":null}}");
      };
      return dev.custody.core.event.Event.builder(t)
          .input(dev.custody.core.event.ArtifactRef.of("base", dev.custody.core.event.ArtifactKind.MODEL, d)
              .withUri("hf://acme/base@main").withAnnotation("license", "apache-2.0"))
          .output(dev.custody.core.event.ArtifactRef.of("model", dev.custody.core.event.ArtifactKind.MODEL, d))
          .parameter("lr", "3e-4").environment("gpu", "8xH100")
          .startedAt(java.time.Instant.parse("2026-11-27T01:02:03.5Z"))
          .finishedAt(java.time.Instant.parse("2026-11-28T01:02:03.000000001Z"))
          .details(details).build();
    });
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("everyKind")
  void sign_everyEventKindWithBothAlgorithms_passesEveryCanonicalFormCheck(dev.custody.core.event.Event event)
      throws Exception {
    // The signer's output is canonical by construction; the verifier's checks (header, envelope,
    // signature form, payload re-encoding) must accept every kind it writes, ES256 signatures included.
    for (SigningKey key : java.util.List.of(TestFixtures.ED25519, ES256)) {
      for (int i = 0; i < 8; i++) { // ES256 signatures are random: half would be high-S before normalisation
        EntryPayload p = new EntryPayload("acme/falcon-7b", i + 1, Optional.of(Digest.sha256(new byte[] {(byte) i})),
            key.keyId(), TestFixtures.TIME.plusMillis(i), event);
        EntryRecord rec = EntryRecord.parse(EntrySigner.sign(p, key), "signed " + event.type());
        rec.verifySignature(key.publicKey());
        assertThat(rec.payload("signed")).isEqualTo(p);
      }
    }
  }

  @Test
  void sign_signerReturnsHighS_storedWithLowS() throws Exception {
    // An HSM or KMS may return either S; the entry must carry the low one whatever the signer does.
    java.math.BigInteger n = new java.math.BigInteger(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    Signer alwaysHigh = new Signer() {
      @Override
      public dev.custody.core.jws.VerificationKey publicKey() {
        return ES256.publicKey();
      }

      @Override
      public byte[] sign(byte[] signingInput) throws dev.custody.attest.AttestException {
        byte[] sig = ES256.sign(signingInput);
        java.math.BigInteger s = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        if (s.compareTo(n.shiftRight(1)) <= 0) {
          byte[] high = n.subtract(s).toByteArray();
          byte[] fixed = new byte[32];
          System.arraycopy(high, Math.max(0, high.length - 32), fixed, 32 - Math.min(32, high.length),
              Math.min(32, high.length));
          System.arraycopy(fixed, 0, sig, 32, 32);
        }
        return sig;
      }
    };
    EntryPayload p = payload(ES256);

    EntryRecord rec = EntryRecord.parse(EntrySigner.sign(p, alwaysHigh), "e");

    byte[] sig = rec.envelope().signature().toByteArray();
    assertThat(new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64))).isLessThanOrEqualTo(n.shiftRight(1));
    rec.verifySignature(ES256.publicKey());
  }

  @Test
  void sign_signerReturnsShortSignature_attestExceptionNamingTheSigner() {
    Signer broken = new Signer() {
      @Override
      public dev.custody.core.jws.VerificationKey publicKey() {
        return ES256.publicKey();
      }

      @Override
      public byte[] sign(byte[] signingInput) {
        return new byte[12];
      }
    };

    assertThatThrownBy(() -> EntrySigner.sign(payload(ES256), broken))
        .isInstanceOf(dev.custody.attest.AttestException.class).hasMessageContaining(ES256.keyId())
        .hasMessageContaining("got 12");
  }

  @Test
  void sign_payloadNamesAnotherKey_throwsIllegalArgument() {
    EntryPayload payload = payload(ES256);
    assertThatThrownBy(() -> EntrySigner.sign(payload, TestFixtures.ED25519))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ES256.keyId());
  }
}
