package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.verify.report.JsonReportRenderer;
import dev.custody.verify.report.TextReportRenderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lineage warnings through the verifier, in bounded memory: a ledger whose chains each hold more
 * unproven inputs than the report keeps verifies with the report's per-code bound, counts the rest,
 * and {@code chain(X)} still reports X's own warnings (the bound applies after the chain filter).
 */
class LineageWarningsBoundTest {
  static final EventLedger.Key KEY = EventLedger.Key.ed25519("lineage bound");
  static final TrustedKeys TRUST = TrustedKeys.of(List.of(KEY.publicKey()));
  static final int CHAINS = 3;
  /** Unproven dataset inputs per chain: more than the report keeps of a code. */
  static final int PER_CHAIN = VerificationReport.MAX_FINDINGS_PER_CODE + 60;

  @TempDir Path tmp;

  private Path ledger() {
    EventLedger l = new EventLedger();
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    for (int c = 0; c < CHAINS; c++) {
      for (int half = 0; half < 2; half++) { // two entries per chain, half the inputs each
        Event.Builder b = Event.builder(EventType.TRAINING).output(ArtifactRef.of("model", ArtifactKind.MODEL,
            sha("model " + c + " " + half)));
        for (int i = half * PER_CHAIN / 2; i < (half + 1) * PER_CHAIN / 2; i++) {
          b.input(ArtifactRef.of("d" + i, ArtifactKind.DATASET, sha("nobody ingested " + c + " " + i)));
        }
        l.append("acme/c" + c, b.build(), KEY, t.plusSeconds(c * 10L + half));
      }
    }
    return l.write(tmp.resolve("ledger"));
  }

  private static Digest sha(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Finding> unproven(VerificationReport r) {
    return r.findings().stream().filter(f -> f.code() == FindingCode.LINEAGE_INPUT_UNPROVEN).toList();
  }

  /** Warnings that are not lineage gaps (e.g. the ledger holds no checkpoint): each kept, none omitted here. */
  private static long otherWarnings(VerificationReport r) {
    return r.findings().stream().filter(f -> f.severity() == Severity.WARNING)
        .filter(f -> f.code() != FindingCode.LINEAGE_INPUT_UNPROVEN).count();
  }

  @Test
  void verify_moreUnprovenInputsThanTheBound_keepsTheFirstAndCountsEveryOne() throws Exception {
    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(ledger());

    assertThat(r.verified()).isTrue(); // warnings under trust-all
    assertThat(unproven(r)).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE)
        .allSatisfy(f -> assertThat(f.entry().orElseThrow().chain()).contains("acme/c0"));
    assertThat(unproven(r).get(0).message()).contains("'d0'");
    assertThat(r.omitted()).containsEntry(FindingCode.LINEAGE_INPUT_UNPROVEN,
        (long) CHAINS * PER_CHAIN - VerificationReport.MAX_FINDINGS_PER_CODE);
    assertThat(r.count(Severity.WARNING) - otherWarnings(r)).isEqualTo((long) CHAINS * PER_CHAIN);
    assertThat(r.lineage().orElseThrow().findings()).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE);
    // Both renderers say how many were left out.
    long more = (long) CHAINS * PER_CHAIN - VerificationReport.MAX_FINDINGS_PER_CODE;
    assertThat(TextReportRenderer.render(r)).contains(String.format("%,d", more));
    assertThat(JsonReportRenderer.render(r)).contains("\"LINEAGE_INPUT_UNPROVEN\":" + more);
  }

  @Test
  void verify_chainFilterOnTheLastChain_reportsThatChainsOwnWarnings() throws Exception {
    VerificationReport r = LedgerVerifier.builder(TRUST).chain("acme/c2").build().verify(ledger());

    assertThat(unproven(r)).hasSize(VerificationReport.MAX_FINDINGS_PER_CODE)
        .allSatisfy(f -> assertThat(f.entry().orElseThrow().chain()).contains("acme/c2"));
    assertThat(unproven(r).get(0).message()).contains("acme/c2:0", "'d0'");
    assertThat(r.omitted()).isEqualTo(Map.of(FindingCode.LINEAGE_INPUT_UNPROVEN,
        (long) PER_CHAIN - VerificationReport.MAX_FINDINGS_PER_CODE));
    assertThat(r.count(Severity.WARNING) - otherWarnings(r)).isEqualTo(PER_CHAIN);
  }

  @Test
  void verify_chainFilterOnAChainWithNoGaps_countsNoneOfTheOthers() throws Exception {
    EventLedger l = new EventLedger();
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    Event.Builder gaps = Event.builder(EventType.TRAINING).output(ArtifactRef.of("m", ArtifactKind.MODEL, sha("m")));
    for (int i = 0; i < PER_CHAIN; i++) {
      gaps.input(ArtifactRef.of("d" + i, ArtifactKind.DATASET, sha("gap " + i)));
    }
    l.append("acme/gaps", gaps.build(), KEY, t);
    l.append("acme/clean", Event.builder(EventType.DATASET_INGEST).output(ArtifactRef.of("corpus",
        ArtifactKind.DATASET, sha("corpus"))).build(), KEY, t.plusSeconds(1));

    VerificationReport r = LedgerVerifier.builder(TRUST).chain("acme/clean").build().verify(l.write(tmp.resolve("l")));

    assertThat(unproven(r)).isEmpty();
    assertThat(r.omitted()).isEmpty();
    assertThat(r.count(Severity.WARNING) - otherWarnings(r)).isZero();
  }
}
