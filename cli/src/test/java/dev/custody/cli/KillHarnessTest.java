package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Splitter;
import dev.custody.attest.TestFixtures;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.KillChild;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.note.VerifierKey;
import dev.custody.verify.Finding;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill harness (issue 7): a child JVM ({@link KillChild}) appends from several threads and
 * signs checkpoints; this test kills it with SIGKILL ({@link Process#destroyForcibly()} on Linux) at
 * seeded random moments, {@value #DEFAULT_KILLS} times by default. After each kill:
 *
 * <ol>
 *   <li>the ledger as the kill left it verifies ({@link LedgerVerifier} with the trusted entry key
 *       and log key): no finding of severity ERROR (a torn tail is a warning, a temporary file of an
 *       interrupted checkpoint an INFO);
 *   <li>it opens for writing, which repairs a torn tail — in two kills of three here; otherwise the
 *       next child repairs it when it opens, and may itself be killed while doing so;
 *   <li>every acknowledged entry — the child prints its reference only after {@code append}
 *       returned — is there exactly once, at the log index, chain and sequence acknowledged, and
 *       stays there through later kills.
 * </ol>
 *
 * Every {@value #SERIES} kills a new ledger starts (so verification stays cheap), after the old one
 * is opened and verified a last time (no error, no torn tail). The seed is printed;
 * {@code -Dcustody.kill.seed=N} reproduces a run, {@code -Dcustody.kill.count=N} changes the number
 * of kills. The next {@value #PRESTARTED} child JVMs are started while the current one runs, so their
 * start-up (small class path, C1 only, the JDK's CDS archive, a short warm-up on a ledger of their
 * own) overlaps the work; start-up is most of the cost (about 0.6 CPU-second per child).
 *
 * <p>Measured (2 cores, load average 11 from other builds): 100 kills, 560 acknowledged entries, 92 s;
 * 86 CPU-seconds in the children and 8 in this JVM, so about 50 s on two otherwise idle cores.
 */
class KillHarnessTest {
  static final int DEFAULT_KILLS = 100;
  static final int SERIES = 10;
  /** Children started ahead of their kill, so that their start-up overlaps the work. */
  static final int PRESTARTED = 2;
  /** Appending threads in the child. */
  static final int THREADS = 3;
  /** Small segments, so kills also land while a segment is started. */
  static final long SEGMENT_BYTES = 48 * 1024;
  /**
   * When kills land: one in {@value #OPENING_ONE_IN} between 0 and {@value #MAX_OPENING_DELAY_MILLIS} ms
   * after "go" (while the child opens the ledger and repairs it), the others between 0 and
   * {@value #MAX_DELAY_MILLIS} ms after it opened (while it appends and signs checkpoints) — and every
   * other one of those after its first acknowledged append, so that kills land among appends however
   * slowly a loaded machine starts the child's threads.
   */
  static final int OPENING_ONE_IN = 4;
  static final int MAX_OPENING_DELAY_MILLIS = 150;
  static final int MAX_DELAY_MILLIS = 300;

  @TempDir Path tmp;
  private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kill-harness-reader");
    t.setDaemon(true);
    return t;
  });
  private final List<Child> children = new ArrayList<>();

  @AfterEach
  void stop() {
    children.forEach(c -> c.process.destroyForcibly());
    readers.shutdownNow();
  }

  /** A child JVM and what it printed (complete lines only). */
  private record Child(Process process, CompletableFuture<List<String>> lines, CompletableFuture<Void> ready,
      CompletableFuture<Void> opened, CompletableFuture<Void> firstAck) {}

  private int started;

  private Path ledgerOfKill(int k) {
    return tmp.resolve("ledger-" + k / SERIES);
  }

  private Child start(Path ledger, Path key) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // Start-up is most of a child's cost: C1 only, the JDK's class-data archive, a small class path,
    // the serial collector, no perf data, no verification of the (trusted, locally built) classes.
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:+UnlockDiagnosticVMOptions", "-XX:-BytecodeVerificationRemote",
        "-Xmx256m", "-cp", childClassPath(), KillChild.class.getName(), ledger.toString(),
        key.toString(), Integer.toString(THREADS), Long.toString(SEGMENT_BYTES),
        tmp.resolve("warm-up-" + started++).toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    CompletableFuture<Void> opened = new CompletableFuture<>();
    CompletableFuture<Void> firstAck = new CompletableFuture<>();
    CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(
        () -> readLines(p.getInputStream(), ready, opened, firstAck), readers);
    Child c = new Child(p, lines, ready, opened, firstAck);
    children.add(c);
    return c;
  }

  /** The '\n'-terminated lines of {@code in} until EOF; a torn last line (the kill's) is dropped. */
  private static List<String> readLines(InputStream in, CompletableFuture<Void> ready,
      CompletableFuture<Void> opened, CompletableFuture<Void> firstAck) {
    List<String> out = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    try (in) {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') {
            line.write(buf[i]);
            continue;
          }
          String l = line.toString(StandardCharsets.US_ASCII);
          line.reset();
          if (l.equals("ready")) {
            ready.complete(null);
          } else if (l.equals("open")) {
            opened.complete(null);
          } else if (l.startsWith("ack ")) {
            firstAck.complete(null);
          }
          out.add(l);
        }
      }
    } catch (IOException e) {
      // the child was killed
    }
    ready.complete(null);
    opened.complete(null);
    firstAck.complete(null);
    return out;
  }

  /** What the child needs and no more: custody core and attest (with its tests), and their libraries. */
  private static String childClassPath() {
    List<String> keep = new ArrayList<>();
    for (String e : Splitter.on(File.pathSeparatorChar).split(System.getProperty("java.class.path"))) {
      String n = e.replace('\\', '/');
      if (n.matches(".*/(core|attest)/target/(test-)?classes/?") || n.matches(".*custody-(core|attest)-[^/]*\\.jar")
          || n.matches(".*/(bcprov|bcpkix|bcutil)[^/]*\\.jar") || n.contains("/nimbus-jose-jwt")
          || n.contains("/com/fasterxml/jackson/") || n.contains("/jcip-annotations")) {
        keep.add(e);
      }
    }
    return String.join(File.pathSeparator, keep);
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void appendAndCheckpoint_killedAtRandomMoments_everyAcknowledgedEntryOnceAndTheLedgerVerifies() throws Exception {
    long seed = Long.getLong("custody.kill.seed", new SecureRandom().nextLong());
    int kills = Integer.getInteger("custody.kill.count", DEFAULT_KILLS);
    System.out.println("kill harness: seed " + seed + ", " + kills + " kills (reproduce with -Dcustody.kill.seed="
        + seed + ")");
    Random random = new Random(seed);
    Path key = TestFixtures.ED25519.writeTo(tmp.resolve("keys"), "worker");
    TrustedKeys trust = TrustedKeys.of(List.of(TestFixtures.ED25519.publicKey()));

    long started = System.nanoTime();
    int acknowledged = 0;
    int killsAfterAck = 0; // kills made after the child's first acknowledged append
    int killsAmongAcks = 0; // of those, kills whose child had acknowledged appends by then
    Path ledger = null;
    List<EntryRef> acked = new ArrayList<>();
    java.util.ArrayDeque<Child> prestarted = new java.util.ArrayDeque<>();
    int startedFor = 0;
    long[] phases = new long[6];
    long childCpu = 0;
    long parentCpu = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    for (int k = 0; k < kills; k++) {
      if (k % SERIES == 0) {
        if (ledger != null) {
          finishSeries(ledger, trust, acked, seed, k);
        }
        ledger = ledgerOfKill(k);
        Ledger.create(ledger, new LogConfig("example.org/kill-" + k / SERIES, Optional.of(0L)), new SecureRandom());
        acked.clear();
      }
      // Children wait for "go" before they open their ledger, so they start ahead, even for the next series.
      while (startedFor < Math.min(kills, k + 1 + PRESTARTED)) {
        prestarted.add(start(ledgerOfKill(startedFor++), key));
      }
      Child child = prestarted.poll();
      long t0 = System.nanoTime();
      child.ready.get(60, TimeUnit.SECONDS);
      long t1 = System.nanoTime();
      assertThat(child.process.isAlive()).as("child started (seed %d)", seed).isTrue();
      boolean whileOpening = random.nextInt(OPENING_ONE_IN) == 0;
      int delay = random.nextInt((whileOpening ? MAX_OPENING_DELAY_MILLIS : MAX_DELAY_MILLIS) + 1);
      child.process.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
      child.process.getOutputStream().flush();
      boolean afterAck = !whileOpening && k % 2 == 0;
      if (!whileOpening) {
        child.opened.get(60, TimeUnit.SECONDS);
      }
      if (afterAck) {
        child.firstAck.get(60, TimeUnit.SECONDS);
        killsAfterAck++;
      }
      long t2 = System.nanoTime();
      Thread.sleep(delay);
      childCpu += child.process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
      child.process.destroyForcibly();
      assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      List<String> lines = child.lines.get(30, TimeUnit.SECONDS);
      boolean ackedByThisChild = false;
      children.remove(child);
      for (String l : lines) {
        assertThat(l).as("child output (kill %d, seed %d)", k, seed).doesNotStartWith("error");
        if (l.startsWith("ack ")) {
          ackedByThisChild = true;
          String[] f = l.split(" ", -1);
          acked.add(new EntryRef(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Digest.parse(f[4])));
          acknowledged++;
        }
      }
      if (afterAck && ackedByThisChild) {
        killsAmongAcks++;
      }
      String where = "kill " + k + " " + delay + " ms after " + (whileOpening ? "go" : afterAck ? "the first ack"
          : "opening") + ", seed " + seed;
      long t3 = System.nanoTime();
      assertVerifies(ledger, trust, where, true);
      long t4 = System.nanoTime();
      if (random.nextInt(3) != 0) {
        try (Ledger l = Ledger.open(ledger)) {
          assertThat(l.size()).as(where).isGreaterThanOrEqualTo(acked.size());
        }
      }
      long t5 = System.nanoTime();
      assertAcknowledgedOnce(ledger, acked, where);
      long t6 = System.nanoTime();
      phases[0] += t1 - t0;
      phases[1] += t2 - t1;
      phases[2] += t3 - t2;
      phases[3] += t4 - t3;
      phases[4] += t5 - t4;
      phases[5] += t6 - t5;
    }
    finishSeries(ledger, trust, acked, seed, kills);
    double seconds = (System.nanoTime() - started) / 1e9;
    parentCpu = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - parentCpu;
    System.out.printf("kill harness: CPU time %.1f s in the children (until their kill), %.1f s in this JVM;"
        + " load average %.1f%n", childCpu / 1e9, parentCpu / 1e9,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf("kill harness: %d kills, %d acknowledged entries checked, %.1f s (waiting for the child to be"
        + " ready %.1f s, to open %.1f s, until the kill %.1f s; verifying %.1f s, opening %.1f s, checking acks"
        + " %.1f s)%n", kills, acknowledged, seconds, phases[0] / 1e9, phases[1] / 1e9, phases[2] / 1e9,
        phases[3] / 1e9, phases[4] / 1e9, phases[5] / 1e9);
    // A child that died or stopped appending completes firstAck at its end without an ack.
    assertThat(killsAmongAcks).as("kills after the first acknowledged append found acknowledged entries (seed %d)",
        seed).isEqualTo(killsAfterAck);
    assertThat(acknowledged).as("the children got to append (seed %d)", seed).isGreaterThanOrEqualTo(killsAfterAck);
  }

  private void finishSeries(Path ledger, TrustedKeys trust, List<EntryRef> acked, long seed, int k) throws Exception {
    String where = "end of the series before kill " + k + ", seed " + seed;
    try (Ledger l = Ledger.open(ledger)) {
      assertThat(l.size()).as(where).isGreaterThanOrEqualTo(acked.size());
    }
    assertVerifies(ledger, trust, where, false);
    assertAcknowledgedOnce(ledger, acked, where);
  }

  private static void assertVerifies(Path ledger, TrustedKeys trust, String where, boolean tornTailAllowed)
      throws Exception {
    VerifierKey logKey = VerifierKey.parse(Files.readString(ledger.resolve(LedgerLayout.LOG_VKEY)).strip());
    VerificationReport r = LedgerVerifier.builder(trust).logKeys(List.of(logKey)).parallelism(2).build().verify(ledger);
    List<Finding> errors = r.findings().stream().filter(f -> f.severity() == Severity.ERROR).toList();
    assertThat(errors).as("errors verifying the ledger (%s)", where).isEmpty();
    if (!tornTailAllowed) {
      assertThat(r.findings()).as(where).noneMatch(f -> f.code().name().equals("TORN_TAIL"));
    }
  }

  /** Every acknowledged entry is in the log where it was acknowledged, and no log index or chain position twice. */
  private static void assertAcknowledgedOnce(Path ledger, List<EntryRef> acked, String where) throws Exception {
    Set<Long> indexes = new HashSet<>();
    Set<String> positions = new HashSet<>();
    try (Ledger l = Ledger.openReadOnly(ledger)) {
      for (EntryRef ref : acked) {
        assertThat(indexes.add(ref.logIndex())).as("log index %d acknowledged twice (%s)", ref.logIndex(), where)
            .isTrue();
        assertThat(positions.add(ref.chain() + ":" + ref.sequence())).as("%s acknowledged twice (%s)", ref, where)
            .isTrue();
        assertThat(ref.logIndex()).as("%s (%s)", ref, where).isLessThan(l.size());
        assertThat(l.entry(ref.logIndex()).ref()).as("acknowledged entry (%s)", where).isEqualTo(ref);
      }
    }
  }
}
