package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text and JSON reports of {@code custody verify} end to end through the real CLI: under a
 * trust policy (identities, an external root, a rule), with and without colour — on a real
 * terminal too (a pseudo-terminal made by util-linux {@code script}) — and the JSON report's
 * lineage.
 */
class VerifyReportCliTest {
  static final String CORPUS = "sha256:" + "c0".repeat(32);
  static final String LLAMA = "sha256:" + "11".repeat(32);
  static final String TUNED = "sha256:" + "f7".repeat(32);
  static final char ESC = 0x1B;

  @TempDir Path tmp;
  Path ledger;
  Path keys;
  Path policy;

  @BeforeEach
  void lineage() throws Exception {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "trainer");
    Cli.ok("init", "--ledger", ledger);
    record("dataset-ingest", "acme/corpus", "--output", "corpus:dataset=" + CORPUS, "--param", "license=CC-BY-4.0");
    record("fine-tune", "acme/ft", "--input", "base:model=" + LLAMA, "--input", "corpus:dataset=" + CORPUS,
        "--output", "model:model=" + TUNED);
    record("evaluation", "acme/ft", "--input", "model:model=" + TUNED, "--metric", "accuracy=0.91");
    record("release", "acme/ft", "--output", "model:model=" + TUNED, "--version", "1.0");
    policy = Files.writeString(tmp.resolve("policy.yaml"), String.join("\n",
        "version: custody/policy/v1",
        "organisations: {acme: {}}",
        "identities:",
        "  - {name: acme/trainer, organisation: acme, keys: [keys/trainer.pub]}",
        "roles:",
        "  - {identities: [\"acme/*\"], kinds: [\"*\"], chains: [\"acme/**\"]}",
        "externalRoots:",
        "  - {digest: \"" + LLAMA + "\", kind: model, name: llama-3-8b, publisher: meta}",
        "rules:",
        "  - {id: dataset-licence, requireParameter: {kind: dataset-ingest, parameter: license}}",
        ""));
  }

  private void record(String kind, String chain, String... args) {
    List<Object> a = new ArrayList<>(List.of("record", kind, "--ledger", ledger, "--chain", chain, "--key",
        keys.resolve("trainer.key")));
    a.addAll(List.of(args));
    Cli.ok(a.toArray());
  }

  private List<Object> verifyArgs(Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--ledger", ledger, "--policy", policy, "--log-key",
        ledger.resolve("log").resolve("vkey")));
    a.addAll(List.of(extra));
    return a;
  }

  private Cli.Result verify(Object... extra) {
    return Cli.run(verifyArgs(extra).toArray());
  }

  @Test
  void verify_policy_textSummaryNamesIdentityReleaseAndDeclaredRoot() {
    Cli.Result r = verify();

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("VERIFIED: 4 entries in 2 chains\n\nSummary\n")
        .endsWith("\nVERIFIED: 4 entries in 2 chains\n")
        .contains("\n  signers   1\n            acme/trainer (acme), key ")
        .contains(": 4 steps\n  steps     4: dataset-ingest 1, fine-tune 1, evaluation 1, release 1\n")
        .contains("\n  releases  1\n            acme/ft:2 version 1.0, ")
        .contains(", by acme/trainer (acme)\n              model 'model' " + TUNED + "\n")
        .contains("\n  roots     1 declared (1 model), 0 unproven\n"
            + "            declared: model llama-3-8b (published by meta)\n              " + LLAMA + "\n")
        .doesNotContain("Errors").doesNotContain("Warnings");
  }

  @Test
  void verify_ruleViolated_textNamesRuleAndEntryJsonCarriesRule() {
    record("dataset-ingest", "acme/corpus", "--output", "more:dataset=sha256:" + "d0".repeat(32));

    Cli.Result text = verify();
    Cli.Result json = verify("--format", "json");

    assertThat(text.code()).as(text.toString()).isEqualTo(Main.FAILED);
    assertThat(text.out()).startsWith("FAILED: 1 error, 0 warnings in 5 entries (2 chains)\n")
        .contains("\nErrors (1)\nERROR RULE_VIOLATION (rule dataset-licence) acme/corpus:1, log index 4,"
            + " segments/00000000000000000000.jsonl line 5:\n    ");
    assertThat(json.code()).isEqualTo(Main.FAILED);
    JsonNode finding = json.json().get("findings").get(0);
    assertThat(finding.get("code").asText()).isEqualTo("RULE_VIOLATION");
    assertThat(finding.get("rule").asText()).isEqualTo("dataset-licence");
    assertThat(finding.get("entry").get("chain").asText()).isEqualTo("acme/corpus");
    assertThat(json.json().get("summary").get("signers").get(0).get("identity").asText()).isEqualTo("acme/trainer");
  }

  @Test
  void verify_colorOption_alwaysPaintsNeverAndDefaultOffATerminalDoNot() throws Exception {
    Cli.Result always = verify("--color", "always");
    Cli.Result never = verify("--color", "never");
    Cli.Result auto = verify(); // the test's standard output is no terminal

    assertThat(always.code()).as(always.toString()).isZero();
    assertThat(always.out()).startsWith(ESC + "[1;32mVERIFIED" + ESC + "[0m: 4 entries")
        .contains(ESC + "[1mSummary" + ESC + "[0m");
    assertThat(never.out()).doesNotContain(String.valueOf(ESC)).isEqualTo(auto.out());
    assertThat(auto.out()).doesNotContain(String.valueOf(ESC));
    // Asked for, colour goes into a file too; JSON is never coloured.
    Path out = tmp.resolve("report.txt");
    assertThat(verify("--color", "always", "--out", out).code()).isZero();
    assertThat(Files.readString(out)).startsWith(ESC + "[1;32mVERIFIED");
    assertThat(verify("--color", "always", "--format", "json").out()).doesNotContain(String.valueOf(ESC));
  }

  @Test
  void verify_colorBadValue_exit2NamingTheChoices() {
    Cli.Result r = verify("--color", "sometimes");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--color must be auto, always or never, got 'sometimes'");
  }

  @Test
  void verify_jsonLineage_addsEveryStepAndLink() {
    Cli.Result r = verify("--format", "json", "--lineage");

    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode doc = r.json();
    assertThat(doc.get("format").asText()).isEqualTo("custody/report/v1");
    assertThat(doc.get("lineage").get("steps").findValuesAsText("chain"))
        .containsExactly("acme/corpus", "acme/ft", "acme/ft", "acme/ft");
    assertThat(doc.get("lineage").get("links")).hasSize(3); // corpus -> fine-tune -> evaluation, release
    assertThat(doc.get("lineage").get("roots")).singleElement()
        .satisfies(root -> assertThat(root.get("root").asText()).isEqualTo("llama-3-8b"));
    assertThat(verify("--format", "json").json().has("lineage")).isFalse();
  }

  @Test
  void verify_lineageWithoutJson_exit2() {
    Cli.Result r = verify("--lineage");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--lineage adds the lineage to the JSON report");
  }

  // ------------------------------------------------------------------ a real terminal

  /** What a child {@code custody verify} wrote to a pseudo-terminal, and its exit code. */
  private record Terminal(int code, String output) {}

  /**
   * Runs {@code custody ARGS} in a child JVM whose standard input and output are a pseudo-terminal
   * (util-linux {@code script}), so that {@code System.console()} exists as it does for a person
   * at a terminal; {@code noColor}, if not null, is the child's {@code NO_COLOR}.
   */
  private Terminal onTerminal(String noColor, List<Object> args) throws Exception {
    Path script = Path.of("/usr/bin/script");
    assumeTrue(Files.isExecutable(script), "util-linux script makes the pseudo-terminal");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    args.forEach(a -> cmd.add(String.valueOf(a)));
    String shell = cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    ProcessBuilder pb = new ProcessBuilder(script.toString(), "-qec", shell, "/dev/null")
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().remove("NO_COLOR");
    if (noColor != null) {
      pb.environment().put("NO_COLOR", noColor);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Terminal(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void verify_onATerminal_colouredUnlessNoColorOrOut() throws Exception {
    Terminal coloured = onTerminal(null, verifyArgs());
    Terminal noColor = onTerminal("1", verifyArgs());
    Terminal emptyNoColor = onTerminal("", verifyArgs());
    Path file = tmp.resolve("report.txt");
    Terminal toFile = onTerminal(null, verifyArgs("--out", file));

    assertThat(coloured.code()).as(coloured.output()).isZero();
    assertThat(coloured.output()).contains(ESC + "[1;32mVERIFIED" + ESC + "[0m: 4 entries in 2 chains");
    assertThat(noColor.code()).isZero();
    assertThat(noColor.output()).contains("VERIFIED: 4 entries in 2 chains").doesNotContain(String.valueOf(ESC));
    // NO_COLOR counts only when it is not empty (no-color.org).
    assertThat(emptyNoColor.output()).contains(ESC + "[1;32mVERIFIED");
    assertThat(toFile.code()).isZero();
    assertThat(Files.readString(file)).startsWith("VERIFIED: 4 entries").doesNotContain(String.valueOf(ESC));
  }
}
