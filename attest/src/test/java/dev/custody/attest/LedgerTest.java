package dev.custody.attest;

import dev.custody.core.entry.EntryRef;
import static dev.custody.attest.TestFixtures.ED25519;
import static dev.custody.attest.TestFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.AttestException;
import dev.custody.attest.SigningKey;
import dev.custody.attest.Signer;
import dev.custody.attest.internal.store.FileLogStore;
import dev.custody.attest.internal.store.LogStore;
import dev.custody.core.Digest;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntrySummary;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.VerificationKey;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @TempDir Path dir;

  /**
   * An entry signed ahead for a position another writer took meanwhile is signed again for the true one;
   * one signed for its position is stored as made; the summaries list what the entries hold.
   */
  @Test
  void appendSigned_positionTakenMeanwhile_signedAgainForTheTrueOne() throws Exception {
    Ledger.create(dir);
    try (Ledger ledger = Ledger.open(dir)) {
      SignedEntry ahead = EntrySigner.signEntry(new EntryPayload("acme/m", 0, Optional.empty(), ED25519.keyId(),
          TestFixtures.TIME, event("ahead", 0)), ED25519);
      EntryRef first = ledger.append("acme/m", event("other writer", 0), ED25519);
      List<Long> asked = new ArrayList<>();

      EntryRef ref = ledger.appendSigned("acme/m", (seq, prev) -> {
        asked.add(seq);
        return seq == ahead.sequence() && prev.equals(ahead.prev()) ? ahead : EntrySigner.signEntry(
            new EntryPayload("acme/m", seq, prev, ED25519.keyId(), TestFixtures.TIME, event("ahead", 0)), ED25519);
      }).join();
      SignedEntry forN = EntrySigner.signEntry(new EntryPayload("acme/n", 0, Optional.empty(), ED25519.keyId(),
          TestFixtures.TIME, event("n", 0)), ED25519);
      EntryRef asMade = ledger.appendSigned("acme/n", (seq, prev) -> forN).join();

      assertThat(asked).containsExactly(1L);
      assertThat(ref.sequence()).isEqualTo(1);
      assertThat(ledger.entry(ref.logIndex()).payload().prev()).contains(first.hash());
      assertThat(ledger.entry(ref.logIndex()).payload().event()).isEqualTo(event("ahead", 0));
      List<EntrySummary> listed = new ArrayList<>();
      ledger.summaries(0, ledger.size(), (r, s) -> listed.add(s));
      assertThat(listed).extracting(EntrySummary::chain).containsExactly("acme/m", "acme/m", "acme/n");
      assertThat(listed).extracting(EntrySummary::sequence).containsExactly(0L, 1L, 0L);
      assertThat(asMade.hash()).isEqualTo(forN.hash()).isEqualTo(ledger.entry(2).record().hash());
      assertThat(ledger.entry(2).record().bytes().toByteArray()).isEqualTo(forN.record());
    }
  }

  @Test
  void append_twoChainsTwoKeys_readBackByLogIndexChainSequenceAndHash() throws Exception {
    SigningKey es = SigningKey.generate(KeyAlgorithm.ES256);
    Ledger.create(dir);
    List<EntryRef> refs = new ArrayList<>();
    try (Ledger ledger = Ledger.open(dir)) {
      refs.add(ledger.append("acme/base", event("b", 0), ED25519));
      refs.add(ledger.append("acme/ft", event("f", 0), es));
      refs.add(ledger.append("acme/base", event("b", 1), ED25519));

      assertThat(refs).extracting(EntryRef::logIndex).containsExactly(0L, 1L, 2L);
      assertThat(refs).extracting(EntryRef::sequence).containsExactly(0L, 0L, 1L);
      for (EntryRef ref : refs) {
        LedgerEntry byIndex = ledger.entry(ref.logIndex());
        assertThat(byIndex.ref()).isEqualTo(ref);
        assertThat(ledger.entry(ref.chain(), ref.sequence())).contains(byIndex);
        assertThat(ledger.entry(ref.hash())).contains(byIndex);
        assertThat(byIndex.record().hash()).isEqualTo(ref.hash());
      }
      LedgerEntry second = ledger.entry(2);
      assertThat(second.payload().prev()).contains(refs.get(0).hash());
      assertThat(second.payload().event()).isEqualTo(event("b", 1));
      assertThat(second.payload().keyId()).isEqualTo(ED25519.keyId());
      second.record().verifySignature(ED25519.publicKey());
      ledger.entry(1).record().verifySignature(es.publicKey());
      assertThat(ledger.entry("acme/base", 2)).isEmpty();
      assertThat(ledger.entry("acme/base", -1)).isEmpty();
      assertThat(ledger.entry("nope", 0)).isEmpty();
      assertThat(ledger.entry(Digest.sha256(new byte[0]))).isEmpty();
      assertThat(ledger.chains()).extracting(EntryRef::chain).containsExactly("acme/base", "acme/ft");
      assertThat(ledger.chainEntries("acme/base")).extracting(LedgerEntry::ref).containsExactly(refs.get(0), refs.get(2));
    }

    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThat(ledger.size()).isEqualTo(3);
      for (EntryRef ref : refs) {
        assertThat(ledger.entry(ref.logIndex()).ref()).isEqualTo(ref);
      }
      assertThat(ledger.repairs()).isEmpty();
    }
  }

  @Test
  void identity_newLedger_verifiesTheLedgersOwnCheckpointAndNoOtherOrigin() throws Exception {
    Ledger.create(dir);
    try (Ledger ledger = Ledger.open(dir)) {
      ledger.append("acme/m", event("m", 0), ED25519);
      byte[] note = ledger.checkpoint().encoded();
      LogInfo info = ledger.identity().orElseThrow();
      assertThat(info.origin()).startsWith("custody.local/").isEqualTo(info.verifierKey().name());
      assertThat(info.checkpointVerifier().verify(note).checkpoint().size()).isEqualTo(1);

      LogConfig other = new LogConfig("example.com/other", info.config().checkpointIntervalMillis());
      assertThatThrownBy(() -> new LogInfo(other, info.verifierKey()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the log origin example.com/other");
    }
  }

  @Test
  void over_fixedClock_entryTimeComesFromClock() throws Exception {
    FileLogStore.create(dir);
    Instant t = Instant.parse("2030-01-02T03:04:05.678Z");
    try (Ledger ledger = Ledger.over(FileLogStore.open(dir), Clock.fixed(t, ZoneOffset.UTC))) {
      EntryRef ref = ledger.append("x", event("x", 0), ED25519);
      assertThat(ledger.entry(ref.logIndex()).payload().time()).isEqualTo(t);
    }
  }

  @Test
  void append_signerFails_throwsItsExceptionAndRecordsNothing() throws Exception {
    Ledger.create(dir);
    AttestException hsmDown = new AttestException("HSM unreachable");
    Signer broken = new Signer() {
      @Override
      public VerificationKey publicKey() {
        return ED25519.publicKey();
      }

      @Override
      public byte[] sign(byte[] signingInput) throws AttestException {
        throw hsmDown;
      }
    };
    try (Ledger ledger = Ledger.open(dir)) {
      EntryRef first = ledger.append("x", event("x", 0), ED25519);

      assertThatThrownBy(() -> ledger.append("x", event("x", 1), broken)).isSameAs(hsmDown);

      assertThat(ledger.size()).isEqualTo(1);
      EntryRef second = ledger.append("x", event("x", 1), ED25519);
      assertThat(second.sequence()).isEqualTo(1);
      assertThat(ledger.entry(1).payload().prev()).isEqualTo(Optional.of(first.hash()));
    }
  }

  @Test
  void append_invalidChainId_throwsIllegalArgumentBeforeSigning() throws Exception {
    Ledger.create(dir);
    try (Ledger ledger = Ledger.open(dir)) {
      assertThatThrownBy(() -> ledger.append("a//b", event("x", 0), ED25519))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a//b");
      assertThat(ledger.size()).isZero();
    }
  }

  @Test
  void append_readOnlyLedger_throwsAttestExceptionSayingReadOnly() throws Exception {
    Ledger.create(dir);
    try (Ledger ledger = Ledger.openReadOnly(dir)) {
      assertThatThrownBy(() -> ledger.append("x", event("x", 0), ED25519))
          .isInstanceOf(AttestException.class).hasMessageContaining("read-only");
    }
  }
}
