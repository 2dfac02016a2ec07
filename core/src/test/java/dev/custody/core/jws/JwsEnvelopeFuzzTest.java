package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import dev.custody.core.entry.EntryRecord;

/**
 * Fuzzes the JWS envelope and its protected header: any bytes give an envelope or a
 * {@link FormatException}; an accepted header holds only {@code alg}, {@code kid} and {@code typ};
 * an envelope re-serialized from its parts parses to the same envelope.
 */
class JwsEnvelopeFuzzTest {
  /** Payload and signature around a fuzzed header: {"a":1} and 64 zero bytes, base64url. */
  private static final String PAYLOAD = "eyJhIjoxfQ";
  private static final String SIGNATURE = Base64Url.encode(new byte[64]);

  @FuzzTest
  void parse_anyBytes_envelopeOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> JwsEnvelope.parse(data, EntryRecord.MAX_RECORD_BYTES, "fuzz"),
        JwsEnvelopeFuzzTest::assertReparses);
  }

  /** The fuzzed bytes are the decoded protected header (JSON), so the fuzzer works on the header grammar. */
  @FuzzTest
  void parse_anyProtectedHeader_headerOfAlgKidTypOrFormatException(byte[] header) throws Exception {
    byte[] json = JwsEnvelope.serialize(Base64Url.encode(header), PAYLOAD, SIGNATURE);
    Fuzz.valueOrRejected(FormatException.class, () -> JwsEnvelope.parse(json, EntryRecord.MAX_RECORD_BYTES, "fuzz"),
        env -> {
          assertThat(env.header().getIncludedParams()).isSubsetOf("alg", "kid", "typ");
          assertThat(env.keyId()).isNotNull();
          assertReparses(env);
        });
  }

  private static void assertReparses(JwsEnvelope env) throws FormatException {
    byte[] again = JwsEnvelope.serialize(env.protectedB64(), env.payloadB64(),
        Base64Url.encode(env.signature().toByteArray()));
    JwsEnvelope back = JwsEnvelope.parse(again, EntryRecord.MAX_RECORD_BYTES, "re-serialized");
    assertThat(back.protectedB64()).isEqualTo(env.protectedB64());
    assertThat(back.payload()).isEqualTo(env.payload());
    assertThat(back.signature()).isEqualTo(env.signature());
    assertThat(back.signingInput()).isEqualTo(env.signingInput());
  }
}
