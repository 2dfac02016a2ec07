package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 item 12: every file a user names (keys, event JSON, checkpoints, proofs, certificates,
 * trust files) is read with a bound, after checking that it is a regular file: {@code /dev/zero}
 * does not exhaust the heap, a FIFO does not hang, a directory, a missing or an unreadable file is
 * named in the error; exit 2 and nothing recorded. Cases that would exhaust or hang the test JVM if
 * they regressed run in a child JVM with a small heap and a timeout.
 */
class BadInputFilesTest {
  private static final Path DEV_ZERO = Path.of("/dev/zero");
  private static final List<String> SMALL_HEAP = List.of("-Xmx64m");

  @TempDir static Path root;
  static Path key;
  static Path ledger;
  static Path checkpoint;

  @TempDir Path work;

  @BeforeAll
  static void setUp() {
    Cli.ok("keys", "generate", "--out", root.resolve("keys"), "--name", "k");
    key = root.resolve("keys/k.key");
    ledger = root.resolve("ledger");
    Cli.ok("init", "--ledger", ledger, "--origin", "example.org/log");
    Cli.ok("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", key, "--text", "one");
    Cli.ok("checkpoint", "--ledger", ledger);
    checkpoint = ledger.resolve("checkpoints/1");
  }

  private Path fifo(String name) throws Exception {
    Path f = work.resolve(name);
    assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
    return f;
  }

  /** Runs in-process, failing (not hanging) if the command blocks. */
  private static Cli.Result runBounded(Object... args) {
    return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run(args));
  }

  private static void assertBadInputNaming(Cli.Result r, Object file) {
    assertThat(r.code()).as("%s", r).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).as("%s", r).contains(file.toString()).startsWith("custody: error: ")
        .doesNotContain("internal error").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
  }

  private static void assertUnchanged(Map<String, String> before) {
    assertThat(Cli.snapshot(ledger)).isEqualTo(before);
  }

  /** A fresh witness state directory. */
  private Path witness() {
    Path state = work.resolve("w");
    Cli.ok("witness", "init", "--state", state, "--name", "w.example");
    return state;
  }

  private static String logKey() throws java.io.IOException {
    return Files.readString(ledger.resolve("log/vkey")).strip();
  }

  // ---------------------------------------------------------------- record --key / --event-json

  @Test
  void record_keyIsDevZero_exitsTwoNamingFileInSmallHeap() {
    Map<String, String> before = Cli.snapshot(ledger);
    Cli.Result r = Cli.child(List.of(), SMALL_HEAP, 60, "record", "annotation", "--ledger", ledger, "--chain",
        "acme/a", "--key", DEV_ZERO, "--text", "x");
    assertBadInputNaming(r, DEV_ZERO);
    assertThat(r.err()).contains("not a regular file");
    assertUnchanged(before);
  }

  @Test
  void record_eventJsonIsDevZero_exitsTwoNamingFileInSmallHeap() {
    Map<String, String> before = Cli.snapshot(ledger);
    Cli.Result r = Cli.child(List.of(), SMALL_HEAP, 60, "record", "annotation", "--ledger", ledger, "--chain",
        "acme/a", "--key", key, "--event-json", DEV_ZERO);
    assertBadInputNaming(r, DEV_ZERO);
    assertUnchanged(before);
  }

  @Test
  void record_keyIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path f = fifo("key-fifo");
    Map<String, String> before = Cli.snapshot(ledger);
    Cli.Result r = runBounded("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", f, "--text", "x");
    assertBadInputNaming(r, f);
    assertThat(r.err()).contains("FIFO");
    assertUnchanged(before);
  }

  @Test
  void record_eventJsonIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path f = fifo("event-fifo");
    Cli.Result r = runBounded("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", key,
        "--event-json", f);
    assertBadInputNaming(r, f);
  }

  @Test
  void record_keyIsDirectory_exitsTwoNamingIt() {
    Path dir = root.resolve("keys");
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", dir, "--text", "x");
    assertBadInputNaming(r, dir);
    assertThat(r.err()).contains("is a directory").contains("private key");
  }

  @Test
  void record_keyMissing_exitsTwoNamingFileAndWhatItShouldBe() {
    Path missing = work.resolve("nope.key");
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", missing,
        "--text", "x");
    assertBadInputNaming(r, missing);
    assertThat(r.err()).contains("no such file").contains("private key");
  }

  @Test
  void record_keyUnreadable_exitsTwoNamingFile() throws Exception {
    Path k = Files.copy(key, work.resolve("locked.key"));
    Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("---------"));
    // Root reads any file: take away the capabilities that let it, as a normal user would lack them.
    List<String> prefix = Files.isReadable(k)
        ? List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search")
        : List.of();
    Cli.Result r = Cli.child(prefix, SMALL_HEAP, 60, "record", "annotation", "--ledger", ledger, "--chain",
        "acme/a", "--key", k, "--text", "x");
    assertBadInputNaming(r, k);
    assertThat(r.err()).contains("permission denied").contains("private key");
  }

  @Test
  void record_keyOversize_exitsTwoNamingFileAndLimit() throws Exception {
    Path big = Files.write(work.resolve("big.key"), new byte[2 << 20]);
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", big, "--text", "x");
    assertBadInputNaming(r, big);
    assertThat(r.err()).contains("larger than");
  }

  @Test
  void record_eventJsonOversize_exitsTwoNamingFileAndLimit() throws Exception {
    Path big = Files.writeString(work.resolve("big.json"), "{\"parameters\":{\"a\":\"" + "x".repeat(2 << 20) + "\"}}");
    Cli.Result r = Cli.run("record", "annotation", "--ledger", ledger, "--chain", "acme/a", "--key", key,
        "--event-json", big);
    assertBadInputNaming(r, big);
    assertThat(r.err()).contains("larger than");
  }

  @Test
  void record_eventJsonNumberOutOfRange_exitsTwoNamingFileAndMember() throws Exception {
    Path f = Files.writeString(work.resolve("event.json"), "{\"metrics\":{\"acc\":1e2147483648}}");
    Cli.Result r = Cli.run("record", "evaluation", "--ledger", ledger, "--chain", "acme/a", "--key", key,
        "--event-json", f);
    assertBadInputNaming(r, f);
    assertThat(r.err()).contains("/metrics/acc").contains("out of range");
  }

  // ---------------------------------------------------------------- checkpoints, proofs, certificates

  @Test
  void verify_checkpointIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path f = fifo("cp-fifo");
    Cli.Result r = runBounded("verify", "--ledger", ledger, "--trust", root.resolve("keys"), "--checkpoint", f);
    assertBadInputNaming(r, f);
  }

  @Test
  void verify_tsaRootIsDevZero_exitsTwoNamingFile() {
    Cli.Result r = Cli.child(List.of(), SMALL_HEAP, 60, "verify", "--ledger", ledger, "--trust", root.resolve("keys"),
        "--tsa-root", DEV_ZERO);
    assertBadInputNaming(r, DEV_ZERO);
  }

  @Test
  void verify_tsaRootIsDirectory_exitsTwoNamingIt() {
    Cli.Result r = Cli.run("verify", "--ledger", ledger, "--trust", root.resolve("keys"), "--tsa-root", work);
    assertBadInputNaming(r, work);
    assertThat(r.err()).contains("is a directory");
  }

  @Test
  void verify_trustIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path f = fifo("trust-fifo");
    Cli.Result r = runBounded("verify", "--ledger", ledger, "--trust", f);
    assertBadInputNaming(r, f);
  }

  @Test
  void proveInclusion_checkpointIsDirectory_exitsTwoNamingIt() {
    Cli.Result r = Cli.run("prove", "inclusion", "acme/a:0", "--ledger", ledger, "--checkpoint", work);
    assertBadInputNaming(r, work);
  }

  @Test
  void proveConsistency_fromIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path f = fifo("from-fifo");
    Cli.Result r = runBounded("prove", "consistency", "--ledger", ledger, "--from", f);
    assertBadInputNaming(r, f);
  }

  @Test
  void witnessCosign_checkpointIsDevZero_exitsTwoNamingFileInSmallHeap() throws Exception {
    Path state = witness();
    String logKey = logKey();
    Cli.Result r = Cli.child(List.of(), SMALL_HEAP, 60, "witness", "cosign", "--log-key", logKey, "--witness-key",
        state.resolve("witness.key"), "--state", state, DEV_ZERO);
    assertBadInputNaming(r, DEV_ZERO);
  }

  @Test
  void witnessCosign_witnessKeyIsDevZero_exitsTwoNamingFileInSmallHeap() throws Exception {
    Path state = witness();
    String logKey = logKey();
    Cli.Result r = Cli.child(List.of(), SMALL_HEAP, 60, "witness", "cosign", "--log-key", logKey, "--witness-key",
        DEV_ZERO, "--state", state, checkpoint);
    assertBadInputNaming(r, DEV_ZERO);
  }

  @Test
  void witnessCosign_proofIsFifo_exitsTwoWithoutHanging() throws Exception {
    Path state = witness();
    String logKey = logKey();
    Path f = fifo("proof-fifo");
    List<Object> args = new ArrayList<>(List.of("witness", "cosign", "--log-key", logKey, "--witness-key",
        state.resolve("witness.key"), "--state", state, checkpoint, f));
    Cli.Result r = runBounded(args.toArray());
    assertBadInputNaming(r, f);
  }

  @Test
  void witnessCosign_stateFileReplacedByAFifo_exitsTwoWithoutHanging() throws Exception {
    Path state = witness();
    String logKey = logKey();
    Cli.ok("witness", "cosign", "--log-key", logKey, "--witness-key", state.resolve("witness.key"), "--state", state,
        checkpoint);
    Path stateFile;
    try (var s = Files.list(state.resolve("logs"))) {
      stateFile = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.delete(stateFile);
    assertThat(new ProcessBuilder("mkfifo", stateFile.toString()).start().waitFor()).isZero();
    Cli.Result r = runBounded("witness", "cosign", "--log-key", logKey, "--witness-key", state.resolve("witness.key"),
        "--state", state, checkpoint);
    assertBadInputNaming(r, stateFile);
    assertThat(r.err()).contains("damaged");
  }
}
