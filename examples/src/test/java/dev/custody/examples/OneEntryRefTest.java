package dev.custody.examples;

// The imports a pipeline that records and verifies writes: with a type named EntryRef in two of these
// packages again, this file would not compile ("reference to EntryRef is ambiguous").
import dev.custody.attest.*;
import dev.custody.core.entry.*;
import dev.custody.core.event.*;
import dev.custody.verify.*;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.jws.KeyAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an entry is has one type: what {@code Ledger.append} returns is what the verifier's findings name. */
class OneEntryRefTest {
  @TempDir Path tmp;

  @Test
  void append_thenVerify_theFindingNamesTheSameEntryRefTheLedgerReturned() throws Exception {
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Path dir = tmp.resolve("ledger");
    Ledger.create(dir);
    EntryRef release;
    try (Ledger ledger = Ledger.open(dir)) {
      ArtifactRef m = ledger.model("model", model);
      ledger.append("acme/m", Event.builder(EventType.TRAINING).output(m).build(), key);
      release = ledger.append("acme/m", Event.builder(EventType.RELEASE).output(m)
          .details(new EventDetails.Release("1.0")).build(), key);
      assertThat(ledger.entry(release.logIndex()).payload().event().type() == EventType.RELEASE).isTrue();
    }

    VerificationReport report = LedgerVerifier.builder(TrustedKeys.of(List.of(key.publicKey()))).model(model).build()
        .verify(dir);

    Finding checked = report.findings().stream().filter(f -> f.code() == FindingCode.ARTIFACT_VERIFIED).findFirst()
        .orElseThrow(() -> new AssertionError(report.toText()));
    assertThat(checked.entry().flatMap(RecordRef::entry)).contains(release);
  }
}
