package dev.custody.bench;

import dev.custody.attest.SigningKey;
import dev.custody.attest.Ledger;
import dev.custody.attest.internal.store.TiledTree;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.MerkleTree;
import dev.custody.core.merkle.ProofVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Transparency-log benchmarks (issue 4, DESIGN.md §8 "proofs"):
 *
 * <ul>
 *   <li>{@code tree N}: builds the tile store of an N-leaf tree (synthetic leaf hashes: the tile
 *       store's cost does not depend on the entries), then measures opening it (restoring from the
 *       tiles, no rehash) and producing inclusion proofs for random leaves of the full tree, cold
 *       (first proof after open) and warm (mean over many), each verified with core's ProofVerifier.
 *   <li>{@code append M THREADS}: M signed durable appends from THREADS threads to a fresh ledger,
 *       with automatic checkpoints at the default interval, after every batch, and off; then the
 *       time to open the M-entry ledger for writing and reading, and proofs through the store.
 * </ul>
 *
 *   <li>{@code open N THREADS DIR}: generates a signed N-entry ledger (16 chains, 4 Ed25519 keys,
 *       {@code Ledger.appendAsync} from THREADS threads, checkpoints off; not timed beyond a rate),
 *       checkpoints it, then times {@code Ledger.open} and {@code Ledger.openReadOnly} (with the
 *       persisted record index), a random inclusion proof (first and mean), look-ups by chain
 *       sequence and by hash, and — unless N is over 300,000 — an open with the index deleted
 *       (parsing every record, as before the index) for comparison.
 * </ul>
 *
 * Usage: {@code java -cp … dev.custody.bench.TlogBench tree 10000000 DIR},
 * {@code … TlogBench append 100000 16 DIR} or {@code … TlogBench open 1000000 4 DIR}. DIR must not
 * exist (or be empty).
 */
public final class TlogBench {
  private TlogBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("tree")) {
      tree(Long.parseLong(args[1]), Path.of(args[2]));
    } else if (args.length >= 4 && args[0].equals("append")) {
      append(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
    } else if (args.length >= 4 && args[0].equals("open")) {
      open(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
    } else {
      System.err.println("usage: TlogBench tree N DIR | TlogBench append M THREADS DIR | TlogBench open N THREADS DIR");
      System.exit(2);
    }
  }

  static Bytes leaf(long i) {
    return MerkleHash.leafHash(ByteBuffer.allocate(8).putLong(i).array());
  }

  static void tree(long n, Path dir) throws Exception {
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    TiledTree build = TiledTree.empty(dir, true);
    for (long i = 0; i < n; i++) {
      build.append(leaf(i));
    }
    Bytes root = build.root(n);
    double buildS = (System.nanoTime() - t0) / 1e9;
    System.out.printf("tree: built %,d leaves in %.1f s (%.0f leaves/s, SHA-256 + tile writes)%n", n, buildS, n / buildS);

    long t1 = System.nanoTime();
    TiledTree opened = TiledTree.open(dir, false);
    double openMs = (System.nanoTime() - t1) / 1e6;
    long covered = opened.size();
    for (long i = covered; i < n; i++) {
      opened.append(leaf(i)); // the tail the store would hash from its last segment (< 256 records)
    }
    double openTailMs = (System.nanoTime() - t1) / 1e6;
    Bytes root2 = opened.root(n);
    double openRootMs = (System.nanoTime() - t1) / 1e6;
    if (!root2.equals(root)) {
      throw new AssertionError("reopened root differs");
    }
    System.out.printf("tree: open %.1f ms (tiles cover %,d leaves), +tail %.1f ms, +root %.1f ms%n", openMs, covered,
        openTailMs, openRootMs);

    MerkleTree mt = opened.merkleTree();
    Random rnd = new Random(1);
    long i0 = Math.floorMod(rnd.nextLong(), n);
    long c0 = System.nanoTime();
    InclusionProof first = mt.inclusionProof(i0, n);
    double coldUs = (System.nanoTime() - c0) / 1e3;
    ProofVerifier.verifyInclusion(first, leaf(i0), root);
    System.out.printf("tree: first proof after open (cold tiles) %.0f us, %d hashes%n", coldUs, first.hashes().size());
    int proofs = 20_000;
    long[] idx = new long[proofs];
    for (int k = 0; k < proofs; k++) {
      idx[k] = Math.floorMod(rnd.nextLong(), n);
    }
    long p0 = System.nanoTime();
    List<InclusionProof> out = new ArrayList<>(proofs);
    for (int k = 0; k < proofs; k++) {
      out.add(mt.inclusionProof(idx[k], n));
    }
    double perProofUs = (System.nanoTime() - p0) / 1e3 / proofs;
    for (int k = 0; k < proofs; k++) {
      ProofVerifier.verifyInclusion(out.get(k), leaf(idx[k]), root);
    }
    System.out.printf("tree: %,d random inclusion proofs in a %,d-leaf tree: %.1f us per proof (all verified)%n",
        proofs, n, perProofUs);
  }

  static Event event(long n) {
    return Event.builder(EventType.TRAINING)
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, Digest.sha256(("m" + n).getBytes(StandardCharsets.UTF_8))))
        .parameter("step", Long.toString(n))
        .build();
  }

  static double appends(Path dir, int m, int threads, SigningKey key) throws Exception {
    try (Ledger ledger = Ledger.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      int per = m / threads;
      List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        workers.add(pool.submit(() -> {
          List<CompletableFuture<?>> mine = new ArrayList<>(per);
          for (int i = 0; i < per; i++) {
            mine.add(ledger.appendAsync("bench/c" + tt, event((long) tt * per + i), key));
            if (mine.size() >= 64) { // bounded in flight per thread, like a pipeline
              mine.remove(0).join();
            }
          }
          mine.forEach(CompletableFuture::join);
          return null;
        }));
      }
      for (var w : workers) {
        w.get();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      return per * threads / s;
    }
  }

  static void append(int m, int threads, Path base) throws Exception {
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);
    SecureRandom random = new SecureRandom();
    // Warm-up (JIT) on a throwaway ledger.
    Path warm = base.resolve("warm");
    Ledger.create(warm, new LogConfig("bench.local/warm", Optional.empty()), random);
    appends(warm, m, threads, key);
    // Symmetric order (ABCCBA) so that drift (JIT, other load) does not favour one setting.
    String[] names = {"off", "default-1000ms", "every-batch", "every-batch", "default-1000ms", "off"};
    Long[] intervals = {null, LogConfig.DEFAULT_CHECKPOINT_INTERVAL_MILLIS, 0L, 0L, 1000L, null};
    for (int r = 0; r < names.length; r++) {
      Path dir = base.resolve(names[r] + "-" + r);
      Ledger.create(dir, new LogConfig("bench.local/" + names[r], Optional.ofNullable(intervals[r])), random);
      double rate = appends(dir, m, threads, key);
      long cps = 0;
      if (Files.isDirectory(dir.resolve("checkpoints"))) {
        try (var s = Files.list(dir.resolve("checkpoints"))) {
          cps = s.count();
        }
      }
      System.out.printf("append: checkpoints %-15s %,d appends, %d threads: %,.0f appends/s (%d checkpoints)%n",
          names[r], m, threads, rate, cps);
    }
    Path dir = base.resolve("default-1000ms-1");
    long t0 = System.nanoTime();
    try (Ledger l = Ledger.open(dir)) {
      double openMs = (System.nanoTime() - t0) / 1e6;
      long n = l.size();
      Random rnd = new Random(2);
      long p0 = System.nanoTime();
      int proofs = 2000;
      for (int k = 0; k < proofs; k++) {
        l.inclusionProof(Math.floorMod(rnd.nextLong(), n), n);
      }
      System.out.printf("ledger: open for writing %,d entries %.0f ms (parses every record for the index); proof via the"
          + " store incl. reading and self-checking the entry: %.1f us%n", n, openMs,
          (System.nanoTime() - p0) / 1e3 / proofs);
    }
  }

  static void open(int n, int threads, Path base) throws Exception {
    Path dir = base.resolve("ledger");
    Ledger.create(dir, new LogConfig("bench.local/open", Optional.empty()), new SecureRandom());
    SigningKey[] keys = new SigningKey[4];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = SigningKey.generate(KeyAlgorithm.ED25519);
    }
    long g0 = System.nanoTime();
    try (Ledger ledger = Ledger.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
      int per = n / threads;
      for (int t = 0; t < threads; t++) {
        int tt = t;
        workers.add(pool.submit(() -> {
          java.util.ArrayDeque<CompletableFuture<?>> mine = new java.util.ArrayDeque<>();
          for (int i = 0; i < per; i++) {
            long e = (long) tt * per + i;
            mine.add(ledger.appendAsync("bench/c" + (e % 16), event(e), keys[(int) (e % keys.length)]));
            if (mine.size() >= 256) {
              mine.poll().join();
            }
          }
          mine.forEach(CompletableFuture::join);
          return null;
        }));
      }
      for (var w : workers) {
        w.get();
      }
      pool.shutdown();
      ledger.checkpoint();
    }
    double genS = (System.nanoTime() - g0) / 1e9;
    long bytes;
    try (var st = Files.walk(dir.resolve("segments"))) {
      bytes = st.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    long idxBytes;
    try (var st = Files.walk(dir.resolve("index"))) {
      idxBytes = st.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf("open: generated %,d signed entries (%.0f MB of segments, %.0f MB of index) in %.0f s (%,.0f/s)%n",
        (long) per(n, threads), bytes / 1e6, idxBytes / 1e6, genS, per(n, threads) / genS);

    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      try (Ledger l = Ledger.open(dir)) {
        double openMs = (System.nanoTime() - t0) / 1e6;
        report("writer", l, openMs, round);
      }
      long t1 = System.nanoTime();
      try (Ledger l = Ledger.openReadOnly(dir)) {
        double openMs = (System.nanoTime() - t1) / 1e6;
        report("read-only", l, openMs, round);
      }
    }
    if (n <= 300_000) {
      try (var st = Files.walk(dir.resolve("index"))) {
        for (Path p : st.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      long t0 = System.nanoTime();
      try (Ledger l = Ledger.openReadOnly(dir)) {
        System.out.printf("open: read-only without the index (parses every record): %,.0f ms for %,d entries%n",
            (System.nanoTime() - t0) / 1e6, l.size());
      }
    }
  }

  private static int per(int n, int threads) {
    return n / threads * threads;
  }

  private static void report(String mode, Ledger l, double openMs, int round) throws Exception {
    long n = l.size();
    Random rnd = new Random(3 + round);
    Bytes root = l.rootHash(n);
    long i0 = Math.floorMod(rnd.nextLong(), n);
    long c0 = System.nanoTime();
    InclusionProof first = l.inclusionProof(i0, n);
    double firstUs = (System.nanoTime() - c0) / 1e3;
    ProofVerifier.verifyInclusion(first, MerkleHash.leafHash(l.entry(i0).record().bytes()), root);
    int proofs = 2000;
    long p0 = System.nanoTime();
    for (int k = 0; k < proofs; k++) {
      l.inclusionProof(Math.floorMod(rnd.nextLong(), n), n);
    }
    double proofUs = (System.nanoTime() - p0) / 1e3 / proofs;
    long s0 = System.nanoTime();
    var bySeq = l.entry("bench/c7", n / 32).orElseThrow();
    double seqMs = (System.nanoTime() - s0) / 1e6;
    long h0 = System.nanoTime();
    var byHash = l.entry(bySeq.ref().hash()).orElseThrow();
    double hashMs = (System.nanoTime() - h0) / 1e6;
    if (byHash.ref().logIndex() != bySeq.ref().logIndex()) {
      throw new AssertionError("look-ups disagree");
    }
    System.out.printf("open: %-9s %,d entries: open %,.0f ms; first proof %.0f us, mean of %,d random proofs %.0f us"
        + " (read + hash + self-check included); entry(chain, seq) %.1f ms, entry(hash) %.1f ms; heap used %d MB%n",
        mode, n, openMs, firstUs, proofs, proofUs, seqMs, hashMs,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
  }
}
