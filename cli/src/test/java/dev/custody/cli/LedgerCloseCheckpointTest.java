package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.Ledger;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.note.VerifierKey;
import dev.custody.verify.FindingCode;
import dev.custody.verify.LedgerVerifier;
import dev.custody.verify.Severity;
import dev.custody.verify.TrustedKeys;
import dev.custody.verify.VerificationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: "a short pipeline run ends NOT_CHECKPOINTED". A ledger created with the defaults
 * (automatic checkpoints every second), three appends in a row and {@code close()}: the verifier
 * finds every entry in a checkpoint, because closing the store signed the final one.
 */
class LedgerCloseCheckpointTest {
  @TempDir Path dir;

  @Test
  void close_afterThreeAppendsWithinTheInterval_verifiesWithoutNotCheckpointed() throws Exception {
    Path ledger = dir.resolve("ledger");
    Ledger.create(ledger);
    try (Ledger l = Ledger.open(ledger)) {
      for (int i = 0; i < 3; i++) {
        l.append("acme/model", TestFixtures.event("step", i), TestFixtures.ED25519);
      }
    }
    VerifierKey logKey = VerifierKey.parse(Files.readString(ledger.resolve(LedgerLayout.LOG_VKEY)).strip());
    VerificationReport r = LedgerVerifier.builder(TrustedKeys.of(List.of(TestFixtures.ED25519.publicKey())))
        .logKeys(List.of(logKey)).build().verify(ledger);

    assertThat(r.findings()).noneMatch(f -> f.code() == FindingCode.NOT_CHECKPOINTED);
    assertThat(r.findings()).noneMatch(f -> f.severity() == Severity.ERROR);
  }
}
