package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.verify.EventLedger;
import dev.custody.verify.FindingCode;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import dev.custody.verify.lineage.Step;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON report ({@code custody/report/v1}) of real reports of real ledgers, read back with Jackson. */
class JsonReportRendererTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern STEP_ID = Pattern.compile("acme-ledger#(0|[1-9][0-9]*)");
  private static final List<String> STEP_MEMBERS = List.of("id", "ledger", "chain", "sequence", "logIndex", "hash",
      "kind", "time", "keyId", "signer");

  @TempDir Path tmp;

  private static List<String> names(JsonNode object) {
    assertThat(object.getNodeType()).isEqualTo(JsonNodeType.OBJECT);
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(Arrays.asList(b));
    return out;
  }

  /** The members of a step object ({@link LineageJson}), with their types and forms. */
  private static void assertStep(JsonNode s) {
    assertThat(s.get("id").asText()).matches(STEP_ID);
    assertThat(s.get("id").asText()).isEqualTo(s.get("ledger").asText() + "#" + s.get("logIndex").asLong());
    assertThat(s.get("chain").isTextual()).isTrue();
    assertThat(s.get("sequence").isIntegralNumber()).isTrue();
    assertThat(s.get("logIndex").isIntegralNumber()).isTrue();
    assertThat(s.get("hash").asText()).matches(DIGEST);
    assertThat(s.get("kind").isTextual()).isTrue();
    assertThat(Instant.parse(s.get("time").asText())).isNotNull();
    assertThat(s.get("keyId").asText()).matches(KEY_ID);
    assertThat(s.get("signer").isTextual()).isTrue();
  }

  @Test
  void render_scenario_everyMemberInOrderWithItsType() throws Exception {
    ReportScenario s = ReportScenario.standard();
    Path dir = tmp.resolve("acme-ledger");
    VerificationReport r = s.verify(dir).report();

    JsonNode doc = MAPPER.readTree(JsonReportRenderer.render(r));

    assertThat(names(doc)).containsExactly("format", "verified", "ledgers", "entries", "errors", "warnings", "summary",
        "findings", "omitted");
    assertThat(doc.get("format").asText()).isEqualTo("custody/report/v1").isEqualTo(JsonReportRenderer.FORMAT);
    assertThat(doc.get("verified").isBoolean()).isTrue();
    assertThat(doc.get("verified").asBoolean()).isFalse();
    assertThat(doc.get("ledgers")).hasSize(1);
    assertThat(names(doc.get("ledgers").get(0))).containsExactly("label", "path");
    assertThat(doc.get("ledgers").get(0).get("label").asText()).isEqualTo("acme-ledger");
    assertThat(doc.get("ledgers").get(0).get("path").asText()).isEqualTo(dir.toString());
    assertThat(doc.get("entries").isIntegralNumber()).isTrue();
    assertThat(doc.get("entries").asLong()).isEqualTo(10);
    assertThat(doc.get("errors").asLong()).isEqualTo(1);
    assertThat(doc.get("warnings").asLong()).isEqualTo(2);

    JsonNode summary = doc.get("summary");
    assertThat(names(summary)).containsExactly("chains", "signers", "steps", "kinds", "releases", "roots");
    assertThat(summary.get("chains")).hasSize(3);
    for (JsonNode c : summary.get("chains")) {
      assertThat(names(c)).containsExactly("ledger", "chain", "entries", "head", "signerKeyIds");
      assertThat(c.get("ledger").asText()).isEqualTo("acme-ledger");
      assertThat(c.get("entries").isIntegralNumber()).isTrue();
      assertThat(c.get("head").asText()).matches(DIGEST);
      assertThat(c.get("signerKeyIds")).singleElement().satisfies(k -> assertThat(k.asText()).matches(KEY_ID));
    }
    assertThat(summary.get("chains").findValuesAsText("chain")).containsExactly("acme/base", "acme/corpus", "beta/ft");
    assertThat(summary.get("signers")).hasSize(2);
    Map<String, JsonNode> signers = new HashMap<>();
    for (JsonNode signer : summary.get("signers")) {
      assertThat(names(signer)).containsExactly("keyId", "identity", "organisation", "steps");
      signers.put(signer.get("keyId").asText(), signer);
    }
    assertThat(signers.get(s.acme.keyId()).get("identity").asText()).isEqualTo("acme/trainer");
    assertThat(signers.get(s.acme.keyId()).get("organisation").asText()).isEqualTo("acme");
    assertThat(signers.get(s.acme.keyId()).get("steps").asLong()).isEqualTo(5);
    assertThat(signers.get(s.beta.keyId()).get("identity").asText()).isEqualTo("beta/trainer");
    assertThat(summary.get("steps").asLong()).isEqualTo(10);
    assertThat(names(summary.get("kinds"))).containsExactly("dataset-ingest", "fine-tune", "evaluation", "conversion",
        "release", "approval", "urn:custody:test:red-team");
    assertThat(summary.get("kinds").get("release").asLong()).isEqualTo(3);

    JsonNode releases = summary.get("releases");
    assertThat(releases).hasSize(3);
    for (JsonNode rel : releases) {
      assertThat(names(rel)).containsExactlyElementsOf(concat(STEP_MEMBERS, "version", "outputs"));
      assertStep(rel);
      assertThat(rel.get("kind").asText()).isEqualTo("release");
      assertThat(rel.get("outputs")).singleElement().satisfies(o -> {
        assertThat(names(o)).containsExactly("name", "kind", "digest");
        assertThat(o.get("digest").asText()).matches(DIGEST);
      });
    }
    assertThat(releases.findValuesAsText("version")).containsExactly("1.0", "2.0", "2.1");
    assertThat(releases.findValuesAsText("digest")).containsExactly(ReportScenario.BASE.toString(),
        ReportScenario.QUANT.toString(), ReportScenario.FORGED.toString());
    assertThat(releases.get(0).get("signer").asText()).isEqualTo("acme/trainer (acme)");

    JsonNode roots = summary.get("roots");
    assertThat(names(roots)).containsExactly("declared", "unproven", "artifacts");
    assertThat(roots.get("declared").asLong()).isEqualTo(1);
    assertThat(roots.get("unproven").asLong()).isEqualTo(2);
    JsonNode declared = roots.get("artifacts").get(0);
    assertThat(names(declared)).containsExactly("digest", "kind", "name", "declared", "required", "root", "publisher", "usedBy");
    assertThat(declared.get("digest").asText()).isEqualTo(ReportScenario.LLAMA.toString());
    assertThat(declared.get("declared").asBoolean()).isTrue();
    assertThat(declared.get("root").asText()).isEqualTo("llama-3-8b");
    assertThat(declared.get("publisher").asText()).isEqualTo("meta");
    assertThat(declared.get("usedBy")).singleElement().satisfies(u -> assertThat(u.asText()).isEqualTo("acme-ledger#1"));
    JsonNode unproven = roots.get("artifacts").get(1);
    assertThat(names(unproven)).containsExactly("digest", "kind", "name", "declared", "required", "usedBy");
    assertThat(unproven.get("declared").asBoolean()).isFalse();
    assertThat(unproven.get("required").asBoolean()).isTrue();
    assertThat(unproven.get("kind").asText()).isEqualTo("dataset");

    assertThat(doc.get("findings")).hasSize(3);
    for (JsonNode f : doc.get("findings")) {
      assertThat(FindingCode.valueOf(f.get("code").asText())).isNotNull();
      assertThat(f.get("severity").asText()).isIn("ERROR", "WARNING", "INFO");
      assertThat(f.get("message").isTextual()).isTrue();
      assertThat(f.has("rule")).isFalse();
      if (f.has("entry")) {
        assertThat(names(f)).containsExactly("code", "severity", "entry", "message");
        assertThat(names(f.get("entry"))).containsExactly("logIndex", "where", "ledger", "chain", "sequence", "hash");
        assertThat(f.get("entry").get("ledger").asText()).isEqualTo("acme-ledger");
        assertThat(f.get("entry").get("hash").asText()).matches(DIGEST);
      } else {
        assertThat(names(f)).containsExactly("code", "severity", "message");
      }
    }
    assertThat(names(doc.get("omitted"))).isEmpty();
  }

  @Test
  void render_ruleViolation_findingCarriesTheRuleId() throws Exception {
    VerificationReport r = ReportScenario.standard().verify(tmp.resolve("acme-ledger"),
        policy -> policy + "rules:\n  - {id: fine-tune-epochs, requireParameter: {kind: fine-tune, parameter: epochs}}\n")
        .report();

    JsonNode doc = MAPPER.readTree(JsonReportRenderer.render(r));

    List<JsonNode> ruled = new ArrayList<>();
    doc.get("findings").forEach(f -> {
      if (f.has("rule")) {
        ruled.add(f);
      }
    });
    assertThat(ruled).singleElement().satisfies(f -> {
      assertThat(names(f)).containsExactly("code", "severity", "rule", "entry", "message");
      assertThat(f.get("code").asText()).isEqualTo("RULE_VIOLATION");
      assertThat(f.get("rule").asText()).isEqualTo("fine-tune-epochs");
      assertThat(f.get("entry").get("chain").asText()).isEqualTo("beta/ft");
      assertThat(f.get("entry").get("sequence").asLong()).isZero();
    });
  }

  @Test
  void render_withLineage_everyStepInScopeInTheLineageDocumentsEncoding() throws Exception {
    VerificationReport r = ReportScenario.standard().verify(tmp.resolve("acme-ledger")).report();
    Step release = r.lineage().orElseThrow().steps().stream().filter(x -> x.position().equals("beta/ft:2")).findFirst()
        .orElseThrow();

    JsonNode doc = MAPPER.readTree(JsonReportRenderer.render(r, true));
    JsonNode lineageDoc = MAPPER.readTree(LineageJsonRenderer.render(r.lineage().get(), release, false,
        r::signerLabel, List.of()));

    assertThat(names(doc)).endsWith("omitted", "lineage");
    JsonNode lineage = doc.get("lineage");
    assertThat(names(lineage)).containsExactly("steps", "links", "roots");
    assertThat(lineage.get("steps")).hasSize(10);
    lineage.get("steps").forEach(s -> {
      assertThat(names(s)).containsExactlyElementsOf(STEP_MEMBERS);
      assertStep(s);
    });
    // One encoding: each step, link and root of the release's lineage is written alike in both documents.
    assertThat(lineage.get("steps")).containsAll(lineageDoc.get("steps"));
    assertThat(lineage.get("links")).containsAll(lineageDoc.get("links"));
    assertThat(lineage.get("roots")).containsAll(lineageDoc.get("roots"));
    assertThat(lineageDoc.get("links")).isNotEmpty();
    assertThat(lineage.get("links")).allSatisfy(l -> assertThat(l.get("type").asText()).isIn("artifact", "subject"));
    assertThat(MAPPER.readTree(JsonReportRenderer.render(r)).has("lineage")).isFalse();
  }

  @Test
  void render_twoLedgers_labelsNameTheLedgerOfChainsStepsAndFindings() throws Exception {
    Instant t = Instant.parse("2026-11-20T09:00:00Z");
    Digest base = ReportScenario.digest("acme base");
    EventLedger.Key acme = EventLedger.Key.ed25519("acme");
    EventLedger.Key beta = EventLedger.Key.ed25519("beta");
    EventLedger a = new EventLedger();
    a.append("acme/base", Event.builder(EventType.TRAINING).output(ReportScenario.model("model", base)).build(), acme, t);
    EventLedger b = new EventLedger();
    b.append("acme/base", Event.builder(EventType.FINE_TUNE).input(ReportScenario.model("base", base))
        .input(ArtifactRef.of("data", ArtifactKind.DATASET, ReportScenario.digest("beta data")))
        .output(ReportScenario.model("model", ReportScenario.digest("tuned"))).build(), beta, t.plusSeconds(60));
    Path acmeDir = a.write(tmp.resolve("x").resolve("ledger"));
    Path betaDir = b.write(tmp.resolve("y").resolve("ledger"));
    java.util.LinkedHashMap<Path, EventLedger.Key> ledgers = new java.util.LinkedHashMap<>();
    ledgers.put(acmeDir, acme);
    ledgers.put(betaDir, beta);
    VerificationReport r = ReportScenario.verifyTogether(ledgers);

    JsonNode doc = MAPPER.readTree(JsonReportRenderer.render(r, true));

    assertThat(doc.get("ledgers").findValuesAsText("label")).containsExactly("ledger", "ledger#2");
    assertThat(doc.get("ledgers").findValuesAsText("path")).containsExactly(acmeDir.toString(), betaDir.toString());
    // The same chain id in both ledgers: two chains, told apart by their ledger.
    assertThat(doc.get("summary").get("chains").findValuesAsText("ledger")).containsExactly("ledger", "ledger#2");
    assertThat(doc.get("summary").get("chains").findValuesAsText("chain")).containsExactly("acme/base", "acme/base");
    assertThat(doc.get("lineage").get("steps").findValuesAsText("id")).containsExactly("ledger#0", "ledger#2#0");
    assertThat(doc.get("lineage").get("links")).singleElement().satisfies(l -> {
      assertThat(l.get("from").asText()).isEqualTo("ledger#0");
      assertThat(l.get("to").asText()).isEqualTo("ledger#2#0");
    });
    List<JsonNode> unproven = doc.get("findings").findParents("code").stream()
        .filter(f -> f.get("code").asText().equals("LINEAGE_INPUT_UNPROVEN")).toList();
    assertThat(unproven).singleElement().satisfies(f -> {
      assertThat(f.get("entry").get("ledger").asText()).isEqualTo("ledger#2");
      assertThat(f.get("entry").get("where").asText()).startsWith("'ledger#2' segments/");
    });
    assertThat(doc.get("findings").findParents("code").stream().filter(f -> f.get("code").asText()
        .equals("NO_CHECKPOINT"))).hasSize(2);
  }

  @Test
  void render_releaseOfSeveralArtifacts_listsEveryOutputWithItsKind() throws Exception {
    EventLedger l = new EventLedger();
    EventLedger.Key k = EventLedger.Key.ed25519("k");
    Digest weights = ReportScenario.digest("w");
    Instant t = Instant.parse("2026-11-20T09:00:00Z");
    l.append("acme/m", Event.builder(EventType.TRAINING).output(ReportScenario.model("model", weights))
        .output(ArtifactRef.of("card", ArtifactKind.REPORT, ReportScenario.digest("card"))).build(), k, t);
    l.append("acme/m", Event.builder(EventType.RELEASE).output(ReportScenario.model("model", weights))
        .output(ArtifactRef.of("card", ArtifactKind.REPORT, ReportScenario.digest("card")))
        .details(new EventDetails.Release("3.1")).build(), k, t.plusSeconds(1));
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(List.of(k.publicKey()))).build()
        .verify(l.write(tmp.resolve("ledger")));

    JsonNode rel = MAPPER.readTree(JsonReportRenderer.render(r)).get("summary").get("releases").get(0);

    assertThat(rel.get("version").asText()).isEqualTo("3.1");
    assertThat(rel.get("outputs").findValuesAsText("name")).containsExactly("model", "card");
    assertThat(rel.get("outputs").findValuesAsText("kind")).containsExactly("model", "report");
    assertThat(MAPPER.readTree(JsonReportRenderer.render(r)).get("summary").get("roots").get("artifacts")).isEmpty();
  }
}
