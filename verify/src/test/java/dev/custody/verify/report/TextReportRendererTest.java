package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.EventLedger;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text report of real reports of real ledgers ({@link ReportScenario}, and two ledgers verified together). */
class TextReportRendererTest {
  @TempDir Path tmp;

  /**
   * {@code text} without the renderer's colour: each painted span ({@code ESC[<n;n>m}, text without
   * ESC, {@code ESC[0m}) becomes its text. Any other escape character stays, to be caught.
   */
  static String plain(String text) {
    return text.replaceAll("\u001B\\[[0-9;]+m([^\u001B]*)\u001B\\[0m", "$1");
  }

  /**
   * {@code text} with every line indented by exactly four spaces joined to the line before with one
   * space: a finding's line and its message become one line, {@code SEVERITY CODE …: message}.
   */
  static String unwrapped(String text) {
    return text.replaceAll("\n {4}(?=\\S)", " ");
  }

  /** The lines of {@code text} from the one equal to {@code from} to the next blank line, exclusive. */
  static List<String> block(String text, String from) {
    List<String> lines = text.lines().toList();
    int start = lines.indexOf(from);
    assertThat(start).as("a line %s in%n%s", from, text).isNotNegative();
    int end = start + 1;
    while (end < lines.size() && !lines.get(end).isEmpty()) {
      end++;
    }
    return lines.subList(start, end);
  }

  private static String head(int chars, Digest d) {
    return d.value().hex().substring(0, chars);
  }

  @Test
  void render_scenario_verdictFirstThenSummaryThenErrorsWarningsAndTheVerdictLast() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"));

    List<String> lines = TextReportRenderer.render(v.report()).lines().toList();

    String verdict = "FAILED: 1 error, 2 warnings in 10 entries (3 chains)";
    assertThat(lines.get(0)).isEqualTo(verdict);
    assertThat(lines.get(lines.size() - 1)).isEqualTo(verdict);
    assertThat(lines.get(2)).isEqualTo("Summary");
    int errors = lines.indexOf("Errors (1)");
    int warnings = lines.indexOf("Warnings (2)");
    assertThat(errors).isGreaterThan(2).isLessThan(warnings);
    assertThat(lines).doesNotContain("Information (0)").noneMatch(l -> l.startsWith("Information"));
    // Each group holds its own findings only, about entries in log order, then those about the ledger.
    assertThat(lines.subList(errors + 1, warnings).stream().filter(l -> !l.startsWith(" ") && !l.isEmpty()))
        .containsExactly("ERROR LINEAGE_INPUT_UNPROVEN beta/ft:0, log index 5, segments/00000000000000000000.jsonl line 6:");
    assertThat(lines.subList(warnings + 1, lines.size() - 1).stream().filter(l -> !l.startsWith(" ") && !l.isEmpty()))
        .containsExactly("WARNING RELEASE_UNPRODUCED beta/ft:3, log index 8, segments/00000000000000000000.jsonl line 9:",
            "WARNING NO_CHECKPOINT:");
  }

  @Test
  void render_scenario_summaryNamesLedgerChainsSignersKindsReleasedModelsAndRoots() throws Exception {
    ReportScenario s = ReportScenario.standard();
    Path dir = tmp.resolve("acme-ledger");
    ReportScenario.Verified v = s.verify(dir);
    VerificationReport r = v.report();
    String acmeKey = s.acme.keyId().substring(0, 12);
    String betaKey = s.beta.keyId().substring(0, 12);

    assertThat(block(TextReportRenderer.render(r), "Summary")).containsExactly(
        "Summary",
        "  ledger    " + dir,
        "  entries   10 checked",
        "  chains    3",
        "            acme/base: 4 entries, head sha256:" + head(12, r.chains().get(0).head())
            + ", signed by acme/trainer (acme)",
        "            acme/corpus: 1 entry, head sha256:" + head(12, r.chains().get(1).head())
            + ", signed by acme/trainer (acme)",
        "            beta/ft: 5 entries, head sha256:" + head(12, r.chains().get(2).head())
            + ", signed by beta/trainer (beta)",
        "  signers   2",
        "            acme/trainer (acme), key " + acmeKey + ": 5 steps",
        "            beta/trainer (beta), key " + betaKey + ": 5 steps",
        "  steps     10: dataset-ingest 1, fine-tune 2, evaluation 1, conversion 1, release 3, approval 1,",
        "            urn:custody:test:red-team 1",
        "  releases  3",
        "            acme/base:2 version 1.0, 2026-11-20T09:03:00Z, by acme/trainer (acme)",
        "              model 'model' " + ReportScenario.BASE,
        "            beta/ft:2 version 2.0, 2026-11-20T09:07:00Z, by beta/trainer (beta)",
        "              model 'model' " + ReportScenario.QUANT,
        "            beta/ft:3 version 2.1, 2026-11-20T09:08:00Z, by beta/trainer (beta)  [1 warning]",
        "              model 'model' " + ReportScenario.FORGED,
        "  roots     1 declared (1 model), 2 unproven (1 model, 1 dataset)",
        "            declared: model llama-3-8b (published by meta)",
        "              " + ReportScenario.LLAMA);
  }

  @Test
  void render_chainRestricted_summaryCountsTheChainAndTheStepsItDerivesFrom() throws Exception {
    ReportScenario s = ReportScenario.standard();
    Path dir = tmp.resolve("acme-ledger");
    s.ledger.write(dir);
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(List.of(s.acme.publicKey(), s.beta.publicKey())))
        .chain("beta/ft").build().verify(dir);

    String text = TextReportRenderer.render(r);

    // beta/ft's 5 steps, the fine-tune and dataset-ingest of acme it derives from (the approval is not an ancestor).
    assertThat(text).contains("  chains    1\n            beta/ft: 5 entries")
        .contains("  steps     7 (the chains reported and the steps they derive from): dataset-ingest 1, fine-tune 2,")
        .contains("  releases  2\n            beta/ft:2 version 2.0");
  }

  @Test
  void render_chainRestrictedToAChainNoEntryNames_summaryCoversNothingRatherThanEverything() throws Exception {
    ReportScenario s = ReportScenario.standard();
    Path dir = tmp.resolve("acme-ledger");
    s.ledger.write(dir);
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(List.of(s.acme.publicKey(), s.beta.publicKey())))
        .chain("acme/zzz").build().verify(dir);

    String text = TextReportRenderer.render(r);

    assertThat(text).startsWith("FAILED: 1 error, ")
        .contains("  chains    0\n  signers   0\n  steps     0 (the chains reported and the steps they derive from)\n"
            + "  releases  none\n  roots     none")
        .contains("ERROR CHAIN_NOT_FOUND:");
  }

  @Test
  void render_everyLine_fitsTheWidthUnlessItIsOneWordOrAFindingsHeader() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"));

    String text = TextReportRenderer.render(v.report());

    for (String line : text.lines().toList()) {
      if (line.length() > TextReportRenderer.WIDTH) {
        assertThat(line.strip()).as("over-long line %s", line).doesNotContain(" ");
      }
    }
    // Every message comes back whole when its lines are joined (the first one to its finding's line).
    String joined = unwrapped(text);
    for (Finding f : v.report().findings()) {
      assertThat(joined).contains(": " + Untrusted.sanitize(f.message()) + "\n");
    }
  }

  @Test
  void render_colour_paintsVerdictHeadingsAndSeveritiesAndKeepsTheLayout() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"));
    VerificationReport r = v.report().withFindings(List.of(new Finding(FindingCode.ARTIFACT_VERIFIED, Severity.INFO,
        Optional.empty(), "the model matches the released manifest")));

    String coloured = TextReportRenderer.render(r, true);
    String uncoloured = TextReportRenderer.render(r, false);

    assertThat(coloured).startsWith("\u001B[1;31mFAILED\u001B[0m: 1 error")
        .contains("\n\u001B[1mSummary\u001B[0m\n", "\n\u001B[1mErrors\u001B[0m (1)\n", "\n\u001B[1mWarnings\u001B[0m (2)\n",
            "\n\u001B[1mInformation\u001B[0m (1)\n", "\n\u001B[31mERROR\u001B[0m LINEAGE_INPUT_UNPROVEN ",
            "\n\u001B[33mWARNING\u001B[0m NO_CHECKPOINT:\n", "\n\u001B[36mINFO\u001B[0m ARTIFACT_VERIFIED:\n",
            "  [\u001B[33m1 warning\u001B[0m]\n");
    assertThat(plain(coloured)).isEqualTo(uncoloured);
    assertThat(uncoloured).doesNotContain("\u001B");
  }

  @Test
  void render_verifiedWithColour_greenVerdict() throws Exception {
    EventLedger l = new EventLedger();
    EventLedger.Key k = EventLedger.Key.ed25519("solo");
    l.append("acme/solo", Event.builder(EventType.ANNOTATION).details(new EventDetails.Annotation("hello")).build(), k,
        Instant.parse("2026-11-20T09:00:00Z"));
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(List.of(k.publicKey()))).build()
        .verify(l.write(tmp.resolve("solo")));

    assertThat(TextReportRenderer.render(r, true))
        .startsWith("\u001B[1;32mVERIFIED\u001B[0m: 1 entry in 1 chain (1 warning)\n");
    assertThat(TextReportRenderer.render(r)).contains("  releases  none\n")
        .contains("  steps     1: annotation 1\n");
  }

  @Test
  void render_ruleViolation_namesTheRuleIdBesideTheCode() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"),
        policy -> policy + "rules:\n  - {id: fine-tune-epochs, requireParameter: {kind: fine-tune, parameter: epochs}}\n");

    String text = TextReportRenderer.render(v.report());

    assertThat(block(text, "Errors (2)")).anySatisfy(l -> assertThat(l)
        .isEqualTo("ERROR RULE_VIOLATION (rule fine-tune-epochs) beta/ft:0, log index 5,"
            + " segments/00000000000000000000.jsonl line 6:"));
  }

  @Test
  void render_manyChainsSignersAndReleases_listsTheFirstOrNewestAndCountsTheRest() throws Exception {
    EventLedger l = new EventLedger();
    List<dev.custody.core.jws.VerificationKey> keys = new java.util.ArrayList<>();
    Instant t = Instant.parse("2026-11-20T09:00:00Z");
    for (int i = 0; i < 30; i++) {
      EventLedger.Key k = EventLedger.Key.ed25519("team " + i);
      keys.add(k.publicKey());
      Digest m = ReportScenario.digest("model " + i);
      String chain = String.format("acme/m%02d", i);
      l.append(chain, Event.builder(EventType.TRAINING).output(ReportScenario.model("model", m)).build(), k, t);
      l.append(chain, Event.builder(EventType.RELEASE).output(ReportScenario.model("model", m))
          .details(new EventDetails.Release("1." + i)).build(), k, t.plusSeconds(i));
    }
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(keys)).build().verify(l.write(tmp.resolve("big")));

    List<String> summary = block(TextReportRenderer.render(r), "Summary");

    assertThat(summary).contains("  chains    30", "            ... and 10 more chains (the JSON report lists every one)",
        "  signers   30", "            ... and 10 more signers (the JSON report lists every one)",
        "  releases  30 (the newest 10 in log order are listed)", "            acme/m29:1 version 1.29, "
            + "2026-11-20T09:00:29Z, by key " + r.chains().get(29).signerKeyIds().iterator().next().substring(0, 12));
    assertThat(summary.stream().filter(x -> x.startsWith("            acme/m") && x.contains(": 2 entries"))).hasSize(20);
    assertThat(summary.stream().filter(x -> x.startsWith("            acme/m") && x.contains(" version "))).hasSize(10)
        .noneMatch(x -> x.startsWith("            acme/m19:1 "));
    assertThat(summary.stream().filter(x -> x.matches(" {12}key [0-9a-f]{12}: 2 steps"))).hasSize(20);
  }

  /** Two ledgers of two organisations, each verified under its own key: acme's release is beta's base. */
  private VerificationReport twoLedgers(Path acmeDir, Path betaDir) throws Exception {
    Instant t = Instant.parse("2026-11-20T09:00:00Z");
    Digest base = ReportScenario.digest("acme base");
    Digest tuned = ReportScenario.digest("beta tuned");
    EventLedger.Key acme = EventLedger.Key.ed25519("acme");
    EventLedger.Key beta = EventLedger.Key.ed25519("beta");
    EventLedger a = new EventLedger();
    a.append("acme/base", Event.builder(EventType.TRAINING).output(ReportScenario.model("model", base)).build(), acme, t);
    a.append("acme/base", Event.builder(EventType.RELEASE).output(ReportScenario.model("model", base))
        .details(new EventDetails.Release("1.0")).build(), acme, t.plusSeconds(60));
    EventLedger b = new EventLedger();
    b.append("beta/ft", Event.builder(EventType.FINE_TUNE).input(ReportScenario.model("base", base))
        .input(ArtifactRef.of("data", ArtifactKind.DATASET, ReportScenario.digest("beta data")))
        .output(ReportScenario.model("model", tuned)).build(), beta, t.plusSeconds(120));
    b.append("beta/ft", Event.builder(EventType.RELEASE).output(ReportScenario.model("model", tuned))
        .details(new EventDetails.Release("2.0")).build(), beta, t.plusSeconds(180));
    java.util.LinkedHashMap<Path, EventLedger.Key> ledgers = new java.util.LinkedHashMap<>();
    ledgers.put(a.write(acmeDir), acme);
    ledgers.put(b.write(betaDir), beta);
    return ReportScenario.verifyTogether(ledgers);
  }

  @Test
  void render_twoLedgers_namesTheLedgerOfEachChainReleaseAndFinding() throws Exception {
    Path acmeDir = tmp.resolve("acme").resolve("ledger");
    Path betaDir = tmp.resolve("beta").resolve("ledger");
    VerificationReport r = twoLedgers(acmeDir, betaDir);

    String text = TextReportRenderer.render(r);

    assertThat(text).startsWith("VERIFIED: 4 entries in 2 chains of 2 ledgers (3 warnings)\n");
    assertThat(block(text, "Summary")).startsWith(
        "Summary",
        "  ledgers   2",
        "            'ledger' " + acmeDir,
        "            'ledger#2' " + betaDir,
        "  entries   4 checked",
        "  chains    2")
        .anySatisfy(l -> assertThat(l).startsWith("            acme/base in 'ledger': 2 entries"))
        .anySatisfy(l -> assertThat(l).startsWith("            beta/ft in 'ledger#2': 2 entries"))
        .contains("            beta/ft:1 in 'ledger#2' version 2.0, 2026-11-20T09:03:00Z, by key "
            + r.chains().get(1).signerKeyIds().iterator().next().substring(0, 12));
    // The unproven dataset is beta's: the finding's place names its ledger.
    assertThat(text).contains("\nWARNING LINEAGE_INPUT_UNPROVEN beta/ft:0, log index 0, 'ledger#2'"
        + " segments/00000000000000000000.jsonl line 1:\n");
  }

  @Test
  void render_hostileTextFromPolicyAndLedgerNames_escapedAndNoEscapeByteWithoutColour() throws Exception {
    // The auditor's policy and the ledgers' directory names are text custody did not write either.
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme\u202Eledger\u001B[2J"),
        policy -> policy.replace("publisher: meta", "publisher: \"me\\u001b]8;;http://x\\u0007ta\\u2028\""));
    Path acmeDir = tmp.resolve("a").resolve("led\u0085ger\u001B[31m");
    Path betaDir = tmp.resolve("b").resolve("led\u0085ger\u001B[31m");
    VerificationReport two = twoLedgers(acmeDir, betaDir);

    for (VerificationReport r : List.of(v.report(), two)) {
      String text = TextReportRenderer.render(r);
      assertThat(text).doesNotContain("\u001B").doesNotContain("\u202E").doesNotContain("\u2028")
          .doesNotContain("\u0085").doesNotContain("\u0007");
      assertThat(plain(TextReportRenderer.render(r, true))).isEqualTo(text);
    }
    assertThat(TextReportRenderer.render(v.report()))
        .contains("acme\\u202Eledger\\u001B[2J", "llama-3-8b (published by me\\u001B]8;;http://x\\u0007ta\\u2028)");
    assertThat(TextReportRenderer.render(two)).contains("'led\\u0085ger\\u001B[31m#2'");
  }
}
