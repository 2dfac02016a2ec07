package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.internal.timestamp.TestTsa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 7 item 14: files others must read. Private keys are readable by OpenSSL 3 (PKCS#8 v1 for
 * Ed25519) and are the only files created 0600; everything else a command writes — ledger marker,
 * log identity, segments, index, tiles, checkpoints, timestamps, manifests, witness state, public
 * keys — gets the default mode (0644 under umask 022) and directories 0755, so another user can
 * verify.
 */
class KeyAndFileModesTest {
  @TempDir Path tmp;

  private record Proc(int code, String out, String err) {}

  private static Proc exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
    return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private static Proc openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    try {
      return exec(cmd);
    } catch (IOException notInstalled) {
      throw new AssertionError("this test needs the openssl command (apt-get install openssl)", notInstalled);
    }
  }

  /** {@code custody} commands (separated by {@link ScriptMain#SEPARATOR}) in one child JVM under umask 022. */
  private static Proc script(String... commands) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 022 && exec \"$0\" \"$@\"",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), ScriptMain.class.getName()));
    cmd.addAll(List.of(commands));
    return exec(cmd);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "es256"})
  void keysGenerate_opensslReadsThePrivateKeyAndDerivesTheSamePublicKey(String alg) throws Exception {
    Cli.ok("keys", "generate", "--out", tmp, "--name", "k", "--alg", alg);
    Path key = tmp.resolve("k.key");

    Proc check = openssl("pkey", "-in", key.toString(), "-noout");
    assertThat(check.code()).as("openssl pkey -noout: %s", check.err()).isZero();
    Proc pub = openssl("pkey", "-in", key.toString(), "-pubout");
    assertThat(pub.code()).as(pub.err()).isZero();
    assertThat(pub.out()).isEqualTo(Files.readString(tmp.resolve("k.pub")));
  }

  @Test
  void keysGenerate_keyWrittenByOpenssl_isReadByCustody() throws Exception {
    Path key = tmp.resolve("openssl.key");
    Proc gen = openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString());
    assertThat(gen.code()).as(gen.err()).isZero();
    Path ledger = tmp.resolve("ledger");
    Cli.ok("init", "--ledger", ledger);
    Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--text", "hi");
    Proc pub = openssl("pkey", "-in", key.toString(), "-pubout", "-out", tmp.resolve("openssl.pub").toString());
    assertThat(pub.code()).as(pub.err()).isZero();
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", tmp.resolve("openssl.pub")).code()).isZero();
  }

  /**
   * Every write path, in a child JVM under umask 022: keys, init (log key), records with a model
   * manifest, a 300-entry batch (tiles), a checkpoint with a timestamp, witness init and cosign.
   */
  @Test
  void everyWritePath_umask022_privateKeys0600EverythingElse0644AndDirectories0755() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "w");
    Path batch = tmp.resolve("batch.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      lines.append("{\"chain\":\"acme/b\",\"kind\":\"annotation\",\"text\":\"").append(i).append("\"}\n");
    }
    Files.writeString(batch, lines);
    Path out = tmp.resolve("out");
    Path keys = out.resolve("keys");
    Path ledger = out.resolve("ledger");
    Path witness = out.resolve("witness");
    String s = ScriptMain.SEPARATOR;
    try (TestTsa tsa = TestTsa.start()) {
      Proc r = script(
          "keys", "generate", "--out", keys.toString(), "--name", "k", s,
          "keys", "generate", "--out", keys.toString(), "--name", "e", "--alg", "es256", s,
          "init", "--ledger", ledger.toString(), "--checkpoint-interval", "0", s,
          "record", "release", "--ledger", ledger.toString(), "--chain", "acme/a", "--key",
          keys.resolve("k.key").toString(), "--version", "1", "--output", "model=" + model, s,
          "record", "--batch", batch.toString(), "--ledger", ledger.toString(), "--key", keys.resolve("e.key").toString(), s,
          "checkpoint", "--ledger", ledger.toString(), "--tsa", tsa.uri().toString(), s,
          "witness", "init", "--state", witness.toString(), "--name", "w.example");
      assertThat(r.code()).as("%s", r).isZero();
    }
    // The witness takes the log key as a string, known only once init ran.
    Proc c = script("witness", "cosign", "--log-key", Files.readString(ledger.resolve("log/vkey")).strip(),
        "--witness-key", witness.resolve("witness.key").toString(), "--state", witness.toString(),
        ledger.resolve("checkpoint").toString());
    assertThat(c.code()).as("%s", c).isZero();

    Set<Path> privateKeys = Set.of(keys.resolve("k.key"), keys.resolve("e.key"), ledger.resolve("log/key"),
        witness.resolve("witness.key"));
    Map<String, String> wrong = new TreeMap<>();
    List<String> seen = new ArrayList<>();
    try (Stream<Path> all = Files.walk(out)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        String expected = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwxr-xr-x"
            : privateKeys.contains(p) ? "rw-------" : "rw-r--r--";
        seen.add(out.relativize(p).toString());
        if (!mode.equals(expected)) {
          wrong.put(out.relativize(p).toString(), mode + " (expected " + expected + ")");
        }
      }
    }
    assertThat(wrong).as("files with the wrong mode").isEmpty();
    // The walk saw every kind of file the commands write.
    assertThat(seen).contains("keys/k.key", "keys/k.pub", "ledger/ledger.json", "ledger/log/key", "ledger/log/vkey",
        "ledger/log/config.json", "ledger/checkpoint", "ledger/checkpoint.tsr", "ledger/lock", "witness/witness.key",
        "witness/witness.vkey");
    assertThat(seen).anyMatch(p -> p.startsWith("ledger/segments/") && p.endsWith(".jsonl"));
    assertThat(seen).anyMatch(p -> p.startsWith("ledger/index/"));
    assertThat(seen).anyMatch(p -> p.startsWith("ledger/tile/0/"));
    assertThat(seen).anyMatch(p -> p.startsWith("ledger/checkpoints/") && p.endsWith(".tsr"));
    assertThat(seen).anyMatch(p -> p.startsWith("ledger/manifests/sha256-"));
    assertThat(seen).anyMatch(p -> p.startsWith("witness/logs/"));
  }

  @Test
  void keysGenerate_symlinkPlantedAtTheKeyPath_refusedAndNothingWrittenThroughIt() throws Exception {
    Path elsewhere = tmp.resolve("attacker-readable");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    Files.createSymbolicLink(keys.resolve("k.key"), elsewhere); // dangling: would create the target
    Cli.Result r = Cli.run("keys", "generate", "--out", keys, "--name", "k");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("k.key").contains("already exists");
    assertThat(elsewhere).doesNotExist();
    assertThat(keys.resolve("k.pub")).doesNotExist();
  }

  @Test
  void keysGenerate_symlinkPlantedAtThePublicKeyPath_refusedAndNoPrivateKeyLeft() throws Exception {
    Path elsewhere = tmp.resolve("elsewhere.pub");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    Files.createSymbolicLink(keys.resolve("k.pub"), elsewhere);
    Cli.Result r = Cli.run("keys", "generate", "--out", keys, "--name", "k");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(elsewhere).doesNotExist();
    assertThat(keys.resolve("k.key")).doesNotExist();
  }
}
