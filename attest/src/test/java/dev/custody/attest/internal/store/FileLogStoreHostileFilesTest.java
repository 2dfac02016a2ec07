package dev.custody.attest.internal.store;

import static dev.custody.attest.TestFixtures.maker;
import static dev.custody.attest.internal.store.LogStoreContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.internal.ledger.UnsafeFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an insider with file access tries on the files this branch added or changed: the lock file's
 * tail note, temporary names, oversize files, hard links. Each is handled without damage.
 */
class FileLogStoreHostileFilesTest {
  @TempDir Path dir;
  @TempDir Path outside;

  @BeforeEach
  void setUp() throws Exception {
    Ledger.create(dir, new LogConfig("example.org/hostile", Optional.of(0L)), new SecureRandom());
    try (FileLogStore s = FileLogStore.open(dir)) {
      for (int i = 0; i < 3; i++) {
        await(s.append("x", maker("x", "t")));
      }
    }
  }

  private Path lock() {
    return dir.resolve(LedgerLayout.LOCK);
  }

  /** What someone with file access (no lock) writes into the lock file. */
  private void writeNote(TailNote note) throws Exception {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock(),
        java.nio.file.StandardOpenOption.WRITE)) {
      note.write(ch);
    }
  }

  @Test
  void open_lockFileHoldsGarbage_opensAndNotesTheTailAgain() throws Exception {
    Files.writeString(lock(), "custody-tail/v1 not a note at all\n" + "x".repeat(10_000));
    try (FileLogStore s = FileLogStore.open(dir)) {
      await(s.append("x", maker("x", "t")));
      assertThat(s.size()).isEqualTo(4);
    }
    assertThat(Files.readString(lock())).startsWith("custody-tail/v1 00000000000000000000 ");
  }

  @Test
  void open_lockFileNotesAnEndFarBeyondTheSegment_opensAndNotesTheTailAsFound() throws Exception {
    long size = Files.size(dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(0)));
    writeNote(new TailNote(0, 9_000_000_000_000_000_000L, Long.MAX_VALUE,
        Optional.of(dev.custody.core.Digest.sha256(new byte[0]))));
    try (FileLogStore s = FileLogStore.open(dir)) {
      await(s.append("x", maker("x", "t")));
    }
    TailNote now = TailNote.decode(Files.readAllBytes(lock())).orElseThrow();
    assertThat(now.end()).isGreaterThan(size).isLessThan(2 * size);
  }

  @Test
  void append_lockNoteForgedBetweenBatches_stopsWithoutChangingTheSegment() throws Exception {
    Path seg = dir.resolve(LedgerLayout.SEGMENTS).resolve(LedgerLayout.segmentName(0));
    try (FileLogStore s = FileLogStore.open(dir)) {
      await(s.append("x", maker("x", "t")));
      byte[] before = Files.readAllBytes(seg);
      writeNote(new TailNote(0, 0, 10, Optional.of(dev.custody.core.Digest.sha256(new byte[0]))));
      assertThatThrownBy(() -> await(s.append("x", maker("x", "t")))).hasRootCauseInstanceOf(
          ForeignWriteException.class);
      assertThat(Files.readAllBytes(seg)).isEqualTo(before);
    }
  }

  @Test
  void open_lockHardLinkedOutside_refusedAndTheOtherNameUntouched() throws Exception {
    Path other = Files.createLink(outside.resolve("same-inode"), lock());
    byte[] before = Files.readAllBytes(other);
    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(UnsafeFileException.class)
        .hasMessageContaining("lock").hasMessageContaining("has 2 hard links");
    assertThat(Files.readAllBytes(other)).isEqualTo(before);
  }

  @Test
  void open_checkpointFileOverTheLimit_refusedNamingIt() throws Exception {
    Files.write(dir.resolve(LedgerLayout.CHECKPOINT), new byte[LedgerLayout.MAX_CHECKPOINT_FILE_BYTES + 1]);
    assertThatThrownBy(() -> FileLogStore.open(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("checkpoint").hasMessageContaining("over " + LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
  }

  @Test
  void open_directoryNamedLikeATemporaryFile_leftAlone() throws Exception {
    Path d = Files.createDirectories(dir.resolve(LedgerLayout.CHECKPOINTS).resolve(".3.0123456789abcdef.tmp"));
    Files.writeString(d.resolve("inside"), "someone's");
    try (FileLogStore s = FileLogStore.open(dir)) {
      await(s.append("x", maker("x", "t")));
    }
    assertThat(Files.readString(d.resolve("inside"))).isEqualTo("someone's");
  }

  @Test
  void open_temporaryNamesOfOtherShapes_notDeleted() throws Exception {
    // Only custody's own patterns are removed: a hidden file of another shape is left where it is.
    Path mine = Files.writeString(dir.resolve(".checkpoint.0123456789abcdef.tmp"), "ours");
    Path notMine = Files.writeString(dir.resolve(".notes.tmp"), "someone's");
    Path notMine2 = Files.writeString(dir.resolve(LedgerLayout.CHECKPOINTS).resolve("3.tmp"), "someone's");
    try (FileLogStore s = FileLogStore.open(dir)) {
      assertThat(s.repairs()).anyMatch(r -> r.contains(".checkpoint.0123456789abcdef.tmp"));
    }
    assertThat(mine).doesNotExist();
    assertThat(Files.readString(notMine, StandardCharsets.UTF_8)).isEqualTo("someone's");
    assertThat(Files.readString(notMine2, StandardCharsets.UTF_8)).isEqualTo("someone's");
  }
}
