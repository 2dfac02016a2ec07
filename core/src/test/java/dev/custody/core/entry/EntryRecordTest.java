package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.TestEntries;
import dev.custody.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EntryRecordTest {

  @Test
  void hash_isSha256OfTheExactStoredBytes() throws Exception {
    byte[] rec = TestEntries.record(1);
    EntryRecord r = EntryRecord.parse(rec, "line 1");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rec));
    assertThat(r.hash().toString()).isEqualTo("sha256:" + expected);
    assertThat(r.bytes().toByteArray()).isEqualTo(rec);
  }

  @Test
  void hash_sameJsonWithDifferentMemberOrder_differentHash() throws Exception {
    // Stored bytes are never re-serialized: a re-ordered envelope is a different entry.
    EntryRecord r = EntryRecord.parse(TestEntries.record(1), "a");
    String j = new String(r.bytes().toByteArray(), StandardCharsets.US_ASCII);
    String reordered = "{\"payload\":\"" + r.envelope().payloadB64() + "\",\"protected\":\""
        + r.envelope().protectedB64() + "\",\"signature\":\"" + j.substring(j.indexOf("\"signature\":\"") + 13);
    EntryRecord r2 = EntryRecord.parse(reordered.getBytes(StandardCharsets.US_ASCII), "b");
    r2.verifySignature(TestEntries.key());
    assertThat(r2.hash()).isNotEqualTo(r.hash()).isEqualTo(Digest.sha256(reordered.getBytes(StandardCharsets.US_ASCII)));
    assertThat(r2).isNotEqualTo(r);
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
