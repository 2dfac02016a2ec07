package dev.custody.core.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.custody.core.FormatException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SmallFiles}: the one bounded read of a user-named file. */
class SmallFilesTest {
  @TempDir Path dir;

  @Test
  void read_smallRegularFile_returnsItsBytes() throws Exception {
    Path f = Files.write(dir.resolve("k"), new byte[] {1, 2, 3});
    assertThat(SmallFiles.read(f, 3, "key")).containsExactly(1, 2, 3);
  }

  @Test
  void read_overLimit_refusedNamingFileLimitAndWhat() throws Exception {
    Path f = Files.write(dir.resolve("big"), new byte[11]);
    assertThatThrownBy(() -> SmallFiles.read(f, 10, "private key"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("'" + f + "'").hasMessageContaining("10 bytes").hasMessageContaining("private key");
  }

  @Test
  void read_devZero_refusedBeforeReading() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThatThrownBy(() -> SmallFiles.read(Path.of("/dev/zero"), 1 << 20, "private key"))
            .isInstanceOf(FormatException.class).hasMessageContaining("/dev/zero")
            .hasMessageContaining("not a regular file"));
  }

  @Test
  void read_fifoWithoutWriter_refusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThatThrownBy(() -> SmallFiles.read(fifo, 100, "event JSON"))
            .isInstanceOf(FormatException.class).hasMessageContaining("pipe").hasMessageContaining("FIFO"));
  }

  @Test
  void read_directory_refusedNamingIt() {
    assertThatThrownBy(() -> SmallFiles.read(dir, 100, "checkpoint"))
        .isInstanceOf(FormatException.class).hasMessageContaining("'" + dir + "' is a directory")
        .hasMessageContaining("checkpoint");
  }

  @Test
  void read_missing_noSuchFileNamingFileAndWhat() {
    Path f = dir.resolve("absent.key");
    assertThatThrownBy(() -> SmallFiles.read(f, 100, "private key"))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent.key")
        .hasMessageContaining("private key");
  }

  @Test
  void read_symlinkWithNoFollow_refused() throws Exception {
    Path target = Files.write(dir.resolve("target"), new byte[] {7});
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThat(SmallFiles.read(link, 10, "key")).containsExactly(7);
    assertThatThrownBy(() -> SmallFiles.read(link, 10, "key", LinkOption.NOFOLLOW_LINKS))
        .isInstanceOf(FormatException.class).hasMessageContaining("symbolic link");
  }

  @Test
  void read_hostileFileName_quotedInMessage() throws Exception {
    Path f = Files.createDirectory(dir.resolve("evil\u202Egpj.key"));
    assertThatThrownBy(() -> SmallFiles.read(f, 10, "key"))
        .isInstanceOf(FormatException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u202E").contains("\\u202E"));
  }
}
