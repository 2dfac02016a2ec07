package dev.custody.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import dev.custody.core.FormatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerLayoutTest {
  @TempDir Path dir;

  @Test
  void checkpointFiles_timestampSidecars_pairedWithTheirCheckpointOtherwiseStray() throws Exception {
    Path cps = Files.createDirectories(dir.resolve(LedgerLayout.CHECKPOINTS));
    for (String name : new String[] {"3", "3.tsr", "7", "9.tsr", "07.tsr", "7.tsr.tmp", ".7.tsr.123.tmp", "x.tsr"}) {
      Files.writeString(cps.resolve(name), name);
    }
    LedgerLayout.CheckpointFiles files = LedgerLayout.checkpointFiles(dir);
    assertThat(files.bySize()).containsOnlyKeys(3L, 7L);
    assertThat(files.timestamps()).containsOnlyKeys(3L);
    assertThat(files.timestamps().get(3L)).isEqualTo(cps.resolve("3.tsr"));
    assertThat(files.stray()).extracting(p -> p.getFileName().toString())
        .containsExactly("07.tsr", "7.tsr.tmp", "9.tsr", "x.tsr");
    // A temporary file of an interrupted atomic write (as versions before 0.2 named it) is a leftover, not a stray.
    assertThat(files.temporaries()).extracting(p -> p.getFileName().toString()).containsExactly(".7.tsr.123.tmp");
  }

  @Test
  void isSegmentName_whatSegmentNameWrites_accepted() {
    for (long first : new long[] {0, 1, 4096, 1_000_000_000_000L, Long.MAX_VALUE}) {
      String name = LedgerLayout.segmentName(first);
      assertThat(LedgerLayout.isSegmentName(name)).as(name).isTrue();
      assertThat(LedgerLayout.firstIndexOf(Path.of(name))).isEqualTo(first);
    }
  }

  @Test
  void isSegmentName_otherSpellings_rejected() {
    for (String name : new String[] {"0.jsonl", "0000000000000000000.jsonl", "000000000000000000000.jsonl",
        "00000000000000000000.json", "00000000000000000000.jsonl.tmp", "0000000000000000000a.jsonl",
        "-0000000000000000001.jsonl", "+0000000000000000001.jsonl", "00000000000000000000.JSONL",
        "09223372036854775808.jsonl", "99999999999999999999.jsonl", "00000000000000000000.jsonl\n", ""}) {
      assertThat(LedgerLayout.isSegmentName(name)).as(name).isFalse();
    }
  }

  @Test
  void segments_nameBeyondLongMax_unexpectedFileNotACrash() throws Exception {
    // 20 digits hold more than a long: such a name passed the old pattern and overflowed firstIndexOf.
    Files.createDirectories(dir.resolve(LedgerLayout.SEGMENTS));
    Files.writeString(dir.resolve(LedgerLayout.SEGMENTS).resolve("99999999999999999999.jsonl"), "");
    assertThatThrownBy(() -> LedgerLayout.segments(dir)).isInstanceOf(FormatException.class)
        .hasMessageContaining("99999999999999999999.jsonl").hasMessageContaining("unexpected file");
  }

  @Test
  void firstIndexOf_notASegmentName_namesIt() {
    assertThatThrownBy(() -> LedgerLayout.firstIndexOf(Path.of("99999999999999999999.jsonl")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'99999999999999999999.jsonl'");
  }

  @Test
  void parentOf_fileInADirectory_isTheDirectory_aRootIsRefusedNamingIt() {
    assertThat(LedgerFiles.parentOf(Path.of("/ledger/index/rows-0"))).isEqualTo(Path.of("/ledger/index"));
    assertThat(LedgerFiles.parentOf(Path.of("ledger/segments"))).isEqualTo(Path.of("ledger"));
    assertThatThrownBy(() -> LedgerFiles.parentOf(Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("/ has no parent directory");
    assertThatThrownBy(() -> LedgerFiles.parentOf(Path.of("ledger"))).hasMessage("ledger has no parent directory");
  }
}
