package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture for end-to-end scenarios through the real CLI: one directory holding the keys of
 * several organisations' signers (key-bound, or certified by a CA made with {@link TestPki}), their
 * ledgers ({@code custody init}), real model directories (safetensors files) and data files, and the
 * auditor's trust policy. Every step is a real {@code custody} command run in-process ({@link Cli}).
 */
final class World {
  final Path dir;
  final Path keys;

  World(Path dir) {
    this.dir = dir;
    this.keys = dir.resolve("keys");
  }

  /**
   * A signer: its identity name in the policy ({@code acme/trainer}), its private key file, its public
   * key file (relative to {@link #dir}, as a policy names it), its key id, and for a certified signer
   * its chain file and its certificate (with the key pair).
   */
  record Signer(String name, Path key, String pub, String keyId, Path chain, Issued issued) {
    /** {@code --key FILE}, and {@code --certificate CHAIN} for a certified signer. */
    List<Object> signArgs() {
      List<Object> a = new ArrayList<>(List.of("--key", key));
      if (chain != null) {
        a.addAll(List.of("--certificate", chain));
      }
      return a;
    }
  }

  private static final Pattern KEY_ID = Pattern.compile("key id:\\s+([0-9a-f]{64})");

  /** A signer with a fresh key pair made by {@code custody keys generate}, bound to {@code name} by key. */
  Signer key(String name) {
    String file = fileName(name);
    Cli.Result r = Cli.ok("keys", "generate", "--out", keys, "--name", file);
    Matcher m = KEY_ID.matcher(r.out());
    if (!m.find()) {
      throw new AssertionError("no key id in: " + r.out());
    }
    return new Signer(name, keys.resolve(file + ".key"), "keys/" + file + ".pub", m.group(1), null, null);
  }

  /**
   * A signer whose key {@code leaf} holds, with the chain {@code leaf, issuers...} written beside it
   * (for {@code --certificate}).
   */
  Signer certified(String name, Issued leaf, Issued... issuers) {
    String file = fileName(name);
    try {
      Files.createDirectories(keys);
      Path key = Files.writeString(keys.resolve(file + ".key"), leaf.privateKeyPem());
      Files.writeString(keys.resolve(file + ".pub"), leaf.publicKeyPem());
      Issued[] all = new Issued[issuers.length + 1];
      all[0] = leaf;
      System.arraycopy(issuers, 0, all, 1, issuers.length);
      Path chain = Files.write(keys.resolve(file + "-chain.pem"), TestPki.chain(all));
      return new Signer(name, key, "keys/" + file + ".pub", leaf.keyId(), chain, leaf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String fileName(String identity) {
    return identity.replace('/', '-');
  }

  /** Certificates written as one PEM file under {@code pki/} (e.g. an organisation's root); relative path. */
  String pem(String file, Issued... certs) {
    try {
      Files.createDirectories(dir.resolve("pki"));
      Files.write(dir.resolve("pki").resolve(file), TestPki.chain(certs));
      return "pki/" + file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new ledger {@code DIR/NAME} that checkpoints after every batch, so every entry is covered. */
  Path ledger(String name) {
    Path l = dir.resolve(name);
    Cli.ok("init", "--ledger", l, "--origin", "example.org/" + name, "--checkpoint-interval", "0");
    return l;
  }

  /**
   * {@code custody record KIND --ledger L --chain CHAIN --key ... [--certificate ...] ARGS... --json}; fails
   * the test unless it exits 0. Returns the reference ({@code chain}, {@code sequence}, {@code logIndex},
   * {@code hash}).
   */
  JsonNode record(Path ledger, Signer s, String kind, String chain, Object... args) {
    List<Object> a = new ArrayList<>(List.of("record", kind, "--ledger", ledger, "--chain", chain));
    a.addAll(s.signArgs());
    a.addAll(List.of(args));
    a.add("--json");
    return Cli.ok(a.toArray()).json();
  }

  /** A text file {@code DIR/NAME} (e.g. a dataset shard). */
  Path file(String name, String content) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      return Files.writeString(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A model directory {@code DIR/NAME}: {@code model.safetensors} (F32 tensors {@code embed} [4,8] and
   * {@code head} [8,2], values drawn from {@code seed}, each moved by {@code delta} — a fine-tune of
   * the model of the same seed with delta 0) and {@code config.json}.
   */
  Path model(String name, long seed, float delta) {
    Random r = new Random(seed);
    float[] embed = new float[32];
    float[] head = new float[16];
    for (int i = 0; i < embed.length; i++) {
      embed[i] = (float) r.nextGaussian() + delta;
    }
    for (int i = 0; i < head.length; i++) {
      head[i] = (float) r.nextGaussian() + delta;
    }
    return write(name, new SafetensorsWriter().metadata("format", "pt")
        .f32("embed", new long[] {4, 8}, embed).f32("head", new long[] {8, 2}, head));
  }

  /** The model of {@code seed} stored as F16 (a conversion: quantisation). */
  Path halfModel(String name, long seed, float delta) {
    Random r = new Random(seed);
    float[] embed = new float[32];
    float[] head = new float[16];
    for (int i = 0; i < embed.length; i++) {
      embed[i] = (float) r.nextGaussian() + delta;
    }
    for (int i = 0; i < head.length; i++) {
      head[i] = (float) r.nextGaussian() + delta;
    }
    return write(name, new SafetensorsWriter().metadata("format", "pt")
        .f16("embed", new long[] {4, 8}, embed).f16("head", new long[] {8, 2}, head));
  }

  private Path write(String name, SafetensorsWriter w) {
    try {
      Path d = Files.createDirectories(dir.resolve(name));
      w.write(d.resolve("model.safetensors"));
      Files.writeString(d.resolve("config.json"), "{\"model_type\":\"toy\",\"hidden_size\":8}\n");
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model manifest root digest of a directory, as {@code custody hash} prints it. */
  static String digest(Path modelDir) {
    return Cli.ok("hash", modelDir, "--quiet").out().strip();
  }

  /** The trust policy file {@code DIR/NAME} with {@code yaml}. */
  Path policy(String name, String yaml) {
    try {
      return Files.writeString(dir.resolve(name), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code custody verify --policy P --ledger L... --log-key L/log/vkey... --format json EXTRA...}, with each
   * ledger's own log key trusted (the auditor got it from the publisher).
   */
  Cli.Result verify(Path policy, List<Path> ledgers, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--policy", policy));
    a.addAll(ledgerArgs(ledgers));
    a.addAll(List.of("--format", "json"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  /** {@code custody verify --policy P --ledger L... --log-key ... --format FORMAT EXTRA...}. */
  Cli.Result verifyAs(String format, Path policy, List<Path> ledgers, Object... extra) {
    List<Object> a = new ArrayList<>(List.of("verify", "--policy", policy));
    a.addAll(ledgerArgs(ledgers));
    a.addAll(List.of("--format", format));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray());
  }

  /** {@code --ledger L --log-key L/log/vkey} for each ledger. */
  static List<Object> ledgerArgs(List<Path> ledgers) {
    List<Object> a = new ArrayList<>();
    for (Path l : ledgers) {
      a.addAll(List.of("--ledger", l, "--log-key", l.resolve("log").resolve("vkey")));
    }
    return a;
  }

  /** The findings of a JSON report with code {@code code}. */
  static List<JsonNode> findings(Cli.Result r, String code) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      if (f.get("code").textValue().equals(code)) {
        out.add(f);
      }
    }
    return out;
  }

  /** The codes of a JSON report's findings of severity {@code severity}, in report order. */
  static List<String> codes(Cli.Result r, String severity) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : r.json().get("findings")) {
      if (f.get("severity").textValue().equals(severity)) {
        out.add(f.get("code").textValue());
      }
    }
    return out;
  }

  /** {@code chain:sequence} of a finding's entry, or {@code ""}. */
  static String at(JsonNode finding) {
    JsonNode e = finding.get("entry");
    return e == null || e.get("chain") == null ? "" : e.get("chain").textValue() + ":" + e.get("sequence").asLong();
  }
}
