package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the model manifest reader (OMS predicate JSON, as stored in {@code manifests/}): a
 * manifest whose own JSON parses back to an equal manifest with the same root digest, or a
 * {@link FormatException}.
 */
class ModelManifestFuzzTest {

  @FuzzTest
  void parse_anyBytes_manifestThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> ModelManifest.parse(data), m -> {
      byte[] json = m.toJson();
      ModelManifest back = ModelManifest.parse(json);
      assertThat(back).isEqualTo(m);
      assertThat(back.rootDigest()).isEqualTo(m.rootDigest());
      assertThat(back.toJson()).isEqualTo(json);
    });
  }
}
