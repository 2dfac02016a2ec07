package dev.custody.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;

/**
 * Fuzzes the model manifest reader (OMS predicate JSON, as stored in {@code manifests/}): a
 * manifest whose own JSON parses back to an equal manifest with the same root digest, or a
 * {@link FormatException}.
 */
class ModelManifestFuzzTest {

  @FuzzTest
  void parse_anyBytes_manifestThatRoundTripsOrFormatException(byte[] data) {
    ModelManifest m;
    try {
      m = ModelManifest.parse(data);
    } catch (FormatException expected) {
      return;
    }
    byte[] json = m.toJson();
    ModelManifest back;
    try {
      back = ModelManifest.parse(json);
    } catch (FormatException e) {
      throw new AssertionError("custody's own JSON of an accepted manifest is rejected: " + e.getMessage(), e);
    }
    assertThat(back).isEqualTo(m);
    assertThat(back.rootDigest()).isEqualTo(m.rootDigest());
    assertThat(back.toJson()).isEqualTo(json);
  }
}
