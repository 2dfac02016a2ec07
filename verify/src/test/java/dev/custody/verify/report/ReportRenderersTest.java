package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.digest.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.VerificationKey;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders real reports of a small ledger (signed here: the fixture of the parent package is package-private). */
class ReportRenderersTest {
  @TempDir Path tmp;
  private final byte[] sk = new byte[32];
  private VerificationKey key;
  private final List<byte[]> records = new ArrayList<>();

  @BeforeEach
  void ledger() throws Exception {
    sk[0] = 1;
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(sk, 0, pk, 0);
    key = VerificationKey.ed25519(pk);
    Optional<Digest> prev = Optional.empty();
    for (int i = 0; i < 4; i++) {
      EntryPayload p = new EntryPayload("acme/model", i, prev, key.keyId(), Instant.parse("2026-11-28T12:00:00Z"),
          Event.builder(EventType.TRAINING).parameter("i", "" + i).build());
      String h = Base64Url.encode(("{\"alg\":\"EdDSA\",\"kid\":\"" + key.keyId() + "\",\"typ\":\"custody-entry+jws\"}")
          .getBytes(StandardCharsets.UTF_8));
      String pl = Base64Url.encode(EntryCodec.encode(p));
      byte[] input = (h + "." + pl).getBytes(StandardCharsets.US_ASCII);
      byte[] sig = new byte[64];
      Ed25519.sign(sk, 0, input, 0, input.length, sig, 0);
      byte[] rec = JwsEnvelope.serialize(h, pl, Base64Url.encode(sig));
      records.add(rec);
      prev = Optional.of(Digest.sha256(rec));
    }
  }

  private VerificationReport verify(List<byte[]> recs) throws Exception {
    return verify(tmp.resolve("ledger"), recs);
  }

  private VerificationReport verify(Path dir, List<byte[]> recs) throws Exception {
    Files.createDirectories(dir.resolve("segments"));
    Files.writeString(dir.resolve("ledger.json"), "{\"format\":\"custody/ledger/v1\"}");
    try (OutputStream out = Files.newOutputStream(dir.resolve("segments/00000000000000000000.jsonl"))) {
      for (byte[] r : recs) {
        out.write(r);
        out.write('\n');
      }
    }
    return LedgerVerifier.builder(TrustedKeys.of(List.of(key))).build().verify(dir);
  }

  @Test
  void textRender_validLedger_endsWithVerifiedSummary() throws Exception {
    String text = TextReportRenderer.render(verify(records));

    assertThat(text).contains("chain acme/model: 4 entries, head " + Digest.sha256(records.get(3)))
        .contains("WARNING NO_CHECKPOINT").contains("cannot be excluded")
        .endsWith("VERIFIED: 4 entries in 1 chain (1 warning)\n");
  }

  @Test
  void textRender_gap_oneLinePerFindingNamingEntryAndFailedSummary() throws Exception {
    records.remove(1);
    String text = TextReportRenderer.render(verify(records));

    String hashPrefix = Digest.sha256(records.get(1)).value().hex().substring(0, 12);
    assertThat(text.lines()).anySatisfy(l -> assertThat(l)
        .startsWith("ERROR SEQUENCE_GAP acme/model:2 #1 sha256:" + hashPrefix
            + " segments/00000000000000000000.jsonl line 2: "));
    assertThat(text).endsWith("FAILED: 1 error, 1 warning in 3 entries (1 chain)\n");
  }

  @Test
  void jsonRender_gap_parsesBackWithFindingAndEntry() throws Exception {
    records.remove(1);
    VerificationReport r = verify(records);

    JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(r));

    assertThat(json.get("verified").asBoolean()).isFalse();
    assertThat(json.get("ledger").asText()).isEqualTo(tmp.resolve("ledger").toString());
    assertThat(json.get("entries").asLong()).isEqualTo(3);
    assertThat(json.get("chains")).hasSize(1);
    JsonNode chain = json.get("chains").get(0);
    assertThat(chain.get("chain").asText()).isEqualTo("acme/model");
    assertThat(chain.get("entries").asLong()).isEqualTo(3);
    assertThat(chain.get("head").asText()).isEqualTo(Digest.sha256(records.get(2)).toString());
    assertThat(chain.get("signerKeyIds").get(0).asText()).isEqualTo(key.keyId());
    // The gap, then the ledger-wide warning that this (key-less) ledger has no checkpoint.
    assertThat(json.get("findings")).hasSize(2);
    assertThat(json.get("findings").get(1).get("code").asText()).isEqualTo("NO_CHECKPOINT");
    assertThat(json.get("findings").get(1).get("severity").asText()).isEqualTo("WARNING");
    assertThat(json.get("findings").get(1).get("message").asText()).contains("truncation")
        .contains("cannot be excluded");
    assertThat(json.get("findings").get(1).has("entry")).isFalse();
    JsonNode f = json.get("findings").get(0);
    assertThat(f.get("code").asText()).isEqualTo("SEQUENCE_GAP");
    assertThat(f.get("severity").asText()).isEqualTo("ERROR");
    assertThat(f.get("message").asText()).isEqualTo(r.findings().get(0).message());
    JsonNode e = f.get("entry");
    assertThat(e.get("logIndex").asLong()).isEqualTo(1);
    assertThat(e.get("where").asText()).isEqualTo("segments/00000000000000000000.jsonl line 2 (log index 1)");
    assertThat(e.get("chain").asText()).isEqualTo("acme/model");
    assertThat(e.get("sequence").asLong()).isEqualTo(2);
    assertThat(e.get("hash").asText()).isEqualTo(Digest.sha256(records.get(1)).toString());
  }

  @Test
  void jsonRender_unknownChain_omitsUnknownMembers() throws Exception {
    records.set(3, "{not json".getBytes(StandardCharsets.US_ASCII));
    JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(verify(records)));

    JsonNode e = json.get("findings").get(0).get("entry");
    assertThat(json.get("findings").get(0).get("code").asText()).isEqualTo("RECORD_MALFORMED");
    assertThat(e.has("chain")).isFalse();
    assertThat(e.has("sequence")).isFalse();
    assertThat(e.get("hash").asText()).startsWith("sha256:");
  }

  @Test
  void textRender_untrustedTextInRecordAndPath_escapedNeverRaw() throws Exception {
    // A kid naming no trusted key is repeated in the finding; a bidi override or a line break in it, or
    // in the ledger's path, must not reach the terminal (issue 7, item 13's rule for the verifier).
    String kid = "evil\u202Etxt\u2028next\u001B[31m";
    String h = Base64Url.encode(JwsEnvelope.entryHeader("EdDSA", kid).getBytes(StandardCharsets.UTF_8));
    records.add(JwsEnvelope.serialize(h, Base64Url.encode("{}".getBytes(StandardCharsets.UTF_8)),
        Base64Url.encode(new byte[64])));

    String text = TextReportRenderer.render(verify(tmp.resolve("ledger\u202Egpj.exe"), records));

    assertThat(text).doesNotContain("\u202E").doesNotContain("\u2028").doesNotContain("\u001B");
    assertThat(text).contains("ledger\\u202Egpj.exe").contains("KEY_UNTRUSTED")
        .contains("'evil\\u202Etxt\\u2028next\\u001B[31m'");
    assertThat(text.lines().filter(l -> l.startsWith("ERROR "))).hasSize(1);
  }
}
