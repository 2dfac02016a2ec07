package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.TestEntries;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwsEnvelopeTest {
  private static final byte[] PAYLOAD = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);

  private static String b64(String s) {
    return Base64Url.encode(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parse_signedRecord_verifiesWithItsKey() throws Exception {
    byte[] rec = TestEntries.record(TestEntries.header(), PAYLOAD);
    JwsEnvelope env = JwsEnvelope.parse(rec, 1 << 20, "rec");
    assertThat(env.keyId()).isEqualTo(TestEntries.key().keyId());
    assertThat(env.payload().toByteArray()).isEqualTo(PAYLOAD);
    assertThat(new String(env.signingInput(), StandardCharsets.US_ASCII))
        .isEqualTo(env.protectedB64() + "." + env.payloadB64());
    env.verify(TestEntries.key());
  }

  @Test
  void verify_oneBitOfPayloadOrSignatureChanged_fails() throws Exception {
    String rec = new String(TestEntries.record(TestEntries.header(), PAYLOAD), StandardCharsets.US_ASCII);
    JwsEnvelope env = JwsEnvelope.parse(utf8(rec), 1 << 20, "rec");
    byte[] sig = env.signature().toByteArray();
    sig[10] ^= 1;
    byte[] badSig = JwsEnvelope.serialize(env.protectedB64(), env.payloadB64(), Base64Url.encode(sig));
    assertThatThrownBy(() -> JwsEnvelope.parse(badSig, 1 << 20, "r").verify(TestEntries.key()))
        .isInstanceOf(SignatureException.class).hasMessageContaining("does not verify");
    byte[] badPayload = JwsEnvelope.serialize(env.protectedB64(), Base64Url.encode(utf8("{\"x\":2}")),
        Base64Url.encode(env.signature().toByteArray()));
    assertThatThrownBy(() -> JwsEnvelope.parse(badPayload, 1 << 20, "r").verify(TestEntries.key()))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void verify_headerAlgDiffersFromKey_rejectedBeforeCrypto() throws Exception {
    // A valid Ed25519 signature under a header that claims ES256, checked with the Ed25519 key.
    byte[] rec = TestEntries.record("{\"alg\":\"ES256\",\"kid\":\"k\"}", PAYLOAD);
    JwsEnvelope env = JwsEnvelope.parse(rec, 1 << 20, "rec");
    assertThatThrownBy(() -> env.verify(TestEntries.key()))
        .isInstanceOf(SignatureException.class)
        .hasMessageContaining("header alg ES256 does not match the ed25519 key");
  }

  @Test
  void verify_ed25519RecordWithEs256Key_rejectedOnAlg() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    VerificationKey es = VerificationKey.fromSpki(g.generateKeyPair().getPublic().getEncoded(), "es");
    assertThat(es.algorithm()).isEqualTo(KeyAlgorithm.ES256);
    JwsEnvelope env = JwsEnvelope.parse(TestEntries.record(TestEntries.header(), PAYLOAD), 1 << 20, "rec");
    assertThatThrownBy(() -> env.verify(es)).hasMessageContaining("header alg EdDSA does not match the es256 key");
  }

  private static Arguments bad(String name, String json, String expected) {
    return Arguments.of(Named.of(name, json), expected);
  }

  static Stream<Arguments> malformedEnvelopes() {
    String p = Base64Url.encode(PAYLOAD);
    String s = Base64Url.encode(new byte[64]);
    String h = b64("{\"alg\":\"EdDSA\",\"kid\":\"k\"}");
    String ok = "{\"protected\":\"" + h + "\",\"payload\":\"" + p + "\",\"signature\":\"" + s + "\"}";
    return Stream.of(
        bad("extra member", ok.replace("}", ",\"x\":1}"), "unknown member 'x'"),
        bad("unprotected header", ok.replace("}", ",\"header\":{\"kid\":\"k\"}}"), "unknown member 'header'"),
        bad("general serialization", "{\"payload\":\"" + p + "\",\"signatures\":[]}", "protected"),
        bad("missing signature", "{\"protected\":\"" + h + "\",\"payload\":\"" + p + "\"}", "signature"),
        bad("signature as number", ok.replace("\"" + s + "\"", "5"), "signature"),
        bad("duplicate member", ok.replace("}", ",\"payload\":\"" + p + "\"}"), "payload"),
        bad("trailing garbage", ok + "x", "trailing content"),
        bad("header jwk", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"jwk\":{\"kty\":\"OKP\"}}")), "'jwk'"),
        bad("header jku", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"jku\":\"https://e/k\"}")), "'jku'"),
        bad("header x5u", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"x5u\":\"https://e/c\"}")), "'x5u'"),
        bad("header x5c", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"x5c\":[\"AA\"]}")), "'x5c'"),
        bad("header crit", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"crit\":[\"exp\"],\"exp\":1}")),
            "'crit'"),
        bad("header b64", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"b64\":false}")), "'b64'"),
        bad("header without kid", ok.replace(h, b64("{\"alg\":\"EdDSA\"}")), "'kid'"),
        bad("header alg none", ok.replace(h, b64("{\"alg\":\"none\",\"kid\":\"k\"}")), "header"),
        bad("header duplicate alg", ok.replace(h, b64("{\"alg\":\"EdDSA\",\"alg\":\"ES256\",\"kid\":\"k\"}")), "alg"),
        bad("header not JSON", ok.replace(h, b64("alg=EdDSA")), "protected header"),
        bad("padded payload", ok.replace(p, p + "="), "payload is not unpadded base64url"),
        bad("standard base64 alphabet", ok.replace(s, "+" + s.substring(1)), "signature is not unpadded base64url"),
        bad("whitespace in base64url", ok.replace(p, p.substring(0, 4) + " " + p.substring(4)), "payload"),
        bad("non-canonical trailing bits", ok.replace(p, nonCanonical(p)), "not canonical base64url"),
        bad("impossible base64 length", ok.replace(p, p + "AAA"), "payload is not unpadded base64url"));
  }

  /** The same bytes with a non-zero unused trailing bit in the last base64url character. */
  private static String nonCanonical(String b64) {
    assertThat(b64.length() % 4).isNotZero();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = b64.charAt(b64.length() - 1);
    return b64.substring(0, b64.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
  }

  @ParameterizedTest
  @MethodSource("malformedEnvelopes")
  void parse_malformedEnvelope_rejected(String json, String expected) {
    assertThatThrownBy(() -> JwsEnvelope.parse(utf8(json), 1 << 20, "segment line 3"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("segment line 3")
        .hasMessageContaining(expected);
  }

  @Test
  void parse_templateOfMalformedCases_accepted() throws FormatException {
    String p = Base64Url.encode(PAYLOAD);
    String ok = "{\"protected\":\"" + b64("{\"alg\":\"EdDSA\",\"kid\":\"k\"}") + "\",\"payload\":\"" + p
        + "\",\"signature\":\"" + Base64Url.encode(new byte[64]) + "\"}";
    assertThat(JwsEnvelope.parse(utf8(ok), 1 << 20, "r").payload().toByteArray()).isEqualTo(PAYLOAD);
    assertThat(nonCanonical(p)).isNotEqualTo(p);
  }

  @Test
  void parse_overMaxBytes_rejected() {
    byte[] rec = TestEntries.record(TestEntries.header(), PAYLOAD);
    assertThatThrownBy(() -> JwsEnvelope.parse(rec, rec.length - 1, "r")).hasMessageContaining("over the limit");
  }

  @Test
  void fromCompact_wrongPartCount_rejected() {
    assertThatThrownBy(() -> JwsEnvelope.fromCompact("a.b", "c")).hasMessageContaining("3 '.'-separated parts");
    assertThatThrownBy(() -> JwsEnvelope.fromCompact("a.b.c.d", "c")).hasMessageContaining("got 4");
    assertThatThrownBy(() -> JwsEnvelope.fromCompact("", "c")).isInstanceOf(FormatException.class);
  }

  @Test
  void fromCompact_forbiddenHeaderParam_rejectedLikeParse() {
    String h = b64("{\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\"}}");
    assertThatThrownBy(() -> JwsEnvelope.fromCompact(h + ".AA." + Base64Url.encode(new byte[64]), "c"))
        .hasMessageContaining("'jwk'");
  }

  @Test
  void base64Url_roundTripOfAllLengths_canonical() throws FormatException {
    for (int n = 0; n < 10; n++) {
      byte[] b = new byte[n];
      java.util.Arrays.fill(b, (byte) 0xff);
      String e = Base64Url.encode(b);
      assertThat(e).doesNotContain("=", "+", "/");
      assertThat(Base64Url.decode(e, "x")).isEqualTo(b);
    }
  }

  /**
   * {@link JwsEnvelope#parse} reads the stored form without building a tree; whatever it is given, it
   * must agree with the strict reader alone: the same envelope, or the same error. Seeded mutations of
   * a stored record: bytes changed, removed and inserted (JSON syntax, escapes, whitespace, base64
   * characters), members reordered, doubled or added.
   */
  @Test
  void parse_storedFormAndMutations_agreesWithStrictReader() throws Exception {
    String rec = new String(TestEntries.record(TestEntries.header(), PAYLOAD), StandardCharsets.US_ASCII);
    java.util.List<String> cases = new java.util.ArrayList<>(java.util.List.of(rec, "", "{}", rec + " ", " " + rec,
        rec.replace("\"payload\"", "\"p\\u0061yload\""), rec.replace(",\"signature\"", ", \"signature\""),
        rec.replace("{\"protected\"", "{\"payload\":\"\",\"protected\""), rec.replace("\"}", "\",\"header\":{}}"),
        rec.replace("\"}", "\",\"signature\":\"AA\"}"), rec.replace("\"payload\":\"", "\"payload\":\"=")));
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    String alphabet = "{}[]\":,\\ \t\nAZaz09-_=+/.u";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder m = new StringBuilder(rec);
      for (int k = 1 + r.nextInt(2); k > 0; k--) {
        int at = r.nextInt(m.length());
        switch (r.nextInt(3)) {
          case 0 -> m.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          case 1 -> m.deleteCharAt(at);
          default -> m.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      cases.add(m.toString());
    }
    int parsed = 0;
    for (String c : cases) {
      byte[] bytes = utf8(c);
      String fast = outcome(() -> JwsEnvelope.parse(bytes, 1 << 20, "rec"));
      assertThat(fast).as(c).isEqualTo(outcome(() -> JwsEnvelope.parseStrict(bytes, 1 << 20, "rec")));
      parsed += fast.startsWith("envelope") ? 1 : 0;
      // parseStored, EntryRecord's canonicality check: it accepts exactly the records that re-serialize
      // to their own bytes.
      assertThat(storedParses(bytes)).as(c).isEqualTo(reSerializes(bytes));
    }
    assertThat(parsed).as("some mutations still parse (base64 characters changed)").isBetween(10, cases.size() - 10);
    // Over the size limit, the stored form is refused as before.
    assertThat(outcome(() -> JwsEnvelope.parse(utf8(rec), rec.length() - 1, "rec"))).startsWith("error");
  }

  private static boolean storedParses(byte[] bytes) {
    try {
      return JwsEnvelope.parseStored(bytes, 1 << 20, "rec").isPresent();
    } catch (FormatException e) {
      return false;
    }
  }

  private static boolean reSerializes(byte[] bytes) {
    try {
      JwsEnvelope e = JwsEnvelope.parse(bytes, 1 << 20, "rec");
      return java.util.Arrays.equals(bytes, JwsEnvelope.serialize(e.protectedB64(), e.payloadB64(),
          Base64Url.encode(e.signature().toByteArray())));
    } catch (FormatException e) {
      return false;
    }
  }

  /**
   * A protected header decoded once is taken from {@link JwsEnvelope}'s decoded headers afterwards:
   * each header spelling (canonical, re-spelled, invalid, forbidden members) gives the same envelope,
   * canonical spelling or error whether decoded afresh or known, and more distinct headers than are
   * kept still decode as before.
   */
  @Test
  void parse_headerDecodedBefore_sameEnvelopeCanonicalFormAndErrors() throws Exception {
    java.util.List<String> headers = new java.util.ArrayList<>(java.util.List.of(TestEntries.header(),
        "{\"kid\":\"k\",\"alg\":\"EdDSA\",\"typ\":\"custody-entry+jws\"}",
        "{\"alg\":\"EdDSA\", \"kid\":\"k\",\"typ\":\"custody-entry+jws\"}",
        "{\"alg\":\"EdDS\\u0041\",\"kid\":\"k\",\"typ\":\"custody-entry+jws\"}",
        "{\"alg\":\"EdDSA\",\"kid\":\"k\"}", "{\"alg\":\"EdDSA\",\"typ\":\"custody-entry+jws\"}",
        "{\"alg\":\"EdDSA\",\"kid\":\"k\",\"jwk\":{}}", "{\"alg\":\"none\",\"kid\":\"k\"}", "{\"alg\":1,\"kid\":\"k\"}",
        "[]", "not json"));
    for (int i = 0; i < JwsEnvelope.MAX_DECODED_HEADERS + 20; i++) {
      headers.add("{\"alg\":\"EdDSA\",\"kid\":\"k" + i + "\",\"typ\":\"custody-entry+jws\"}");
    }
    java.util.Map<String, String> fresh = new java.util.LinkedHashMap<>();
    for (String h : headers) {
      JwsEnvelope.forgetDecodedHeaders();
      fresh.put(h, outcomeWithCanonicalHeader(TestEntries.record(h, PAYLOAD)));
    }
    JwsEnvelope.forgetDecodedHeaders();
    for (int round = 0; round < 2; round++) {
      for (String h : headers) {
        assertThat(outcomeWithCanonicalHeader(TestEntries.record(h, PAYLOAD))).as("round %d: %s", round, h)
            .isEqualTo(fresh.get(h));
      }
    }
    assertThat(fresh.get(headers.get(0))).startsWith("envelope").endsWith("canonical");
    assertThat(fresh.get(headers.get(1))).startsWith("envelope").endsWith("re-spelled");
    assertThat(fresh.get(headers.get(6))).startsWith("error");
  }

  private static String outcomeWithCanonicalHeader(byte[] record) {
    String o = outcome(() -> JwsEnvelope.parse(record, 1 << 20, "rec"));
    if (!o.startsWith("envelope")) {
      return o;
    }
    try {
      JwsEnvelope e = JwsEnvelope.parse(record, 1 << 20, "rec");
      return o + " " + e.canonicalProtectedB64() + " "
          + (e.canonicalProtectedB64().equals(e.protectedB64()) ? "canonical" : "re-spelled");
    } catch (FormatException e) {
      throw new AssertionError(e);
    }
  }

  private interface Parse {
    JwsEnvelope run() throws FormatException;
  }

  /** The envelope's parts, or the error's message. */
  private static String outcome(Parse p) {
    try {
      JwsEnvelope e = p.run();
      return "envelope " + e.protectedB64() + " " + e.header().getAlgorithm() + " " + e.keyId() + " "
          + e.header().getType() + " " + e.payloadB64() + " " + e.payload() + " " + e.signature();
    } catch (FormatException e) {
      return "error " + e.getMessage();
    }
  }
}

