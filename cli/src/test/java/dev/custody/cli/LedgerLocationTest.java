package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where commands find the ledger without {@code --ledger}: {@code $CUSTODY_LEDGER}, else
 * {@code ./.custody}. Neither the environment nor the working directory can be set in-process, so
 * these tests run the CLI in a child JVM on the test classpath (one JVM per command: keep them few).
 */
class LedgerLocationTest {
  @TempDir Path work;

  private record Proc(int code, String out) {}

  private static Proc custody(Path cwd, String ledgerEnv, Object... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().remove(LedgerOption.ENV);
    if (ledgerEnv != null) {
      pb.environment().put(LedgerOption.ENV, ledgerEnv);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Proc(p.exitValue(), out);
  }

  @Test
  void init_noLedgerOptionNoEnv_createsDotCustodyInWorkingDirectory() throws Exception {
    Proc r = custody(work, null, "init");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(work.resolve(".custody/ledger.json")).isRegularFile();
  }

  @Test
  void init_envSet_createsLedgerThereAndLedgerOptionWins() throws Exception {
    Path env = work.resolve("from-env");
    Proc r = custody(work, env.toString(), "init");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(env.resolve("ledger.json")).isRegularFile();
    assertThat(work.resolve(".custody")).doesNotExist();
    // --ledger overrides the environment (checked in-process: the option path is the same code).
    Path opt = work.resolve("from-option");
    Cli.ok("init", "--ledger", opt);
    assertThat(opt.resolve("ledger.json")).isRegularFile();
  }

  @Test
  void log_envNamesMissingLedger_exitsTwoNamingIt() throws Exception {
    Files.createDirectories(work.resolve(".custody"));
    Proc r = custody(work, work.resolve("nowhere").toString(), "log");
    assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.out()).contains("nowhere");
  }
}
