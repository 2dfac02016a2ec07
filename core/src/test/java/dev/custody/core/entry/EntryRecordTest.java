package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.TestEntries;
import dev.custody.core.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryRecordTest {

  @Test
  void hash_isSha256OfTheExactStoredBytes() throws Exception {
    byte[] rec = TestEntries.record(1);
    EntryRecord r = EntryRecord.parse(rec, "line 1");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rec));
    assertThat(r.hash().toString()).isEqualTo("sha256:" + expected);
    assertThat(r.bytes().toByteArray()).isEqualTo(rec);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reordered", "space", "trailing-space", "newline-escape"})
  void parse_sameSignedPartsInAnotherSpelling_rejected(String variant) throws Exception {
    // Another spelling of the same JWS would verify but hash differently: one entry, one spelling.
    EntryRecord r = EntryRecord.parse(TestEntries.record(1), "a");
    String p = r.envelope().protectedB64();
    String pl = r.envelope().payloadB64();
    String j = new String(r.bytes().toByteArray(), StandardCharsets.US_ASCII);
    String sig = j.substring(j.indexOf("\"signature\":\"") + 13, j.length() - 2);
    String spelled = switch (variant) {
      case "reordered" -> "{\"payload\":\"" + pl + "\",\"protected\":\"" + p + "\",\"signature\":\"" + sig + "\"}";
      case "space" -> "{\"protected\": \"" + p + "\",\"payload\":\"" + pl + "\",\"signature\":\"" + sig + "\"}";
      case "trailing-space" -> j + " ";
      default -> "{\"protected\":\"" + p + "\",\"payload\":\"" + pl + "\",\"signature\":\"" + sig + "\"}\t";
    };
    assertThatThrownBy(() -> EntryRecord.parse(spelled.getBytes(StandardCharsets.US_ASCII), "line 9"))
        .isInstanceOfSatisfying(NotCanonicalException.class,
            e -> assertThat(e.rule()).isEqualTo(NotCanonicalException.Rule.ENVELOPE))
        .hasMessageContaining("line 9")
        .hasMessageContaining("canonical");
  }

  @Test
  void parse_signedEntry_verifiesThenDecodes() throws Exception {
    EntryRecord r = EntryRecord.parse(TestEntries.record(2), "line 3");
    r.verifySignature(TestEntries.key());
    assertThat(r.headerKeyId()).isEqualTo(TestEntries.key().keyId());
    assertThat(r.payload("line 3")).isEqualTo(TestEntries.payload(2));
    assertThat(EntryRecord.parse(TestEntries.record(2), "x")).isEqualTo(r).hasSameHashCodeAs(r);
  }

  @Test
  void payload_badPayloadInsideValidEnvelope_namesRecord() throws Exception {
    EntryRecord r = EntryRecord.parse(TestEntries.record(TestEntries.header(), "{\"format\":\"x\"}".getBytes(
        StandardCharsets.UTF_8)), "line 9");
    r.verifySignature(TestEntries.key());
    assertThatThrownBy(() -> r.payload("segments/0.jsonl line 9"))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith("segments/0.jsonl line 9 payload")
        .hasMessageContaining("unknown format 'x'");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("dev.custody.core.entry.EntryCodecTest#everyKind")
  void payload_signerOutputOfEveryKind_isCanonical(dev.custody.core.event.Event event) throws Exception {
    // The signer's output is canonical by construction: header, envelope and payload of every kind
    // pass every canonical-form check of the verifier.
    EntryPayload p = new EntryPayload("acme/falcon-7b", 3, java.util.Optional.of(TestEntries.DIGEST_A),
        TestEntries.key().keyId(), java.time.Instant.parse("2026-11-28T12:00:00.123Z"), event);
    EntryRecord r = EntryRecord.parse(TestEntries.record(TestEntries.header(), EntryCodec.encode(p)), "line 1");
    r.verifySignature(TestEntries.key());
    assertThat(r.payload("line 1")).isEqualTo(p);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {" {", "\uFEFF{", "{\"format\":\"custody/entry/v1\" ,"})
  void payload_signedButSpelledOtherwise_notCanonicalNamingPayload(String variant) throws Exception {
    String canonical = new String(EntryCodec.encode(TestEntries.payload(1)), StandardCharsets.UTF_8);
    String respelled = variant.equals(" {") ? " " + canonical
        : variant.startsWith("\uFEFF") ? "\uFEFF" + canonical
        : canonical.replace("{\"format\":\"custody/entry/v1\",", variant);
    assertThat(respelled).isNotEqualTo(canonical);
    EntryRecord r = EntryRecord.parse(TestEntries.record(TestEntries.header(), respelled.getBytes(StandardCharsets.UTF_8)),
        "line 4");
    r.verifySignature(TestEntries.key());

    assertThatThrownBy(() -> r.payload("line 4")).isInstanceOfSatisfying(NotCanonicalException.class,
        e -> assertThat(e.rule()).isEqualTo(NotCanonicalException.Rule.PAYLOAD))
        .hasMessageContaining("line 4 payload").hasMessageContaining("at byte");
  }

  @Test
  void parse_headerRespelled_notCanonicalNamingHeader() {
    String reordered = "{\"kid\":\"" + TestEntries.key().keyId() + "\",\"alg\":\"EdDSA\",\"typ\":\""
        + dev.custody.core.jws.JwsEnvelope.ENTRY_TYPE + "\"}";
    byte[] rec = TestEntries.record(reordered, EntryCodec.encode(TestEntries.payload(1)));

    assertThatThrownBy(() -> EntryRecord.parse(rec, "line 5")).isInstanceOfSatisfying(NotCanonicalException.class,
        e -> assertThat(e.rule()).isEqualTo(NotCanonicalException.Rule.HEADER)).hasMessageContaining("line 5");
  }

  @Test
  void verifySignature_ed25519SPlusL_notCanonicalBeforeCryptography() throws Exception {
    EntryRecord r = EntryRecord.parse(TestEntries.record(1), "line 6");
    byte[] sig = TestEntries.ed25519SPlusL(r.envelope().signature().toByteArray());
    EntryRecord malleated = EntryRecord.parse(dev.custody.core.jws.JwsEnvelope.serialize(r.envelope().protectedB64(),
        r.envelope().payloadB64(), dev.custody.core.jws.Base64Url.encode(sig)), "line 6");
    assertThat(malleated.hash()).isNotEqualTo(r.hash());

    assertThatThrownBy(() -> malleated.verifySignature(TestEntries.key()))
        .isInstanceOfSatisfying(NotCanonicalException.class,
            e -> assertThat(e.rule()).isEqualTo(NotCanonicalException.Rule.SIGNATURE))
        .hasMessageContaining("S >= L");
  }

  @Test
  void parse_overMaxRecordBytes_rejected() {
    byte[] big = new byte[EntryRecord.MAX_RECORD_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    assertThatThrownBy(() -> EntryRecord.parse(big, "line 1")).isInstanceOf(FormatException.class)
        .hasMessageContaining("over the limit of " + EntryRecord.MAX_RECORD_BYTES);
  }

  @Test
  void parse_recordWithTrailingGarbage_rejected() {
    byte[] rec = TestEntries.record(0);
    byte[] withNl = java.util.Arrays.copyOf(rec, rec.length + 1);
    withNl[rec.length] = ',';
    assertThatThrownBy(() -> EntryRecord.parse(withNl, "line 1")).isInstanceOf(FormatException.class);
  }
}
