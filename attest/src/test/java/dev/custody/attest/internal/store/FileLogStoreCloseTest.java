package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.attest.TestFixtures;
import dev.custody.attest.Ledger;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileLogStore#close()} signs a final checkpoint when the store appended entries no stored
 * checkpoint covers (issue 9: "a short pipeline run ends NOT_CHECKPOINTED"), and only then.
 */
class FileLogStoreCloseTest {
  private static final String ORIGIN = "example.org/close-test";
  /** So long that only the first batch after open signs automatically: what close adds is all that follows. */
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;

  private void create(Optional<Long> interval) throws Exception {
    Ledger.create(dir, new LogConfig(ORIGIN, interval), new SecureRandom());
  }

  /** Appends {@code n} entries to chain "x" one after the other (each its own batch). */
  private static void appendOneByOne(FileLogStore s, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      await(s.append("x", maker("x", "t")));
    }
  }

  /** The stored {@code checkpoint}, verified with the log key. */
  private Checkpoint latest() throws Exception {
    LogIdentity id = LogIdentity.load(dir, false).orElseThrow();
    byte[] note = Files.readAllBytes(dir.resolve(LedgerLayout.CHECKPOINT));
    return CheckpointVerifier.forLog(id.origin(), id.verifierKey()).verify(note).checkpoint();
  }

  @Test
  void close_threeAppendsAfterTheFirstBatchSigned_signsACheckpointOfAllThree() throws Exception {
    create(Optional.of(HOUR));
    try (FileLogStore s = FileLogStore.open(dir)) {
      appendOneByOne(s, 3);
      assertThat(latest().size()).as("only the first batch was checkpointed automatically").isEqualTo(1);
    }
    assertThat(latest().size()).isEqualTo(3);
    assertThat(dir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(3))).exists();
    try (FileLogStore s = FileLogStore.openReadOnly(dir)) {
      assertThat(latest().rootHash()).isEqualTo(s.rootHash(3));
    }
  }

  @Test
  void close_untouchedWriterOverUncheckpointedEntries_signsNothing() throws Exception {
    create(Optional.of(HOUR));
    try (FileLogStore s = FileLogStore.open(dir)) {
      appendOneByOne(s, 3);
    }
    // As if the writer had died before its final checkpoint: entries 1 and 2 are not covered.
    Files.delete(dir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(3)));
    Files.copy(dir.resolve(LedgerLayout.CHECKPOINTS).resolve(LedgerLayout.checkpointName(1)),
        dir.resolve(LedgerLayout.CHECKPOINT), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Map<String, String> before = TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS));
    String latestBefore = Files.readString(dir.resolve(LedgerLayout.CHECKPOINT));

    FileLogStore.open(dir).close();

    assertThat(TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS))).isEqualTo(before);
    assertThat(Files.readString(dir.resolve(LedgerLayout.CHECKPOINT))).isEqualTo(latestBefore);
  }

  @Test
  void close_readOnlyWhileAWriterHasUncheckpointedEntries_signsNothing() throws Exception {
    create(Optional.of(HOUR));
    try (FileLogStore writer = FileLogStore.open(dir)) {
      appendOneByOne(writer, 3);
      Map<String, String> before = TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS));

      FileLogStore.openReadOnly(dir).close();

      assertThat(TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS))).isEqualTo(before);
      assertThat(latest().size()).isEqualTo(1);
    }
    assertThat(latest().size()).as("the writer's own close").isEqualTo(3);
  }

  @Test
  void close_automaticCheckpointsOff_signsNothing() throws Exception {
    create(Optional.empty());
    Map<String, String> before = TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS));
    try (FileLogStore s = FileLogStore.open(dir)) {
      appendOneByOne(s, 3);
    }
    assertThat(TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS))).isEqualTo(before);
    assertThat(latest().size()).as("the empty tree's, from creation").isZero();
  }

  @Test
  void close_anotherWriterAlreadyCheckpointedEverything_signsNothingNew() throws Exception {
    create(Optional.of(HOUR));
    try (FileLogStore s = FileLogStore.open(dir)) {
      appendOneByOne(s, 2);
      try (FileLogStore other = FileLogStore.open(dir)) {
        other.signCheckpoint();
      }
      Map<String, String> before = TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS));
      s.close();
      assertThat(TestFixtures.snapshot(dir.resolve(LedgerLayout.CHECKPOINTS))).isEqualTo(before);
    }
    assertThat(latest().size()).isEqualTo(2);
  }

  @Test
  void signCheckpoint_concurrentWithAppendsAndClose_neitherFailsAndTheLastCoversEverything() throws Exception {
    create(Optional.of(HOUR));
    FileLogStore s = FileLogStore.open(dir);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Thread signer = new Thread(() -> {
      try {
        for (int i = 0; i < 40; i++) {
          s.signCheckpoint();
        }
      } catch (Exception e) {
        failure.set(e);
      }
    });
    signer.start();
    appendOneByOne(s, 20);
    s.close();
    signer.join();
    assertThat(failure.get()).isNull();
    assertThat(s.signCheckpoint().encoded()).as("signing after close, as before").isNotEmpty();
    assertThat(latest().size()).isEqualTo(20);
  }
}
