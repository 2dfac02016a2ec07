package dev.custody.core.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the evidence bundle reader ({@link EvidenceBundle#parse}): any bytes give a bundle that writes
 * back to bytes which parse to an equal bundle and write identically, or a {@link FormatException}.
 */
class EvidenceBundleFuzzTest {

  @FuzzTest
  void parse_anyBytes_bundleThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> EvidenceBundle.parse(data, "fuzz"), b -> {
      byte[] written = b.toBytes();
      EvidenceBundle back = EvidenceBundle.parse(written, "written");
      assertThat(back).isEqualTo(b);
      assertThat(back.toBytes()).isEqualTo(written);
    });
  }
}
