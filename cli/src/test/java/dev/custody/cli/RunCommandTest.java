package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody run} end to end with real child processes ({@code sh -c}). */
class RunCommandTest {
  @TempDir Path tmp;
  Path ledger;
  Path key;

  @BeforeEach
  void setUp() {
    ledger = tmp.resolve("ledger");
    Cli.ok("keys", "generate", "--out", tmp.resolve("keys"), "--name", "ci");
    key = tmp.resolve("keys/ci.key");
    Cli.ok("init", "--ledger", ledger);
  }

  private Cli.Result run(List<Object> opts, String script) {
    List<Object> args = new ArrayList<>(List.of("run", "training", "--ledger", ledger, "--chain", "acme/m",
        "--key", key, "--quiet"));
    args.addAll(opts);
    args.addAll(List.of("--", "sh", "-c", script));
    return Cli.run(args.toArray());
  }

  private List<JsonNode> entries() {
    return Cli.ok("log", "--ledger", ledger, "--json").jsonLines();
  }

  private JsonNode event(int seq) {
    return Cli.ok("show", "acme/m:" + seq, "--ledger", ledger, "--json").json().findValue("event");
  }

  private static String sha(String content) {
    return "sha256:" + Cli.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void run_success_recordsOneEventWithCommandTimesEnvironmentAndArtifacts() throws Exception {
    Path data = Files.writeString(tmp.resolve("data.txt"), "rows");
    Path out = tmp.resolve("out");

    Cli.Result r = run(List.of("--input", "data=" + data, "--output", "model=" + out, "--param", "lr=3e-4",
        "--json"), "mkdir -p '" + out + "' && echo weights > '" + out + "/w.bin'");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.json().get("sequence").asLong()).isZero();
    assertThat(entries()).hasSize(1);
    JsonNode e = event(0);
    assertThat(e.get("type").textValue()).isEqualTo("training");
    // Issue 9: the invocation is typed: the command a JSON array, the exit code a JSON number.
    JsonNode invocation = e.get("invocation");
    assertThat(invocation.get("command").isArray()).isTrue();
    assertThat(invocation.get("command")).extracting(JsonNode::textValue)
        .containsExactly("sh", "-c", "mkdir -p '" + out + "' && echo weights > '" + out + "/w.bin'");
    assertThat(invocation.get("exitCode").isInt()).isTrue();
    assertThat(invocation.get("exitCode").intValue()).isZero();
    assertThat(invocation.get("workingDirectory").textValue()).isEqualTo(Path.of("").toAbsolutePath().toString());
    assertThat(e.get("parameters").has("command")).isFalse();
    assertThat(e.get("parameters").has("exitCode")).isFalse();
    assertThat(e.get("parameters").get("lr").textValue()).isEqualTo("3e-4");
    assertThat(e.get("startedAt").textValue()).isNotBlank();
    assertThat(e.get("finishedAt").textValue()).isNotBlank();
    JsonNode env = e.get("environment");
    assertThat(env.get("os.name").textValue()).isEqualTo(System.getProperty("os.name"));
    assertThat(env.get("cpu.cores").textValue()).isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
    assertThat(env.get("java.version").textValue()).isEqualTo(System.getProperty("java.version"));
    assertThat(e.get("inputs").get(0).get("digest").textValue()).isEqualTo(sha("rows"));
    assertThat(e.get("outputs").get(0).get("digest").textValue()).isEqualTo(Cli.ok("hash", out).out().strip());
  }

  @Test
  void run_failure_recordsNothing_passesExitCodeThrough() {
    Cli.Result r = run(List.of(), "exit 3");

    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("exited with 3").contains("nothing recorded");
    assertThat(entries()).isEmpty();
  }

  @Test
  void run_failureWithRecordFailure_recordedWithExitCode_missingOutputsLeftOut() {
    Cli.Result r = run(List.of("--record-failure", "--output", "model=" + tmp.resolve("never")), "exit 7");

    assertThat(r.code()).as(r.toString()).isEqualTo(7);
    assertThat(entries()).hasSize(1);
    JsonNode e = event(0);
    assertThat(e.get("invocation").get("exitCode").isInt()).isTrue();
    assertThat(e.get("invocation").get("exitCode").intValue()).isEqualTo(7);
    assertThat(e.get("parameters").get("outputsMissing").textValue()).contains("never");
    assertThat(e.has("outputs")).isFalse();
  }

  @Test
  void run_recordedFailure_policyRuleOnTheExitCodeFlagsIt_theCleanRunPasses() throws Exception {
    Path out = tmp.resolve("out");
    assertThat(run(List.of("--output", "model=" + out), "mkdir -p '" + out + "' && echo w > '" + out + "/w.bin'").code())
        .isZero();
    assertThat(run(List.of("--record-failure"), "exit 7").code()).isEqualTo(7);
    Path policy = Files.writeString(tmp.resolve("policy.yaml"), """
        version: custody/policy/v1
        organisations: {acme: {}}
        identities:
          - {name: acme/ci, organisation: acme, keys: [keys/ci.pub]}
        roles:
          - {identities: [acme/ci], kinds: ["*"], chains: ["acme/**"]}
        lineage: {inputUnproven: off}
        rules:
          - id: clean-runs
            cel: {kind: training, expression: "event.invocation.exitCode == 0 && event.invocation.command[0] == 'sh'"}
        """);

    Cli.Result v = Cli.run("verify", "--ledger", ledger, "--policy", policy, "--json");

    assertThat(v.code()).as(v.toString()).isEqualTo(1);
    List<JsonNode> violations = new ArrayList<>();
    v.json().get("findings").forEach(f -> {
      if (f.get("code").textValue().equals("RULE_VIOLATION")) {
        violations.add(f);
      }
    });
    assertThat(violations).singleElement().satisfies(f -> {
      assertThat(f.get("rule").textValue()).isEqualTo("clean-runs");
      assertThat(f.get("entry").get("sequence").asLong()).isEqualTo(1);
    });
  }

  @Test
  void run_outputsChangedByCommand_recordedDigestIsOfNewContent_inputDigestOfOldContent() throws Exception {
    Path f = Files.writeString(tmp.resolve("state.txt"), "old");

    Cli.Result r = run(List.of("--input", "before=" + f, "--output", "after=" + f),
        "printf new > '" + f + "'");

    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode e = event(0);
    assertThat(e.get("inputs").get(0).get("digest").textValue()).isEqualTo(sha("old"));
    assertThat(e.get("outputs").get(0).get("digest").textValue()).isEqualTo(sha("new"));
  }

  @Test
  void run_successButOutputMissing_exit2_nothingRecorded() {
    Cli.Result r = run(List.of("--output", "model=" + tmp.resolve("never")), "true");

    assertThat(r.code()).isEqualTo(2);
    assertThat(entries()).isEmpty();
  }

  @Test
  void run_missingInput_exit2_commandNotRun() {
    Path marker = tmp.resolve("ran");

    Cli.Result r = run(List.of("--input", "data=" + tmp.resolve("nope")), "touch '" + marker + "'");

    assertThat(r.code()).isEqualTo(2);
    assertThat(marker).doesNotExist();
  }

  @Test
  void run_noLedger_exit2_commandNotRun() {
    Path marker = tmp.resolve("ran");

    Cli.Result r = Cli.run("run", "training", "--ledger", tmp.resolve("none"), "--chain", "acme/m", "--key", key,
        "--", "sh", "-c", "touch '" + marker + "'");

    assertThat(r.code()).isEqualTo(2);
    assertThat(marker).doesNotExist();
  }

  @Test
  void run_reservedParam_usageError() {
    assertThat(run(List.of("--param", "exitCode=0"), "true").code()).isEqualTo(2);
  }
}
