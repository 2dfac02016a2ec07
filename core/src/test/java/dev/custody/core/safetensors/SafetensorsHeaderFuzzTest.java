package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the safetensors header parser on files of any bytes: a header whose tensors exactly tile
 * the data section, or a {@link SafetensorsException} naming the file — never another exception.
 */
class SafetensorsHeaderFuzzTest {
  /** One scratch file, rewritten for each input (the parser reads files, as {@code custody fingerprint} does). */
  private static final Path FILE = scratchFile();

  private static Path scratchFile() {
    try {
      Path p = Files.createTempFile("fuzz-", ".safetensors");
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void read_anyFile_headerTilingTheDataOrSafetensorsException(byte[] data) throws IOException {
    Files.write(FILE, data);
    SafetensorsHeader h;
    try {
      h = SafetensorsHeader.read(FILE);
    } catch (SafetensorsException e) {
      assertThat(e.getMessage()).startsWith(FILE.toString());
      return;
    }
    long covered = h.tensors().stream().mapToLong(TensorInfo::byteLength).sum();
    assertThat(covered).isEqualTo(h.dataLength());
    assertThat(h.dataStart() + h.dataLength()).isEqualTo(data.length);
  }
}
