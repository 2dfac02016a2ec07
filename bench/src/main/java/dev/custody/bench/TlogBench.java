package dev.custody.bench;

import dev.custody.attest.keys.SigningKey;
import dev.custody.attest.ledger.Ledger;
import dev.custody.attest.store.TiledTree;
import dev.custody.core.bytes.Bytes;
import dev.custody.core.digest.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.ledger.LogConfig;
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
 * Usage: {@code java -cp … dev.custody.bench.TlogBench tree 10000000 DIR} or
 * {@code … TlogBench append 100000 16 DIR}. DIR must not exist (or be empty).
 */
public final class TlogBench {
  private TlogBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("tree")) {
      tree(Long.parseLong(args[1]), Path.of(args[2]));
    } else if (args.length >= 4 && args[0].equals("append")) {
      append(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
    } else {
      System.err.println("usage: TlogBench tree N DIR | TlogBench append M THREADS DIR");
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
      List<CompletableFuture<?>> all = new ArrayList<>();
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
      all.clear();
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
}
