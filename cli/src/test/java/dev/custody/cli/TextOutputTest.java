package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 item 13: text custody did not write — kinds, parameters, custom-kind URIs, tensor names,
 * chain ids given on the command line, file names — never reaches a terminal raw. Bidi overrides
 * (U+202E), other format characters (soft hyphen, zero-width), U+2028/U+2029, C0 and C1 controls
 * and ESC sequences are escaped in every text listing and message; {@code --json} output escapes
 * them as JSON {@code \\u} escapes, so that values still read back exactly.
 */
class TextOutputTest {
  /** Every kind of character a terminal or a reader would misread. */
  static final String HOSTILE = "a\u202Eb\u2028c\u2029d\u001B[31mred\u001B[0m\u0085e\u00ADf\u200Bg\u2066h\u007Fi";
  static final String HOSTILE_JSON = "a\\u202Eb\\u2028c\\u2029d\\u001B[31mred\\u001B[0m\\u0085e\\u00ADf\\u200Bg\\u2066h"
      + "\\u007Fi";
  static final String KIND = "https://evil.example/\u202Etxt.exe";

  @TempDir static Path root;
  static Path ledger;
  static Path key;

  /** Fails naming the first character a terminal would act on or that changes how text reads. */
  static void assertNoRawUnsafe(String output) {
    for (int i = 0; i < output.length(); ) {
      int cp = output.codePointAt(i);
      int type = Character.getType(cp);
      boolean unsafe = (type == Character.CONTROL && cp != '\n') || type == Character.FORMAT
          || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.PRIVATE_USE || type == Character.UNASSIGNED || type == Character.SURROGATE;
      assertThat(unsafe).as("raw U+%04X at %d in:%n%s", cp, i, output).isFalse();
      i += Character.charCount(cp);
    }
  }

  @BeforeAll
  static void hostileLedger() throws Exception {
    Cli.ok("keys", "generate", "--out", root.resolve("keys"), "--name", "k");
    key = root.resolve("keys/k.key");
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger);
    // Through a batch (JSON escapes), and through options (raw characters on the command line).
    String batch = "{\"chain\":\"acme/a\",\"kind\":\"" + KIND.replace("\u202E", "\\u202E") + "\",\"parameters\":"
        + "{\"note\":\"" + HOSTILE_JSON + "\"},\"body\":{\"x\":\"" + HOSTILE_JSON + "\"}}\n"
        + "{\"chain\":\"acme/a\",\"kind\":\"custody-transfer\",\"from\":\"" + HOSTILE_JSON + "\",\"to\":\"b\","
        + "\"outputs\":[{\"name\":\"m\",\"kind\":\"model\",\"digest\":\"sha256:" + "ab".repeat(32) + "\",\"uri\":\""
        + "https://x.example/" + HOSTILE_JSON + "\",\"annotations\":{\"k\":\"" + HOSTILE_JSON + "\"}}]}\n";
    Cli.ok("record", "--batch", Files.writeString(root.resolve("b.jsonl"), batch), "--key", key, "--ledger", ledger);
    Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--text", HOSTILE,
        "--param", "p=" + HOSTILE, "--env", "e=" + HOSTILE);
  }

  @Test
  void log_hostileKind_printedEscaped() {
    Cli.Result r = Cli.ok("log", "--ledger", ledger);
    assertNoRawUnsafe(r.out());
    assertThat(r.out()).contains("https://evil.example/\\u202Etxt.exe");
  }

  @Test
  void logJson_hostileKind_escapedAndReadsBackExactly() {
    Cli.Result r = Cli.ok("log", "--ledger", ledger, "--json");
    assertNoRawUnsafe(r.out());
    assertThat(r.jsonLines().get(0).get("kind").asText()).isEqualTo(KIND);
  }

  @Test
  void show_hostileParametersAndBody_printedEscaped() {
    for (String entry : new String[] {"acme/a:0", "acme/a:1", "acme/a:2"}) {
      Cli.Result r = Cli.ok("show", entry, "--ledger", ledger);
      assertNoRawUnsafe(r.out());
    }
    assertThat(Cli.ok("show", "acme/a:2", "--ledger", ledger).out()).contains(HOSTILE_JSON);
  }

  @Test
  void showJson_hostileValues_escapedAndReadBackExactly() {
    for (String entry : new String[] {"acme/a:0", "acme/a:1", "acme/a:2"}) {
      assertNoRawUnsafe(Cli.ok("show", entry, "--ledger", ledger, "--json").out());
    }
    JsonNode e0 = Cli.ok("show", "acme/a:0", "--ledger", ledger, "--json").json().get("event");
    assertThat(e0.get("parameters").get("note").asText()).isEqualTo(HOSTILE);
    assertThat(e0.get("body").get("x").asText()).isEqualTo(HOSTILE);
    JsonNode e1 = Cli.ok("show", "acme/a:1", "--ledger", ledger, "--json").json().get("event");
    assertThat(e1.get("from").asText()).isEqualTo(HOSTILE);
    assertThat(e1.get("outputs").get(0).get("annotations").get("k").asText()).isEqualTo(HOSTILE);
    JsonNode e2 = Cli.ok("show", "acme/a:2", "--ledger", ledger, "--json").json().get("event");
    assertThat(e2.get("text").asText()).isEqualTo(HOSTILE);
    assertThat(e2.get("environment").get("e").asText()).isEqualTo(HOSTILE);
  }

  @Test
  void errors_hostileChainOnCommandLine_escapedInTheMessage() {
    List<Cli.Result> results = new ArrayList<>();
    results.add(Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/" + HOSTILE, "--key", key,
        "--text", "x"));
    results.add(Cli.run("log", "--ledger", ledger, "--chain", "acme/" + HOSTILE));
    results.add(Cli.run("show", "acme/" + HOSTILE + ":0", "--ledger", ledger));
    results.add(Cli.run("show", HOSTILE, "--ledger", ledger));
    results.add(Cli.run("prove", "inclusion", "acme/" + HOSTILE + ":0", "--ledger", ledger));
    results.add(Cli.run("record", HOSTILE, "--ledger", ledger, "--chain", "acme/a", "--key", key));
    results.add(Cli.run("record", "training", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--input",
        HOSTILE + "=sha256:00"));
    results.add(Cli.run("record", "training", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--param",
        HOSTILE + "=1"));
    results.add(Cli.run("record", "evaluation", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--metric",
        "acc=" + HOSTILE));
    results.add(Cli.run("record", "approval", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--subject",
        "acme/" + HOSTILE + ":0"));
    results.add(Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        root.resolve(HOSTILE + ".key"), "--text", "x"));
    results.add(Cli.run("verify", "--ledger", ledger, "--trust", root.resolve(HOSTILE)));
    results.add(Cli.run("log", "--" + HOSTILE));
    results.add(Cli.run(HOSTILE));
    results.add(Cli.run("init", "--ledger", root.resolve("other"), "--origin", "evil" + HOSTILE));
    results.add(Cli.run("witness", "init", "--state", root.resolve("w"), "--name", "w" + HOSTILE));
    for (Cli.Result r : results) {
      assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
      assertNoRawUnsafe(r.err());
      assertNoRawUnsafe(r.out());
      assertThat(r.err()).as("%s", r).contains("\\u202E");
    }
  }

  @Test
  void info_hostileOriginInAnEditedLedger_printedEscaped() throws Exception {
    Path l = root.resolve("edited");
    Cli.ok("init", "--ledger", l, "--origin", "example.org/log");
    Path config = l.resolve("log/config.json");
    Files.writeString(config, Files.readString(config).replace("example.org/log", "example.org/\\u202Egol"));
    Cli.Result r = Cli.run("info", "--ledger", l);
    assertNoRawUnsafe(r.out());
    assertNoRawUnsafe(r.err());
    assertNoRawUnsafe(Cli.run("info", "--ledger", l, "--json").out());
  }

  // ---------------------------------------------------------------- safetensors

  private static Path safetensors(Path file, String... names) throws Exception {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":{\"dtype\":\"F32\",\"shape\":[1],"
          + "\"data_offsets\":[").append(4 * i).append(',').append(4 * i + 4).append("]}");
    }
    json.append(",\"__metadata__\":{\"note\":\"").append(HOSTILE_JSON).append("\"}}");
    byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer f = ByteBuffer.allocate(8 + h.length + 4 * names.length).order(ByteOrder.LITTLE_ENDIAN);
    f.putLong(h.length).put(h);
    for (int i = 0; i < names.length; i++) {
      f.putFloat(i + 1);
    }
    Files.createDirectories(file.getParent());
    return Files.write(file, f.array());
  }

  @Test
  void fingerprintAndCompare_hostileTensorNamesAndFileNames_printedEscaped() throws Exception {
    Path a = safetensors(root.resolve("st/a" + HOSTILE + ".safetensors"), "w\\u202Eeight", "bias\\u2028x",
        "zero\\uFEFFwidth");
    Path b = safetensors(root.resolve("st/b.safetensors"), "w\\u202Eeight", "other\\u200B", "zero\\uFEFFwidth");
    for (String[] args : new String[][] {
        {"fingerprint", a.toString()}, {"fingerprint", a.toString(), "--tensors"}, {"fingerprint", a.toString(), "--json"},
        {"fingerprint", a.toString(), "--json", "--tensors"}, {"compare", a.toString(), b.toString()},
        {"compare", a.toString(), b.toString(), "--json"}, {"hash", a.toString(), "--json"},
        {"hash", a.toString()}}) {
      Cli.Result r = Cli.ok((Object[]) args);
      assertNoRawUnsafe(r.out());
      assertNoRawUnsafe(r.err());
    }
    JsonNode fp = Cli.ok("fingerprint", a, "--json", "--tensors").json();
    assertThat(fp.get("tensorDigests").findValuesAsText("name")).contains("w\u202Eeight", "bias\u2028x");
    assertThat(fp.get("files").get(0).get("metadata").get("note").asText()).isEqualTo(HOSTILE);
  }
}
