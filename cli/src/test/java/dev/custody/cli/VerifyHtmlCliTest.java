package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody verify --format html [--out FILE]} end to end through the real CLI: a lineage
 * recorded with {@code custody record}, replayed, drawn, and written where asked — and never where
 * it must not go.
 */
class VerifyHtmlCliTest {
  static final String CORPUS = "sha256:" + "c0".repeat(32);
  static final String BASE = "sha256:" + "ba".repeat(32);
  static final String UNPROVEN = "sha256:" + "0f".repeat(32);

  @TempDir Path tmp;
  Path ledger;
  Path keys;

  @BeforeEach
  void lineage() {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "trainer");
    Cli.ok("init", "--ledger", ledger);
    record("dataset-ingest", "acme/corpus", "--output", "corpus:dataset=" + CORPUS, "--param", "license=CC-BY-4.0");
    record("training", "acme/base", "--input", "corpus:dataset=" + CORPUS, "--output", "model:model=" + BASE);
    record("evaluation", "acme/base", "--input", "model:model=" + BASE, "--metric", "accuracy=0.91");
    record("release", "acme/base", "--output", "model:model=" + BASE, "--version", "1.0");
    // A fine-tune of a base model no step produced: a lineage gap (a warning under --trust).
    record("fine-tune", "acme/ft", "--input", "base:model=" + UNPROVEN, "--output", "model:model=sha256:" + "f7".repeat(32));
  }

  private void record(String kind, String chain, String... args) {
    List<Object> a = new ArrayList<>(List.of("record", kind, "--ledger", ledger, "--chain", chain, "--key",
        keys.resolve("trainer.key")));
    a.addAll(List.of(args));
    Cli.ok(a.toArray());
  }

  private Cli.Result verify(Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--ledger", ledger, "--trust", keys, "--log-key",
        ledger.resolve("log").resolve("vkey")));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  @Test
  void verify_formatHtmlOut_writesThePageWithTheLineageAndItsFindings() throws Exception {
    Path page = tmp.resolve("report.html");

    Cli.Result r = verify("--format", "html", "--out", page);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    String html = Files.readString(page);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("data-verdict=\"VERIFIED\"", "<dt>Generated</dt>");
    for (String entry : List.of("acme/corpus:0", "acme/base:0", "acme/base:1", "acme/base:2", "acme/ft:0")) {
      assertThat(html).contains("data-entry=\"" + entry + "\" data-kind=");
    }
    assertThat(html).contains("data-type=\"artifact\" data-from=\"acme/corpus:0\" data-to=\"acme/base:0\"",
        "data-type=\"artifact\" data-from=\"acme/base:0\" data-to=\"acme/base:2\"");
    // The lineage's finding is in the report (a warning: --trust declares no external roots) and marks its step.
    assertThat(html).contains("data-code=\"LINEAGE_INPUT_UNPROVEN\" data-severity=\"WARNING\" data-entry=\"acme/ft:0\"",
        "data-entry=\"acme/ft:0\" data-kind=\"fine-tune\"", "data-status=\"warning\"", "data-root=\"unproven\"");
  }

  @Test
  void verify_formatHtmlWithoutOut_printsThePage() {
    Cli.Result r = verify("--format", "html");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
  }

  @Test
  void verify_tamperedLedgerWithOut_writesTheFailedReportAndExits1() throws Exception {
    List<String> lines = Cli.records(ledger);
    String line = lines.get(1);
    int sig = line.indexOf("\"signature\":\"") + "\"signature\":\"".length();
    lines.set(1, line.substring(0, sig) + (line.charAt(sig) == 'A' ? 'B' : 'A') + line.substring(sig + 1));
    Cli.writeRecords(ledger, lines);
    Path page = tmp.resolve("failed.html");

    Cli.Result r = verify("--format", "html", "--out", page);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(Files.readString(page)).contains("data-verdict=\"FAILED\"", "data-code=\"SIGNATURE_INVALID\"");
  }

  @Test
  void verify_outForTextAndJson_writesThemToo() throws Exception {
    Path text = tmp.resolve("report.txt");
    Path json = tmp.resolve("report.json");

    assertThat(verify("--out", text).code()).isZero();
    assertThat(verify("--format", "json", "--out", json).code()).isZero();

    assertThat(Files.readString(text)).contains("VERIFIED: 5 entries");
    assertThat(Cli.MAPPER.readTree(Files.readString(json)).get("verified").booleanValue()).isTrue();
  }

  @Test
  void verify_outInsideTheLedger_isRefusedBeforeAnythingIsWritten() {
    Map<String, String> before = Cli.snapshot(ledger);

    for (Path inside : List.of(ledger.resolve("report.html"), ledger.resolve("segments/00000000000000000000.jsonl"),
        ledger.resolve("log/../checkpoint"))) {
      Cli.Result r = verify("--format", "html", "--out", inside);
      assertThat(r.code()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).contains("is inside the ledger directory", "write it elsewhere");
    }

    assertThat(Cli.snapshot(ledger)).isEqualTo(before);
  }

  @Test
  void verify_outThroughASymlinkedDirectoryIntoTheLedger_isRefused() throws Exception {
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), ledger);
    Map<String, String> before = Cli.snapshot(ledger);

    Cli.Result r = verify("--format", "html", "--out", alias.resolve("report.html"));

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(Cli.snapshot(ledger)).isEqualTo(before);
  }

  @Test
  void verify_outOverAnInputOfTheVerification_isRefused() throws Exception {
    Path checkpoint = tmp.resolve("cp");
    Files.write(checkpoint, Files.readAllBytes(ledger.resolve("checkpoint")));
    Map<String, String> keysBefore = Cli.snapshot(keys);
    byte[] cpBefore = Files.readAllBytes(checkpoint);

    for (Path over : List.of(keys.resolve("trainer.pub"), keys.resolve("report.html"), checkpoint,
        tmp.resolve("cp.tsr"))) {
      Cli.Result r = verify("--checkpoint", checkpoint, "--format", "html", "--out", over);
      assertThat(r.code()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).contains("which this verification reads; write the report elsewhere");
    }

    assertThat(Cli.snapshot(keys)).isEqualTo(keysBefore);
    assertThat(Files.readAllBytes(checkpoint)).isEqualTo(cpBefore);
    assertThat(tmp.resolve("cp.tsr")).doesNotExist();
  }

  @Test
  void verify_outIsASymlink_replacesTheLinkNotItsTarget() throws Exception {
    Path victim = tmp.resolve("victim.txt");
    Files.writeString(victim, "precious");
    Path link = Files.createSymbolicLink(tmp.resolve("report.html"), victim);

    Cli.Result r = verify("--format", "html", "--out", link);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(Files.readString(link)).startsWith("<!DOCTYPE html>");
  }

  @Test
  void verify_outIsADirectoryOrInAMissingDirectory_isBadUsage() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("reports"));

    Cli.Result isDir = verify("--format", "html", "--out", dir);
    Cli.Result missing = verify("--format", "html", "--out", tmp.resolve("nowhere/report.html"));

    assertThat(isDir.code()).isEqualTo(2);
    assertThat(isDir.err()).contains("is a directory: name a file");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nowhere", "does not exist");
    assertThat(Files.exists(tmp.resolve("nowhere"))).isFalse();
  }

  @Test
  void verify_unknownFormat_isBadUsageNamingTheFormats() {
    Cli.Result r = verify("--format", "pdf\u202E");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--format must be text, json or html, got 'pdf\\u202E'").doesNotContain("\u202E");
  }
}
