package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.Ledger;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, "the ledger holds no secret": {@code custody init} writes the log's private key outside the
 * ledger, a copy of the ledger copies no private key, a ledger still holding one (the old layout) keeps
 * working and every command warns about it, and the key file outside is refused when it is a link or
 * others may read it.
 */
class LogKeyOutsideLedgerTest {
  @TempDir Path tmp;
  private Path ledger;
  private Path keys;

  @BeforeEach
  void setUp() {
    ledger = tmp.resolve("ledger");
    keys = tmp.resolve("keys");
    Cli.ok("keys", "generate", "--out", keys, "--name", "alice");
  }

  /** Every file under {@code dir} whose bytes hold a private key of any kind custody writes. */
  static List<Path> filesWithPrivateKeys(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> {
        try {
          String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
          return text.contains("PRIVATE+KEY+") || text.contains("PRIVATE KEY-----");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entries in the ledger (no segment file yet: none). */
  private long entries() throws IOException {
    Path seg = ledger.resolve(Cli.SEGMENT_0);
    return Files.exists(seg) ? Cli.records(ledger).size() : 0;
  }

  private Cli.Result record(String text, Object... extra) {
    Object[] base = {"record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key",
        keys.resolve("alice.key"), "--text", text};
    Object[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return Cli.run(all);
  }

  @Test
  void init_default_writesTheKeyOutsideTheLedgerAndSaysWhere() throws Exception {
    Cli.Result init = Cli.ok("init", "--ledger", ledger, "--origin", "example.com/models", "--json");
    JsonNode json = init.json();
    Path key = Path.of(json.get("logPrivateKey").asText());
    assertThat(key).isAbsolute().exists();
    assertThat(key.startsWith(ledger.toAbsolutePath())).isFalse();
    assertThat(key.getFileName().toString()).startsWith("example.com_models-").endsWith(".key");
    assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(ledger.resolve(LedgerLayout.LOG_KEY_HINT)).strip()).isEqualTo(key.toString());
    assertThat(filesWithPrivateKeys(ledger)).isEmpty();
    assertThat(Files.exists(ledger.resolve(LedgerLayout.LOG_KEY))).isFalse();

    Cli.Result text = Cli.ok("init", "--ledger", tmp.resolve("second"));
    assertThat(text.out()).contains("private key  ").contains("outside the ledger");
  }

  @Test
  void init_logPrivateKeyOption_writesThereAndAppendsSignCheckpoints() throws Exception {
    Path key = tmp.resolve("my-keys/log.key");
    Cli.ok("init", "--ledger", ledger, "--log-private-key", key);
    assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(key.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(record("one").code()).isEqualTo(Main.VERIFIED);
    Cli.Result checkpoint = Cli.ok("checkpoint", "--ledger", ledger, "--json");
    assertThat(checkpoint.out()).contains("\"size\":1");
    assertThat(filesWithPrivateKeys(ledger)).isEmpty();
  }

  @Test
  void copyOfLedger_holdsNoPrivateKey() throws Exception {
    Cli.ok("init", "--ledger", ledger);
    assertThat(record("entry").code()).isEqualTo(Main.VERIFIED);
    Path copy = Cli.copyTree(ledger, tmp.resolve("copy"));
    assertThat(filesWithPrivateKeys(copy)).isEmpty();
    // The copy verifies where the key does not exist (it needs none).
    Cli.Result v = Cli.run("verify", "--ledger", copy, "--trust", keys.resolve("alice.pub"));
    assertThat(v.code()).as("%s", v).isEqualTo(Main.VERIFIED);
  }

  @Test
  void init_logPrivateKeyInsideTheLedger_refused() {
    Cli.Result r = Cli.run("init", "--ledger", ledger, "--log-private-key", ledger.resolve("log/my.key"));
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("inside the ledger").contains("must hold no secret");
    assertThat(Files.exists(ledger.resolve(LedgerLayout.MARKER))).isFalse();
  }

  @Test
  void oldLayout_keyInside_stillAppendsAndEveryCommandWarns() throws Exception {
    Ledger.create(ledger, new LogConfig("example.com/old", Optional.of(0L)), new SecureRandom());
    assertThat(ledger.resolve(LedgerLayout.LOG_KEY)).exists();
    Cli.Result r = record("still works");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.err()).contains("holds the log's private key").contains("custody keys move-log-key");
    for (Object[] command : List.<Object[]>of(new Object[] {"log", "--ledger", ledger},
        new Object[] {"chains", "--ledger", ledger},
        new Object[] {"verify", "--ledger", ledger, "--trust", keys.resolve("alice.pub")})) {
      Cli.Result c = Cli.run(command);
      assertThat(c.code()).as("%s", c).isEqualTo(Main.VERIFIED);
      assertThat(c.err()).as("%s", List.of(command)).contains("warning: ledger").contains("private key");
    }
    Cli.Result json = Cli.run("verify", "--ledger", ledger, "--trust", keys.resolve("alice.pub"), "--json");
    JsonNode notice = Cli.MAPPER.readTree(json.err().lines().findFirst().orElseThrow());
    assertThat(notice.at("/notice/code").asText()).isEqualTo("PRIVATE_KEY_IN_LEDGER");
  }

  @Test
  void moveLogKey_movesItOut_thenAppendsStillSignCheckpointsAndNoWarning() throws Exception {
    Ledger.create(ledger, new LogConfig("example.com/old", Optional.of(0L)), new SecureRandom());
    Path to = tmp.resolve("moved/log.key");
    Cli.Result moved = Cli.ok("keys", "move-log-key", "--ledger", ledger, "--to", to, "--json");
    assertThat(moved.err()).isEmpty();
    assertThat(moved.json().get("logPrivateKey").asText()).isEqualTo(to.toAbsolutePath().normalize().toString());
    assertThat(filesWithPrivateKeys(ledger)).isEmpty();
    assertThat(Files.getPosixFilePermissions(to)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Cli.Result r = record("after the move");
    assertThat(r.code()).as("%s", r).isEqualTo(Main.VERIFIED);
    assertThat(r.err()).doesNotContain("private key");
    Cli.Result again = Cli.run("keys", "move-log-key", "--ledger", ledger);
    assertThat(again.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(again.err()).contains("holds no private key");
  }

  @Test
  void keyMissing_appendRefusedClearly_readingStillWorks() throws Exception {
    Path key = tmp.resolve("k/log.key");
    Cli.ok("init", "--ledger", ledger, "--log-private-key", key);
    Files.move(key, tmp.resolve("elsewhere.key"));
    Cli.Result r = record("no key");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("keeps its log private key outside the ledger").contains(key.toString())
        .contains("--log-private-key");
    assertThat(entries()).isZero();
    assertThat(Cli.run("verify", "--ledger", ledger, "--trust", keys.resolve("alice.pub")).code())
        .isEqualTo(Main.VERIFIED);
    // Given where it is now, the append goes through.
    assertThat(record("key given", "--log-private-key", tmp.resolve("elsewhere.key")).code()).isEqualTo(Main.VERIFIED);
  }

  @Test
  void keyReadableByOthers_refused() throws Exception {
    Path key = tmp.resolve("k/log.key");
    Cli.ok("init", "--ledger", ledger, "--log-private-key", key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result r = record("0644 key");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("may be read or written by others").contains("chmod 600");
    assertThat(entries()).isZero();
  }

  @Test
  void keyBehindASymlink_refused() throws Exception {
    Path key = tmp.resolve("k/log.key");
    Cli.ok("init", "--ledger", ledger, "--log-private-key", key);
    Path real = tmp.resolve("real.key");
    Files.move(key, real);
    Files.createSymbolicLink(key, real);
    Cli.Result r = record("linked key");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("log private key").contains("link");
    assertThat(entries()).isZero();
  }

  @Test
  void hintNamingAnotherKey_refusedAsNotThisLogsKey() throws Exception {
    Cli.ok("init", "--ledger", ledger, "--log-private-key", tmp.resolve("a/log.key"));
    Cli.ok("init", "--ledger", tmp.resolve("other"), "--log-private-key", tmp.resolve("b/log.key"));
    // An insider points the hint at another log's key: it is not this ledger's key, and nothing is signed with it.
    Files.writeString(ledger.resolve(LedgerLayout.LOG_KEY_HINT), tmp.resolve("b/log.key") + "\n");
    Cli.Result r = record("wrong key");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("is not the private key of");
    assertThat(r.err()).doesNotContain("PRIVATE+KEY");
    assertThat(entries()).isZero();
  }
}
