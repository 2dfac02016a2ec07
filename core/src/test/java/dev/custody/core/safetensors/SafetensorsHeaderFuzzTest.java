package dev.custody.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.Fuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the safetensors header parser on files of any bytes: a header whose tensors exactly tile
 * the data section to the end of the file, or a {@link SafetensorsException} — never another exception.
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
  void read_anyFile_headerTilingTheDataOrSafetensorsException(byte[] data) throws Exception {
    Files.write(FILE, data);
    Fuzz.valueOrRejected(SafetensorsException.class, () -> SafetensorsHeader.read(FILE), h -> {
      assertThat(h.tensors().stream().mapToLong(TensorInfo::byteLength).sum()).isEqualTo(h.dataLength());
      assertThat(h.dataStart() + h.dataLength()).isEqualTo(data.length);
    });
  }
}
