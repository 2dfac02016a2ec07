package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.entry.EntryRecord;
import dev.custody.verify.TestLedgers.TestKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.custody.core.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test-local timing of a full replay (printed, not asserted: absolute numbers drift on shared
 * machines, DESIGN.md §8). Size with {@code -Dcustody.replay.entries=100000}; add
 * {@code -DargLine=-Xmx64m} to check that replay memory stays bounded (200,000 entries, about
 * 120 MB of records, verify in a 64 MiB heap).
 */
class ReplaySpeedTest {
  @TempDir Path tmp;

  @Test
  void verify_largeLedger_printsEntriesPerSecond() throws Exception {
    int n = Integer.getInteger("custody.replay.entries", 5_000);
    int chains = 100;
    TestKey key = TestKey.ed25519("speed");
    Path dir = tmp.resolve("ledger");
    Files.createDirectories(dir.resolve("segments"));
    Files.writeString(dir.resolve("ledger.json"), "{\"format\":\"custody/ledger/v1\"}");
    long t0 = System.nanoTime();
    Digest[] heads = new Digest[chains];
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(
        dir.resolve("segments").resolve(TestLedgers.SEGMENT_0)), 1 << 16)) {
      // Chains interleave; each chain's entries are signed in order so prev links are right.
      int batch = 4096;
      for (int start = 0; start < n; start += batch) {
        int end = Math.min(n, start + batch);
        List<byte[]> recs = new ArrayList<>();
        for (int i = start; i < end; i++) {
          int c = i % chains;
          recs.add(TestLedgers.sign(key, TestLedgers.payload("speed/chain-" + c, i / chains,
              Optional.ofNullable(heads[c]), key.keyId(), "entry " + i)));
          heads[c] = Digest.sha256(recs.get(recs.size() - 1));
        }
        for (byte[] r : recs) {
          out.write(r);
          out.write('\n');
        }
      }
    }
    long t1;
    TrustedKeys trust = TrustedKeys.of(List.of(key.publicKey()));
    int cores = Runtime.getRuntime().availableProcessors();
    long written = System.nanoTime() - t0;
    // The machine may be shared: measure the bare limit before and after, under the same load.
    double rawBefore = rawParallelVerifyRate(dir, key, cores, Math.min(n, 20_000));
    t1 = System.nanoTime();

    VerificationReport r = LedgerVerifier.builder(trust).build().verify(dir);
    long t2 = System.nanoTime();
    // A second run, with warm JIT, is what the ratio to openssl should use.
    VerificationReport again = Boolean.getBoolean("custody.replay.once") ? r
        : LedgerVerifier.builder(trust).build().verify(dir);
    long t3 = System.nanoTime();

    assertThat(LedgerVerifierTest.chainFindings(r)).isEmpty(); // a key-less ledger: only NO_CHECKPOINT (INFO)
    assertThat(again.entriesChecked()).isEqualTo(n);
    double rawPerSecond = (rawBefore + rawParallelVerifyRate(dir, key, cores, Math.min(n, 20_000))) / 2;
    double best = n / (Math.min(t2 - t1, t3 == t2 ? Long.MAX_VALUE : t3 - t2) / 1e9);
    System.out.printf("replay: %d entries, %d cores: signed+written in %.1f s; verified in %.2f s (%.0f entries/s),"
        + " best run %.0f entries/s; bare Ed25519 verify on %d threads, same load: %.0f/s (replay = %.2f of"
        + " it); max heap %d MiB%n", n, cores, written / 1e9, (t2 - t1) / 1e9, n / ((t2 - t1) / 1e9),
        best, cores, rawPerSecond, best / rawPerSecond, Runtime.getRuntime().maxMemory() >> 20);
  }

  /** Bare Bouncy Castle Ed25519 verifications per second on {@code threads} threads: the limit of replay. */
  private static double rawParallelVerifyRate(Path dir, TestKey key, int threads, int count) throws Exception {
    List<byte[]> inputs = new ArrayList<>();
    List<byte[]> sigs = new ArrayList<>();
    try (var lines = Files.newBufferedReader(dir.resolve("segments").resolve(TestLedgers.SEGMENT_0))) {
      for (int i = 0; i < count; i++) {
        EntryRecord e = EntryRecord.parse(lines.readLine().getBytes(StandardCharsets.US_ASCII), "line " + i);
        inputs.add(e.envelope().signingInput());
        sigs.add(e.envelope().signature().toByteArray());
      }
    }
    byte[] spki = key.publicKey().spki().toByteArray();
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(
        Arrays.copyOfRange(spki, spki.length - Ed25519.PUBLIC_KEY_SIZE, spki.length), 0);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        fs.add(pool.submit(() -> {
          for (int i = first; i < count; i += threads) {
            byte[] in = inputs.get(i);
            if (!Ed25519.verify(sigs.get(i), 0, point, in, 0, in.length)) {
              throw new IllegalStateException("bad signature " + i);
            }
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      return count / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }
}
