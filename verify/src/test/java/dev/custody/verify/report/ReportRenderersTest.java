package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Digest;
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

  /** The NO_CHECKPOINT message of a key-less ledger, as the text report wraps it. */
  private static final String NO_CHECKPOINT_WRAPPED = String.join("\n",
      "WARNING NO_CHECKPOINT:",
      "    the ledger has no log key and no checkpoint (it was made before checkpoints existed, or they",
      "    were deleted), and no trusted log key was given: truncation (removal of the last entries) and",
      "    reordering of entries across chains cannot be excluded. Verify with the log's key (--log-key)",
      "    and a checkpoint obtained earlier (--checkpoint)");

  /** The text report with the values of this run put in: the ledger path, the chain's head, the key. */
  private String expected(String template, Path ledger) {
    return template.replace("<ledger>", ledger.toString())
        .replace("<head>", Digest.sha256(records.get(records.size() - 1)).value().hex().substring(0, 12))
        .replace("<key>", key.keyId().substring(0, 12));
  }

  @Test
  void textRender_validLedger_exactText() throws Exception {
    String text = TextReportRenderer.render(verify(records));

    assertThat(text).isEqualTo(expected(String.join("\n",
        "VERIFIED: 4 entries in 1 chain (1 warning)",
        "",
        "Summary",
        "  ledger    <ledger>",
        "  entries   4 checked",
        "  chains    1",
        "            acme/model: 4 entries, head sha256:<head>, signed by key <key>",
        "  signers   1",
        "            key <key>: 4 steps",
        "  steps     4: training 4",
        "  releases  none",
        "  roots     none: every artifact the steps use was produced by a step",
        "",
        "Warnings (1)",
        NO_CHECKPOINT_WRAPPED,
        "",
        "VERIFIED: 4 entries in 1 chain (1 warning)",
        ""), tmp.resolve("ledger")));
  }

  @Test
  void textRender_gap_exactTextWithTheErrorBeforeTheWarning() throws Exception {
    records.remove(1);
    String text = TextReportRenderer.render(verify(records));

    assertThat(text).isEqualTo(expected(String.join("\n",
        "FAILED: 1 error, 1 warning in 3 entries (1 chain)",
        "",
        "Summary",
        "  ledger    <ledger>",
        "  entries   3 checked",
        "  chains    1",
        "            acme/model: 3 entries, head sha256:<head>, signed by key <key>",
        "  signers   1",
        "            key <key>: 3 steps",
        "  steps     3: training 3",
        "  releases  none",
        "  roots     none: every artifact the steps use was produced by a step",
        "",
        "Errors (1)",
        "ERROR SEQUENCE_GAP acme/model:2, log index 1, segments/00000000000000000000.jsonl line 2:",
        "    entry acme/model:2 follows acme/model:0 (log index 0); entry 1 is missing. Entries were deleted",
        "    or the log is incomplete",
        "",
        "Warnings (1)",
        NO_CHECKPOINT_WRAPPED,
        "",
        "FAILED: 1 error, 1 warning in 3 entries (1 chain)",
        ""), tmp.resolve("ledger")));
  }

  @Test
  void textRender_moreFindingsOfACodeThanKept_capLineEndsItsSeverityGroup() throws Exception {
    for (int i = 0; i < 150; i++) {
      records.add(("junk " + i).getBytes(StandardCharsets.US_ASCII));
    }
    VerificationReport r = verify(records);

    String text = TextReportRenderer.render(r);

    List<String> errors = TextReportRendererTest.block(text, "Errors (150)");
    assertThat(errors.stream().filter(l -> l.startsWith("ERROR RECORD_MALFORMED ")))
        .hasSize(VerificationReport.MAX_FINDINGS_PER_CODE);
    assertThat(errors.subList(errors.size() - 2, errors.size())).containsExactly(
        "ERROR RECORD_MALFORMED: and 50 more RECORD_MALFORMED findings (only the first 100 of each code are",
        "    listed; every one counts in the verdict)");
    assertThat(text).contains("\n    listed; every one counts in the verdict)\n\nWarnings (1)\n")
        .endsWith("FAILED: 150 errors, 1 warning in 154 entries (1 chain)\n");
    JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(r));
    assertThat(json.get("errors").asLong()).isEqualTo(150);
    assertThat(json.get("findings")).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE + 1);
    assertThat(json.get("omitted").get("RECORD_MALFORMED").asLong()).isEqualTo(50);
    assertThat(json.get("omitted").size()).isEqualTo(1);
  }

  @Test
  void jsonRender_gap_parsesBackWithFindingAndEntry() throws Exception {
    records.remove(1);
    VerificationReport r = verify(records);

    JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(r));

    assertThat(json.get("format").asText()).isEqualTo("custody/report/v1");
    assertThat(json.get("verified").asBoolean()).isFalse();
    assertThat(json.get("ledgers")).hasSize(1);
    assertThat(json.get("ledgers").get(0).get("label").asText()).isEqualTo("ledger");
    assertThat(json.get("ledgers").get(0).get("path").asText()).isEqualTo(tmp.resolve("ledger").toString());
    assertThat(json.get("entries").asLong()).isEqualTo(3);
    JsonNode chains = json.get("summary").get("chains");
    assertThat(chains).hasSize(1);
    JsonNode chain = chains.get(0);
    assertThat(chain.get("ledger").asText()).isEqualTo("ledger");
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
    assertThat(f.has("rule")).isFalse();
    assertThat(f.get("message").asText()).isEqualTo(r.findings().get(0).message());
    JsonNode e = f.get("entry");
    assertThat(e.get("logIndex").asLong()).isEqualTo(1);
    assertThat(e.get("where").asText()).isEqualTo("segments/00000000000000000000.jsonl line 2 (log index 1)");
    assertThat(e.get("ledger").asText()).isEqualTo("ledger");
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

  /** A record whose header names, as its key id, text with a bidi override, a line separator and an escape sequence. */
  private static byte[] recordWithHostileKid() {
    String kid = "evil\u202Etxt\u2028next\u001B[31m";
    String h = Base64Url.encode(JwsEnvelope.entryHeader("EdDSA", kid).getBytes(StandardCharsets.UTF_8));
    return JwsEnvelope.serialize(h, Base64Url.encode("{}".getBytes(StandardCharsets.UTF_8)), Base64Url.encode(new byte[64]));
  }

  @Test
  void textRender_untrustedTextInRecordAndPath_escapedNeverRaw() throws Exception {
    // A kid naming no trusted key is repeated in the finding; a bidi override or a line break in it, or
    // in the ledger's path, must not reach the terminal (issue 7, item 13's rule for the verifier).
    records.add(recordWithHostileKid());
    VerificationReport r = verify(tmp.resolve("ledger\u202Egpj.exe"), records);

    String text = TextReportRenderer.render(r);

    assertThat(text).doesNotContain("\u202E").doesNotContain("\u2028").doesNotContain("\u001B");
    assertThat(text).contains("ledger\\u202Egpj.exe").contains("KEY_UNTRUSTED")
        .contains("'evil\\u202Etxt\\u2028next\\u001B[31m'");
    assertThat(text.lines().filter(l -> l.startsWith("ERROR "))).hasSize(1);
    // With colour, every escape character is the renderer's own: take its painted spans away and none is left.
    assertThat(TextReportRendererTest.plain(TextReportRenderer.render(r, true))).isEqualTo(text);
  }

  @Test
  void jsonRender_untrustedTextInRecordAndPath_escapedAndExact() throws Exception {
    records.add(recordWithHostileKid());
    Path dir = tmp.resolve("ledger\u202Egpj.exe");
    VerificationReport r = verify(dir, records);

    String json = JsonReportRenderer.render(r, true);

    // Written escaped (JsonOutput), so the document is safe to print ...
    assertThat(json).doesNotContain("\u202E").doesNotContain("\u2028").doesNotContain("\u001B")
        .contains("\\u202E").contains("\\u001B");
    // ... and read back exactly.
    JsonNode doc = new ObjectMapper().readTree(json);
    assertThat(doc.get("ledgers").get(0).get("path").asText()).isEqualTo(dir.toString());
    assertThat(doc.get("ledgers").get(0).get("label").asText()).isEqualTo("ledger\u202Egpj.exe");
    assertThat(doc.get("findings").findValuesAsText("code")).contains("KEY_UNTRUSTED");
  }
}
