package dev.custody.core.timestamp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the RFC 3161 response reader ({@code .tsr} files, TSA answers): a granted response with a
 * token that keeps exactly its input bytes and has a time, or a {@link TimestampException}.
 */
class TimestampTokenFuzzTest {

  @FuzzTest
  void parse_anyBytes_tokenOrTimestampException(byte[] data) {
    TimestampToken t;
    try {
      t = TimestampToken.parse(data);
    } catch (TimestampException expected) {
      return;
    }
    assertThat(t.encoded().toByteArray()).isEqualTo(data);
    assertThat(t.unverifiedGenTime()).isNotNull();
  }
}
