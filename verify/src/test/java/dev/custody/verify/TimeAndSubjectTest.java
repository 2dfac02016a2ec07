package dev.custody.verify;

import dev.custody.verify.internal.replay.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.manifest.HashProgress;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.verify.TestLedgers.TestKey;
import dev.custody.verify.ModelCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, items 9 and 10: times that run backwards or into the future (warnings), approvals and
 * revocations whose subject is not an earlier entry (an error), and a model checked against a
 * revoked release (an error).
 */
class TimeAndSubjectTest {
  static final TestKey A = TestKey.ed25519("key A");
  static final TestKey B = TestKey.ed25519("key B");
  static final TrustedKeys TRUST = TrustedKeys.of(List.of(A.publicKey(), B.publicKey()));
  /** The verifier's clock in these tests: an hour after the fixture's T0. */
  static final Instant NOW = TestLedgers.T0.plus(Duration.ofHours(1));

  @TempDir Path tmp;

  /** Builds chains entry by entry with chosen times and events. */
  static final class Chain {
    final List<byte[]> records = new ArrayList<>();
    final java.util.Map<String, Optional<Digest>> heads = new java.util.HashMap<>();
    final java.util.Map<String, Long> next = new java.util.HashMap<>();

    byte[] add(String chain, TestKey key, Instant time, Event event) {
      long seq = next.getOrDefault(chain, 0L);
      EntryPayload p = new EntryPayload(chain, seq, heads.getOrDefault(chain, Optional.empty()), key.keyId(), time,
          event);
      byte[] rec = TestLedgers.sign(key, p);
      records.add(rec);
      heads.put(chain, Optional.of(Digest.sha256(rec)));
      next.put(chain, seq + 1);
      return rec;
    }

    byte[] add(String chain, TestKey key, Instant time) {
      return add(chain, key, time, Event.builder(EventType.TRAINING).parameter("n", "" + records.size()).build());
    }
  }

  static Event decision(EventType type, Digest subject, String decision) {
    return Event.builder(type).details(new EventDetails.Decision(subject, decision, Optional.of("reviewed"))).build();
  }

  private VerificationReport verify(List<byte[]> records) throws Exception {
    Path dir = TestLedgers.write(tmp.resolve("ledger-" + System.nanoTime()), records);
    return LedgerVerifier.builder(TRUST).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build().verify(dir);
  }

  private static List<Finding> with(VerificationReport r, FindingCode code) {
    return r.findings().stream().filter(f -> f.code() == code).collect(Collectors.toList());
  }

  // ------------------------------------------------------------------ time (item 9)

  @Test
  void verify_entryDatedBeforePreviousEntryOfItsChain_timeReversedWarningNamingBoth() throws Exception {
    Chain c = new Chain();
    c.add("acme/a", A, TestLedgers.T0.plusSeconds(10));
    c.add("acme/b", B, TestLedgers.T0); // another chain may be earlier: only a chain's own order counts
    c.add("acme/a", A, TestLedgers.T0.plusSeconds(5));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.TIME_REVERSED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.entry().get().chainPosition()).contains("acme/a:1");
      assertThat(f.message()).contains("2026-11-28T12:00:05Z").contains("acme/a:0").contains("2026-11-28T12:00:10Z");
    });
    assertThat(r.verified()).isTrue();
  }

  @Test
  void verify_entryAtSameTimeAsPrevious_noTimeFinding() throws Exception {
    Chain c = new Chain();
    c.add("acme/a", A, TestLedgers.T0);
    c.add("acme/a", A, TestLedgers.T0);

    assertThat(with(verify(c.records), FindingCode.TIME_REVERSED)).isEmpty();
  }

  @Test
  void verify_eventFinishedBeforeItStarted_timeReversedWarning() throws Exception {
    // A signer can sign such an event (custody's own builder refuses to make one); the entry stays
    // authentic and in its chain, with a warning.
    Event built = Event.builder(EventType.TRAINING).build();
    Event reversed = new Event(built.type(), List.of(), List.of(), new TreeMap<>(), new TreeMap<>(),
        Optional.of(TestLedgers.T0.plusSeconds(60)), Optional.of(TestLedgers.T0), built.details());
    Chain c = new Chain();
    c.add("acme/a", A, TestLedgers.T0.plusSeconds(61), reversed);
    c.add("acme/a", A, TestLedgers.T0.plusSeconds(62));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.TIME_REVERSED)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("finished (2026-11-28T12:00:00Z) before it started (2026-11-28T12:01:00Z)"));
    assertThat(r.findings()).filteredOn(Finding::isError).isEmpty();
    assertThat(r.chains()).singleElement().satisfies(s -> assertThat(s.entries()).isEqualTo(2));
  }

  @Test
  void verify_entryDatedBeyondTheAllowanceOfTheVerifiersClock_timeInFutureWarning() throws Exception {
    Chain c = new Chain();
    c.add("acme/a", A, NOW.plus(LedgerVerifier.FUTURE_ALLOWANCE)); // at the limit: fine
    c.add("acme/a", A, NOW.plus(LedgerVerifier.FUTURE_ALLOWANCE).plusSeconds(1));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.TIME_IN_FUTURE)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.entry().get().chainPosition()).contains("acme/a:1");
      assertThat(f.message()).contains("verifier's clock (" + NOW + ")").contains("5-minute allowance");
    });
    assertThat(r.verified()).isTrue();
  }

  @Test
  void futureCheck_entryCoveredByTimestampedCheckpoint_judgedAgainstTheEarliestCoveringTime() {
    TreeMap<Long, Instant> trusted = new TreeMap<>();
    trusted.put(10L, TestLedgers.T0.plusSeconds(100));
    trusted.put(20L, TestLedgers.T0.plusSeconds(50)); // a larger checkpoint timestamped earlier still covers 0..19
    TimeCheck t = new TimeCheck(NOW, trusted);
    Instant limit = TestLedgers.T0.plusSeconds(50).plus(TimeCheck.FUTURE_ALLOWANCE);

    assertThat(t.future(3, limit)).isEmpty();
    assertThat(t.future(3, limit.plusSeconds(1))).get().asString().contains("size 10 or larger")
        .contains(TestLedgers.T0.plusSeconds(50).toString());
    assertThat(t.future(15, limit.plusSeconds(1))).get().asString().contains("size 20 or larger");
    // Beyond every timestamped checkpoint only the verifier's clock bounds an entry.
    assertThat(t.future(20, limit.plusSeconds(1))).isEmpty();
    assertThat(t.future(20, NOW.plus(TimeCheck.FUTURE_ALLOWANCE).plusSeconds(1))).get().asString()
        .contains("verifier's clock");
  }

  // ------------------------------------------------------------------ subjects (item 10)

  @Test
  void verify_approvalAndRevocationOfEarlierEntries_noFinding() throws Exception {
    Chain c = new Chain();
    byte[] release = c.add("acme/a", A, TestLedgers.T0);
    c.add("acme/review", B, TestLedgers.T0.plusSeconds(1),
        decision(EventType.APPROVAL, Digest.sha256(release), "approved"));
    c.add("acme/review", B, TestLedgers.T0.plusSeconds(2),
        decision(EventType.REVOCATION, Digest.sha256(release), "revoked"));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.SUBJECT_NOT_FOUND)).isEmpty();
    assertThat(r.verified()).isTrue();
  }

  @Test
  void verify_approvalOfNoEntryOfTheLedger_subjectNotFoundError() throws Exception {
    Chain c = new Chain();
    c.add("acme/a", A, TestLedgers.T0);
    Digest nowhere = Digest.sha256("an entry of another ledger".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    c.add("acme/review", B, TestLedgers.T0.plusSeconds(1), decision(EventType.APPROVAL, nowhere, "approved"));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.SUBJECT_NOT_FOUND)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.entry().get().chainPosition()).contains("acme/review:0");
      assertThat(f.message()).contains(nowhere.toString()).contains("approved");
    });
    assertThat(r.verified()).isFalse();
  }

  @Test
  void verify_revocationBeforeTheEntryItNames_subjectNotFound() throws Exception {
    // The revoker computed the hash of an entry appended after the revocation: a decision cannot
    // precede what it decides about. Records of different chains, so the later one can be made first.
    Chain later = new Chain();
    byte[] release = later.add("acme/a", A, TestLedgers.T0.plusSeconds(5));
    Chain c = new Chain();
    c.add("acme/review", B, TestLedgers.T0, decision(EventType.REVOCATION, Digest.sha256(release), "revoked"));
    List<byte[]> records = new ArrayList<>(c.records);
    records.add(release);

    VerificationReport r = verify(records);

    assertThat(with(r, FindingCode.SUBJECT_NOT_FOUND)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("comes later").contains("revocation acme/review:0"));
  }

  @Test
  void verify_approvalOfARejectedRecord_subjectNotFoundPointsAtIt() throws Exception {
    Chain c = new Chain();
    byte[] forged = TestLedgers.sign(TestKey.ed25519("untrusted"), TestLedgers.payload("acme/x", 0, Optional.empty(),
        TestKey.ed25519("untrusted").keyId(), "forged"));
    c.records.add(forged);
    c.add("acme/review", B, TestLedgers.T0, decision(EventType.APPROVAL, Digest.sha256(forged), "approved"));

    VerificationReport r = verify(c.records);

    assertThat(with(r, FindingCode.SUBJECT_NOT_FOUND)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("the record at log index 0, rejected"));
    assertThat(with(r, FindingCode.KEY_UNTRUSTED)).hasSize(1);
  }

  // ------------------------------------------------------------------ revoked release (item 10)

  @Test
  void modelCheck_releaseRevokedLater_artifactRevokedErrorEvenThoughBytesMatch() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Digest root = ModelHasher.builder().build().hash(model).rootDigest();
    Event releaseEvent = Event.builder(EventType.RELEASE).output(ArtifactRef.of("model", ArtifactKind.MODEL, root))
        .details(new EventDetails.Release("1.0")).build();
    Chain c = new Chain();
    byte[] release = c.add("acme/m", A, TestLedgers.T0, releaseEvent);
    c.add("acme/m", B, TestLedgers.T0.plusSeconds(1), Event.builder(EventType.REVOCATION)
        .details(new EventDetails.Decision(Digest.sha256(release), "revoked", Optional.of("poisoned \u202e data")))
        .build());
    Path dir = TestLedgers.write(tmp.resolve("ledger"), c.records);
    VerificationReport r = LedgerVerifier.builder(TRUST)
        .model(model, ModelCheck.Target.newestRelease("acme/m"), HashProgress.NONE).build().verify(dir);

    assertThat(r.findings()).extracting(Finding::code).contains(FindingCode.ARTIFACT_VERIFIED,
        FindingCode.ARTIFACT_REVOKED);
    assertThat(with(r, FindingCode.ARTIFACT_REVOKED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).contains("acme/m:0").contains("revoked by entry acme/m:1")
          .contains("'poisoned \\u202E data'");
    });
    assertThat(r.verified()).isFalse();
  }

  @Test
  void modelCheck_olderReleaseRevokedNewerNot_checksTheNewerWithoutRevocation() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights v2");
    Digest root = ModelHasher.builder().build().hash(model).rootDigest();
    Chain c = new Chain();
    byte[] v1 = c.add("acme/m", A, TestLedgers.T0, Event.builder(EventType.RELEASE)
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, Digest.sha256(new byte[] {1})))
        .details(new EventDetails.Release("1.0")).build());
    c.add("acme/m", A, TestLedgers.T0.plusSeconds(1), decision(EventType.REVOCATION, Digest.sha256(v1), "revoked"));
    c.add("acme/m", A, TestLedgers.T0.plusSeconds(2), Event.builder(EventType.RELEASE)
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, root)).details(new EventDetails.Release("2.0")).build());
    Path dir = TestLedgers.write(tmp.resolve("ledger"), c.records);
    VerificationReport r = LedgerVerifier.builder(TRUST)
        .model(model, ModelCheck.Target.newestRelease("acme/m"), HashProgress.NONE).build().verify(dir);

    assertThat(with(r, FindingCode.ARTIFACT_VERIFIED)).singleElement()
        .satisfies(f -> assertThat(f.entry().flatMap(RecordRef::chainPosition)).contains("acme/m:2"));
    assertThat(r.findings()).extracting(Finding::code).doesNotContain(FindingCode.ARTIFACT_REVOKED);
    assertThat(r.verified()).isTrue();
  }
}
