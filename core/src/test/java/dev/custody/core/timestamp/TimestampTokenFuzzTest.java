package dev.custody.core.timestamp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the RFC 3161 response reader ({@code .tsr} files, TSA answers): a granted response whose
 * token keeps exactly its input bytes and has a time, or a {@link TimestampException}.
 */
class TimestampTokenFuzzTest {

  @FuzzTest
  void parse_anyBytes_tokenOrTimestampException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(TimestampException.class, () -> TimestampToken.parse(data), t -> {
      assertThat(t.encoded().toByteArray()).isEqualTo(data);
      assertThat(t.unverifiedGenTime()).isNotNull();
    });
  }
}
