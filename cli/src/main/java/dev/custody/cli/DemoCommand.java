package dev.custody.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds a small, realistic lineage in a temporary directory with the real commands, verifies it,
 * shows the log, then tampers with a copy and shows the verifier catching it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Build a small model lineage in a temporary directory, verify it, then tamper with a copy"
        + " and show the failure. Exit 0 when everything behaved as expected.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "Work here instead of a new temporary directory (must be empty or absent).")
  Path dir;

  private PrintWriter out;

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("custody-demo-");
    Path keys = work.resolve("keys");
    Path ledger = work.resolve("ledger");
    Path files = Files.createDirectories(work.resolve("files"));
    out.println("custody demo in " + work);

    step("1. Keys for three teams of two organisations (ACME's data and training teams, ACME's release manager on"
        + " an ES256 HSM-style key, and a partner lab)");
    must(0, "keys", "generate", "--out", keys.toString(), "--name", "acme-data");
    must(0, "keys", "generate", "--out", keys.toString(), "--name", "acme-train");
    must(0, "keys", "generate", "--out", keys.toString(), "--name", "acme-release", "--alg", "es256");
    must(0, "keys", "generate", "--out", keys.toString(), "--name", "medlab");

    step("2. A ledger");
    must(0, "init", "--ledger", ledger.toString());

    Path data = write(files.resolve("train-shard-000.jsonl"), dataset());
    Path config = write(files.resolve("train-config.json"),
        "{\"lr\":0.0003,\"epochs\":3,\"batch_size\":512,\"seed\":1234}\n".getBytes(StandardCharsets.UTF_8));
    Path weights = write(files.resolve("falcon-7b.bin"), randomBytes(1 << 16, 7));
    Path evalReport = write(files.resolve("eval-report.json"),
        "{\"mmlu\":0.612,\"toxicity\":0.021}\n".getBytes(StandardCharsets.UTF_8));
    Path tuned = write(files.resolve("falcon-7b-med.bin"), randomBytes(1 << 16, 8));
    String l = "--ledger=" + ledger;

    step("3. ACME records the model's life on chain acme/falcon-7b");
    must(0, "record", "dataset-ingest", l, "--chain", "acme/falcon-7b", "--key", key(keys, "acme-data"),
        "--output", "train-data=" + data, "--param", "source=s3://acme-corpus/2026-10", "--param", "license=CC-BY-4.0");
    must(0, "record", "training", l, "--chain", "acme/falcon-7b", "--key", key(keys, "acme-train"),
        "--input", "train-data=" + data, "--input", "config=" + config, "--output", "model=" + weights,
        "--env", "gpu=8xH100", "--env", "framework=torch-2.5");
    must(0, "record", "evaluation", l, "--chain", "acme/falcon-7b", "--key", key(keys, "acme-train"),
        "--input", "model=" + weights, "--output", "eval-report=" + evalReport, "--metric", "mmlu=0.612",
        "--metric", "toxicity=0.021");
    must(0, "record", "approval", l, "--chain", "acme/falcon-7b", "--key", key(keys, "acme-release"),
        "--subject", "acme/falcon-7b:2", "--reason", "meets release bar");
    must(0, "record", "release", l, "--chain", "acme/falcon-7b", "--key", key(keys, "acme-release"),
        "--output", "model=" + weights, "--version", "1.0.0");

    step("4. A partner lab fine-tunes the released weights on its own chain");
    must(0, "record", "fine-tune", l, "--chain", "medlab/falcon-7b-med", "--key", key(keys, "medlab"),
        "--input", "base=" + weights, "--output", "model=" + tuned, "--param", "method=lora", "--param", "rank=16");

    step("5. The log");
    must(0, "log", l);

    step("6. An auditor verifies the whole ledger with the four public keys");
    must(0, "verify", l, "--trust", keys.toString());

    step("7. Someone edits the training record in a copy (one byte of its signed payload)");
    Path tampered = work.resolve("ledger-tampered");
    copyTree(ledger, tampered);
    Path segment;
    try (Stream<Path> s = Files.list(tampered.resolve("segments"))) {
      segment = s.sorted().findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(segment);
    int line2 = indexOfLine(bytes, 1);
    int target = line2 + 300;
    bytes[target] = (byte) (bytes[target] == 'A' ? 'B' : 'A');
    Files.write(segment, bytes);
    out.println("changed byte " + target + " of " + work.relativize(segment));
    must(1, "verify", "--ledger=" + tampered, "--trust", keys.toString());

    step("8. Someone re-signs a forged release with a key nobody trusts");
    Path forged = work.resolve("ledger-forged");
    copyTree(ledger, forged);
    must(0, "keys", "generate", "--out", work.resolve("mallory").toString(), "--name", "mallory");
    must(0, "record", "release", "--ledger=" + forged, "--chain", "acme/falcon-7b", "--key",
        work.resolve("mallory").resolve("mallory.key").toString(), "--output", "model=" + tuned, "--version", "1.0.1");
    must(1, "verify", "--ledger=" + forged, "--trust", keys.toString());

    out.println();
    out.println("demo finished: the genuine ledger verified; both tampered copies were caught (exit code 1).");
    out.println("files are in " + work);
    return Main.VERIFIED;
  }

  private void step(String title) {
    out.println();
    out.println("== " + title);
  }

  /** Runs a custody command in-process, echoes it and its output, and insists on its exit code. */
  private void must(int expected, String... args) {
    out.println("$ custody " + String.join(" ", args));
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(args, new PrintWriter(o), new PrintWriter(e));
    out.print(indent(o.toString()));
    out.print(indent(e.toString()));
    out.println("  (exit " + code + ")");
    out.flush();
    if (code != expected) {
      throw new IllegalStateException("demo step 'custody " + String.join(" ", args) + "' exited " + code
          + ", expected " + expected);
    }
  }

  private static String indent(String s) {
    if (s.isEmpty()) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (String line : s.split("\n", -1)) {
      if (!line.isEmpty()) {
        b.append("  ").append(line).append('\n');
      }
    }
    return b.toString();
  }

  private static String key(Path keys, String name) {
    return keys.resolve(name + ".key").toString();
  }

  private static Path write(Path p, byte[] content) throws IOException {
    return Files.write(p, content);
  }

  private static byte[] dataset() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      b.append("{\"id\":").append(i).append(",\"text\":\"example training document ").append(i).append("\"}\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static int indexOfLine(byte[] bytes, int line) {
    int seen = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (seen == line) {
        return i;
      }
      if (bytes[i] == '\n') {
        seen++;
      }
    }
    throw new IllegalStateException("ledger has fewer than " + (line + 1) + " lines");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(from)) {
      s.forEach(all::add);
    }
    for (Path p : all) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else if (!p.getFileName().toString().equals("lock")) {
        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
