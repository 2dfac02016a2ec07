package dev.custody.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
}
