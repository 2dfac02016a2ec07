package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.verify.TestLedgers.TestKey;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * One byte form per entry (issue 7, item 3): named re-spellings of a valid entry. Each keeps the
 * entry's signed content (or re-signs the re-spelled bytes with the trusted key, so that only the
 * canonical-form rule can catch it) and must fail verification at that record with the finding
 * that says which rule: {@link FindingCode#RECORD_NOT_CANONICAL} for a second spelling of the same
 * content, {@link FindingCode#RECORD_MALFORMED} / {@link FindingCode#PAYLOAD_MALFORMED} where the
 * strict grammar already forbids the spelling (unknown or duplicate header members, a fraction or
 * exponent in an integer).
 */
class RecordMutationTest {
  static final TestKey ED = TestKey.ed25519("mutation signer");
  static final TestKey EC = TestKey.es256();
  static final TrustedKeys TRUST = TrustedKeys.of(List.of(ED.publicKey(), EC.publicKey()));
  /** RFC 8032 §5.1: the order of the Ed25519 base point. */
  static final BigInteger L = BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
  /** FIPS 186-4 §D.1.2.3: the order of the P-256 base point. */
  static final BigInteger N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  @TempDir Path tmp;

  /** The genuine first entry of the chain; every mutant is its successor, sequence 1. */
  static final byte[] FIRST = TestLedgers.sign(ED, TestLedgers.payload("acme/m", 0, Optional.empty(), ED.keyId(), "0"));

  /** The successor as custody writes it: metrics 1 and 1.0, a parameter with 'A' and '/', a time without fraction. */
  static EntryPayload successor(TestKey key) {
    Event e = Event.builder(EventType.EVALUATION)
        .parameter("path", "A/B")
        .parameter("note", "caf\u00e9\nline")
        .details(new EventDetails.Evaluation(new TreeMap<>(java.util.Map.of(
            "one", new BigDecimal("1"), "onePointZero", new BigDecimal("1.0")))))
        .build();
    return new EntryPayload("acme/m", 1, Optional.of(Digest.sha256(FIRST)), key.keyId(),
        TestLedgers.T0.plusSeconds(1), e);
  }

  static String header(TestKey key) {
    return "{\"alg\":\"" + key.jwsAlg() + "\",\"kid\":\"" + key.keyId() + "\",\"typ\":\"" + JwsEnvelope.ENTRY_TYPE
        + "\"}";
  }

  static String payloadText(TestKey key) {
    return new String(EntryCodec.encode(successor(key)), StandardCharsets.UTF_8);
  }

  record Case(String name, FindingCode code, String rule, Supplier<byte[]> record) {}

  /** The payload text with {@code from} replaced by {@code to}, signed by the trusted Ed25519 key. */
  static Case payload(String name, FindingCode code, String rule, String from, String to) {
    return new Case(name, code, rule, () -> {
      String text = payloadText(ED);
      assertThat(text).as("mutation '%s' applies", name).contains(from);
      return TestLedgers.signRaw(ED, header(ED), text.replace(from, to).getBytes(StandardCharsets.UTF_8));
    });
  }

  /** The header text with {@code from} replaced by {@code to}, signed by the trusted Ed25519 key. */
  static Case header(String name, FindingCode code, String rule, String from, String to) {
    return new Case(name, code, rule, () -> {
      String h = header(ED);
      assertThat(h).as("mutation '%s' applies", name).contains(from);
      return TestLedgers.signRaw(ED, h.replace(from, to), EntryCodec.encode(successor(ED)));
    });
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("ES256 signature with high S (n - s): a second valid signature", FindingCode.RECORD_NOT_CANONICAL,
            "high S", RecordMutationTest::highS),
        new Case("Ed25519 signature with S + L: the same signature modulo L", FindingCode.RECORD_NOT_CANONICAL,
            "S >= L", RecordMutationTest::ed25519SPlusL),
        header("header members reordered", FindingCode.RECORD_NOT_CANONICAL, "protected header",
            "{\"alg\":\"EdDSA\",\"kid\":\"" + ED.keyId() + "\"",
            "{\"kid\":\"" + ED.keyId() + "\",\"alg\":\"EdDSA\""),
        header("header with whitespace", FindingCode.RECORD_NOT_CANONICAL, "protected header",
            "\"alg\":\"EdDSA\"", "\"alg\": \"EdDSA\""),
        header("header alg with an escaped letter (\\u0045 for E)", FindingCode.RECORD_NOT_CANONICAL,
            "protected header", "\"EdDSA\"", "\"\\u0045dDSA\""),
        header("header with an extra member", FindingCode.RECORD_MALFORMED, "unknown member",
            "\"typ\":", "\"x5u\":\"https://evil.example/k\",\"typ\":"),
        header("header with a duplicate member", FindingCode.RECORD_MALFORMED, "Duplicate field",
            "\"typ\":", "\"alg\":\"EdDSA\",\"typ\":"),
        new Case("JWS object members reordered", FindingCode.RECORD_NOT_CANONICAL, "JWS object",
            RecordMutationTest::envelopeReordered),
        new Case("JWS object with a UTF-8 byte-order mark", FindingCode.RECORD_NOT_CANONICAL, "JWS object",
            () -> withBom(TestLedgers.sign(ED, successor(ED)))),
        new Case("payload in UTF-16", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            () -> TestLedgers.signRaw(ED, header(ED), payloadText(ED).getBytes(StandardCharsets.UTF_16BE))),
        payload("payload with whitespace", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\"sequence\":1", "\"sequence\": 1"),
        new Case("payload with a UTF-8 byte-order mark", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            RecordMutationTest::payloadWithBom),
        payload("payload members reordered", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "{\"format\":\"custody/entry/v1\",\"chain\":\"acme/m\"", "{\"chain\":\"acme/m\",\"format\":\"custody/entry/v1\""),
        payload("metric 1 spelled 1e0", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\"one\":1,", "\"one\":1e0,"),
        payload("metric 1.0 spelled 10E-1", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\"onePointZero\":1.0", "\"onePointZero\":10E-1"),
        payload("sequence 1 spelled 1.0", FindingCode.PAYLOAD_MALFORMED, "non-negative integer",
            "\"sequence\":1", "\"sequence\":1.0"),
        payload("sequence 1 spelled 1e0", FindingCode.PAYLOAD_MALFORMED, "non-negative integer",
            "\"sequence\":1", "\"sequence\":1e0"),
        payload("time with a zero fraction", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "12:00:01Z", "12:00:01.000Z"),
        payload("A spelled \\u0041", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\"A/B\"", "\"\\u0041/B\""),
        payload("/ spelled \\/", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\"A/B\"", "\"A\\/B\""),
        payload("non-ASCII letter spelled \\u00e9", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "caf\u00e9", "caf\\u00e9"),
        payload("newline spelled \\u000a", FindingCode.RECORD_NOT_CANONICAL, "signed payload",
            "\\nline", "\\u000aline"));
  }

  @TestFactory
  Stream<DynamicTest> verify_respelledEntry_failsNamingTheRule() {
    return cases().map(c -> dynamicTest(c.name(),
        () -> {
          byte[] mutant = c.record().get();
          VerificationReport r = verify(c.name(), List.of(FIRST, mutant));

          List<Finding> errors = r.findings().stream().filter(Finding::isError).collect(Collectors.toList());
          assertThat(errors).as("errors for %s: %s", c.name(), r.findings()).hasSize(1);
          Finding f = errors.get(0);
          assertThat(f.code()).as(c.name()).isEqualTo(c.code());
          assertThat(f.message()).as(c.name()).contains(c.rule());
          assertThat(f.entry()).isPresent();
          assertThat(f.entry().get().logIndex()).isEqualTo(1);
          assertThat(f.entry().get().hash()).contains(Digest.sha256(mutant));
          assertThat(r.verified()).isFalse();
        }));
  }

  @Test
  void verify_successorAsCustodyWritesIt_verifies() throws Exception {
    for (TestKey key : List.of(ED, EC)) {
      byte[] genuine = TestLedgers.sign(key, successor(key));
      VerificationReport r = verify("genuine-" + key.jwsAlg(), List.of(FIRST, genuine));
      assertThat(r.findings().stream().filter(Finding::isError)).as("%s", r.findings()).isEmpty();
    }
  }

  @Test
  void verify_highSSignatureIsValidEcdsa_stillNotCanonical() throws Exception {
    // The high-S twin verifies as ECDSA: only the canonical-form rule stands between it and a second entry hash.
    byte[] mutant = highS();
    dev.custody.core.jws.JwsEnvelope env = dev.custody.core.jws.JwsEnvelope.parse(mutant, 1 << 20, "mutant");
    EC.publicKey().verifyRaw(env.signingInput(), env.signature().toByteArray());

    assertThat(verify("high-s", List.of(FIRST, mutant)).findings()).extracting(Finding::code)
        .contains(FindingCode.RECORD_NOT_CANONICAL);
  }

  private VerificationReport verify(String name, List<byte[]> records) throws Exception {
    Path dir = tmp.resolve(name.replaceAll("[^A-Za-z0-9]", "_"));
    Files.createDirectories(dir);
    return LedgerVerifier.builder(TRUST).build().verify(TestLedgers.write(dir.resolve("ledger"), records));
  }

  /** The successor signed by the ES256 key (low S), then S replaced by n - S. */
  static byte[] highS() {
    byte[] rec = TestLedgers.sign(EC, successor(EC));
    String[] parts = parts(rec);
    byte[] sig = decode(parts[2]);
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    byte[] high = fixed32(N.subtract(s));
    System.arraycopy(high, 0, sig, 32, 32);
    return JwsEnvelope.serialize(parts[0], parts[1], Base64Url.encode(sig));
  }

  /** The successor signed by the Ed25519 key, then S (little-endian) replaced by S + L. */
  static byte[] ed25519SPlusL() {
    byte[] rec = TestLedgers.sign(ED, successor(ED));
    String[] parts = parts(rec);
    byte[] sig = decode(parts[2]);
    byte[] le = java.util.Arrays.copyOfRange(sig, 32, 64);
    BigInteger s = new BigInteger(1, reverse(le)).add(L);
    byte[] bigEndian = fixed32(s);
    System.arraycopy(reverse(bigEndian), 0, sig, 32, 32);
    return JwsEnvelope.serialize(parts[0], parts[1], Base64Url.encode(sig));
  }

  static byte[] envelopeReordered() {
    String[] p = parts(TestLedgers.sign(ED, successor(ED)));
    return ("{\"payload\":\"" + p[1] + "\",\"protected\":\"" + p[0] + "\",\"signature\":\"" + p[2] + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] payloadWithBom() {
    return TestLedgers.signRaw(ED, header(ED), withBom(EntryCodec.encode(successor(ED))));
  }

  /** {@code body} after a UTF-8 byte-order mark. */
  static byte[] withBom(byte[] body) {
    byte[] out = new byte[body.length + 3];
    out[0] = (byte) 0xEF;
    out[1] = (byte) 0xBB;
    out[2] = (byte) 0xBF;
    System.arraycopy(body, 0, out, 3, body.length);
    return out;
  }

  /** protected, payload, signature of a record. */
  static String[] parts(byte[] record) {
    try {
      JwsEnvelope env = JwsEnvelope.parse(record, 1 << 20, "record");
      return new String[] {env.protectedB64(), env.payloadB64(), Base64Url.encode(env.signature().toByteArray())};
    } catch (dev.custody.core.FormatException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] decode(String b64) {
    try {
      return Base64Url.decode(b64, "signature");
    } catch (dev.custody.core.FormatException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] fixed32(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  static byte[] reverse(byte[] b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[b.length - 1 - i];
    }
    return out;
  }
}
