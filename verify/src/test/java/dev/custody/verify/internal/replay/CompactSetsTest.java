package dev.custody.verify.internal.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Cross-checks the compact sets of the replay against naive reference sets (seeded). */
class CompactSetsTest {
  @Test
  void digestSet_randomDigestsWithRepeats_agreesWithHashSet() {
    Random rnd = new Random(42);
    DigestSet fast = new DigestSet();
    Set<Digest> naive = new HashSet<>();
    byte[][] pool = new byte[20_000][];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = new byte[32];
      rnd.nextBytes(pool[i]);
      if (i % 1000 == 0) {
        pool[i] = new byte[32]; // the all-zero digest, kept aside by the set
      } else if (i % 997 == 0) {
        pool[i][0] = pool[i - 1][0]; // same slot neighbourhood, different digest
        System.arraycopy(pool[i - 1], 0, pool[i], 0, 8);
      }
    }
    for (int i = 0; i < 60_000; i++) {
      Digest d = Digest.ofSha256(pool[rnd.nextInt(pool.length)]);
      assertThat(fast.contains(d)).as("contains before add #%d", i).isEqualTo(naive.contains(d));
      assertThat(fast.add(d)).as("add #%d", i).isEqualTo(naive.add(d));
      assertThat(fast.contains(d)).isTrue();
    }
    assertThat(fast.size()).isEqualTo(naive.size());
    for (int i = 0; i < 1000; i++) {
      byte[] other = new byte[32];
      rnd.nextBytes(other);
      Digest d = Digest.ofSha256(other);
      assertThat(fast.contains(d)).isEqualTo(naive.contains(d));
    }
  }

  @Test
  void sequenceRanges_randomSequences_agreesWithTreeSet() {
    Random rnd = new Random(7);
    for (int round = 0; round < 50; round++) {
      SequenceRanges fast = new SequenceRanges();
      TreeSet<Long> naive = new TreeSet<>();
      for (int i = 0; i < 500; i++) {
        long s = rnd.nextInt(4) == 0 ? rnd.nextInt(300) : (naive.isEmpty() ? 0 : naive.last() + 1);
        assertThat(fast.contains(s)).isEqualTo(naive.contains(s));
        assertThat(fast.add(s)).isEqualTo(naive.add(s));
      }
      for (long s = 0; s < 400; s++) {
        assertThat(fast.contains(s)).as("contains %d", s).isEqualTo(naive.contains(s));
      }
    }
  }
}
