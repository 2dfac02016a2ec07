package dev.custody.verify;

import dev.custody.verify.internal.replay.*;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.ledger.RawRecord;
import dev.custody.verify.TestLedgers.TestKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Prints where single-thread replay time goes (not asserted); run with {@code -Dcustody.breakdown.entries=N}. */
@EnabledIfSystemProperty(named = "custody.breakdown.entries", matches = "[0-9]+")
class CostBreakdownTest {
  @Test
  void recordCheck_costBreakdown_printed() throws Exception {
    int n = Integer.getInteger("custody.breakdown.entries", 2000);
    TestKey key = TestKey.ed25519("cost");
    TestLedgers.Log log = new TestLedgers.Log();
    for (int i = 0; i < n; i++) {
      log.append("cost/c" + (i % 10), key);
    }
    List<byte[]> recs = log.records();
    List<EntryRecord> parsed = new ArrayList<>();
    for (byte[] r : recs) {
      parsed.add(EntryRecord.parse(r, "x"));
    }
    byte[] pk = key.publicKey().spki().toByteArray();
    byte[] raw = java.util.Arrays.copyOfRange(pk, pk.length - 32, pk.length);
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(raw, 0);
    dev.custody.verify.policy.TrustPolicy trust =
        dev.custody.verify.policy.TrustPolicy.trustAll(TrustedKeys.of(List.of(key.publicKey())));
    RecordCheck check = new RecordCheck(trust, trust.resolver(dev.custody.verify.policy.CertificateSource.NONE),
        dev.custody.core.internal.ledger.RawRecord::where, java.util.Optional.empty());
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (EntryRecord e : parsed) {
        byte[] in = e.envelope().signingInput();
        Ed25519.verify(e.envelope().signature().toByteArray(), 0, point, in, 0, in.length);
      }
      long t1 = System.nanoTime();
      for (byte[] r : recs) {
        EntryRecord.parse(r, "x");
      }
      long t2 = System.nanoTime();
      for (EntryRecord e : parsed) {
        e.payload("x");
      }
      long t3 = System.nanoTime();
      long idx = 0;
      for (byte[] r : recs) {
        check.check(new RawRecord(idx++, Path.of("segments/0.jsonl"), idx, 0, r, false, true));
      }
      long t4 = System.nanoTime();
      System.out.printf("breakdown per record: raw ed25519 verify %.1f us, envelope parse+hash %.1f us,"
          + " payload decode %.1f us, full RecordCheck %.1f us%n", (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n,
          (t3 - t2) / 1e3 / n, (t4 - t3) / 1e3 / n);
    }
  }
}
