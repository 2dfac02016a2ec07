package dev.custody.attest;

import dev.custody.core.entry.EntryRef;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.jws.VerificationKey;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a ledger after concurrent appends with core alone: every acknowledged entry is present
 * exactly once where it was acknowledged, every chain is gapless and hash-linked, every signature
 * verifies.
 */
public final class LedgerAudit {
  private LedgerAudit() {}

  /** @param expectedSize the log size every acknowledged append accounts for */
  public static void check(Path dir, Collection<EntryRef> acked, long expectedSize, VerificationKey key)
      throws Exception {
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThat(ledger.size()).isEqualTo(expectedSize);
      Set<Long> indexes = new HashSet<>();
      Set<String> chainSeq = new HashSet<>();
      for (EntryRef ref : acked) {
        assertThat(indexes.add(ref.logIndex())).as("log index of %s acknowledged twice", ref).isTrue();
        assertThat(chainSeq.add(ref.chain() + ":" + ref.sequence())).as("%s acknowledged twice", ref).isTrue();
        assertThat(ledger.entry(ref.hash())).as("%s", ref).map(e -> e.ref()).contains(ref);
      }
      // Walk the whole log in order and rebuild every chain from the exact stored bytes.
      Map<String, Digest> heads = new HashMap<>();
      Map<String, Long> nextSeq = new HashMap<>();
      Set<Digest> seen = new HashSet<>();
      for (long i = 0; i < ledger.size(); i++) {
        LedgerEntry e = ledger.entry(i);
        EntryRecord rec = EntryRecord.parse(e.record().bytes().toByteArray(), "log index " + i);
        rec.verifySignature(key);
        EntryPayload p = rec.payload("log index " + i);
        assertThat(seen.add(rec.hash())).as("log index %d duplicates an earlier entry", i).isTrue();
        assertThat(p.sequence()).as("sequence at log index %d", i).isEqualTo(nextSeq.getOrDefault(p.chain(), 0L));
        assertThat(p.prev()).as("prev at log index %d", i).isEqualTo(Optional.ofNullable(heads.get(p.chain())));
        heads.put(p.chain(), rec.hash());
        nextSeq.merge(p.chain(), 1L, Long::sum);
      }
      for (var head : ledger.chains()) {
        assertThat(head.hash()).isEqualTo(heads.get(head.chain()));
        assertThat(head.sequence() + 1).isEqualTo(nextSeq.get(head.chain()));
      }
      assertThat(ledger.chains()).hasSameSizeAs(heads.keySet());
    }
  }
}
