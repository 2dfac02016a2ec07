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

    step("2. A ledger (also an RFC 9162 transparency log with its own checkpoint key); the auditor gets its"
        + " verifier key out of band");
    // The log's private key stays with the demo's other keys, outside the ledger (not in the user's own keys).
    must(0, "init", "--ledger", ledger.toString(), "--origin", "acme.example/ml-ledger", "--log-private-key",
        keys.resolve("acme-ledger-log.key").toString());
    Files.copy(ledger.resolve("log").resolve("vkey"), keys.resolve("acme-ledger.vkey"));

    Path data = write(files.resolve("train-shard-000.jsonl"), dataset());
    Path config = write(files.resolve("train-config.json"),
        "{\"lr\":0.0003,\"epochs\":3,\"batch_size\":512,\"seed\":1234}\n".getBytes(StandardCharsets.UTF_8));
    Path weights = model(files.resolve("falcon-7b"), 7);
    Path evalReport = write(files.resolve("eval-report.json"),
        "{\"mmlu\":0.612,\"toxicity\":0.021}\n".getBytes(StandardCharsets.UTF_8));
    Path tuned = model(files.resolve("falcon-7b-med"), 8);
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

    step("6. An auditor verifies the whole ledger with the four public keys and the ledger's log key");
    must(0, "verify", l, "--trust", keys.toString());

    step("7. Someone edits the training record in a copy (one byte of its signed payload)");
    Path tampered = work.resolve("ledger-tampered");
    copyTree(ledger, tampered);
    Path segment = firstSegment(tampered);
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

    step("9. The auditor keeps a checkpoint (a signed tree head) of the genuine ledger");
    Path saved = work.resolve("auditor-checkpoint");
    Files.writeString(saved, capture("checkpoint", l));
    out.println("saved to " + work.relativize(saved));

    step("10. Someone swaps a file of the released model on disk");
    Path swapped = work.resolve("falcon-7b-swapped");
    copyTree(weights, swapped);
    Files.write(swapped.resolve("model.safetensors"), safetensors(9));
    must(0, "verify", l, "--trust", keys.toString(), "--chain", "acme/falcon-7b", "--model", weights.toString(), "-q");
    must(1, "verify", l, "--trust", keys.toString(), "--chain", "acme/falcon-7b", "--model", swapped.toString(), "-q");

    step("11. Someone cuts the last entry off a copy of the ledger and removes its checkpoints");
    Path truncated = work.resolve("ledger-truncated");
    copyTree(ledger, truncated);
    Path seg = firstSegment(truncated);
    byte[] all = Files.readAllBytes(seg);
    Files.write(seg, java.util.Arrays.copyOf(all, indexOfLine(all, 5)));
    deleteTree(truncated.resolve("checkpoints"));
    deleteTree(truncated.resolve("index"));
    deleteTree(truncated.resolve("tile"));
    Files.delete(truncated.resolve("checkpoint"));
    out.println("kept 5 of 6 entries; hash links alone cannot tell, but the auditor trusts the log's key, so a ledger"
        + " without a checkpoint signed by it fails, and the auditor's own checkpoint names the cut:");
    must(1, "verify", "--ledger=" + truncated, "--trust", keys.toString());
    must(1, "verify", "--ledger=" + truncated, "--trust", keys.toString(), "--checkpoint", saved.toString());

    out.println();
    out.println("demo finished: the genuine ledger and model verified; every tampered copy was caught (exit code 1).");
    out.println("files are in " + work);
    return Main.VERIFIED;
  }

  /** Runs a custody command in-process, insists on exit 0, and returns what it printed. */
  private String capture(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(args, new PrintWriter(o), new PrintWriter(e));
    if (code != 0) {
      throw new IllegalStateException("demo step 'custody " + String.join(" ", args) + "' exited " + code + ": " + e);
    }
    return o.toString();
  }

  private static Path firstSegment(Path ledger) throws IOException {
    try (Stream<Path> s = Files.list(ledger.resolve("segments"))) {
      return s.sorted().findFirst().orElseThrow();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(p)) {
      s.forEach(all::add);
    }
    java.util.Collections.reverse(all);
    for (Path x : all) {
      Files.delete(x);
    }
  }

  /** A small model directory: a config and a real safetensors file. */
  private static Path model(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"FalconForCausalLM\"],\"hidden_size\":64}\n");
    Files.write(dir.resolve("model.safetensors"), safetensors(seed));
    return dir;
  }

  /** A safetensors file with two F32 tensors of pseudo-random values. */
  private static byte[] safetensors(long seed) {
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"lm_head.weight\":{\"dtype\":\"F32\",\"shape\":[64,64],\"data_offsets\":[0,16384]},"
        + "\"model.embed.weight\":{\"dtype\":\"F32\",\"shape\":[128,64],\"data_offsets\":[16384,49152]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 49152).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Random r = new Random(seed);
    while (b.hasRemaining()) {
      b.putFloat((float) r.nextGaussian() * 0.02f);
    }
    return b.array();
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
