package dev.custody.attest.internal.witness;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;

/**
 * Fuzzes the reader of {@code custody prove consistency --json} output (the PROOF argument of
 * {@code witness cosign}): a proof whose own JSON parses back to an equal proof, or a
 * {@link FormatException}.
 */
class ConsistencyProofFileFuzzTest {

  @FuzzTest
  void parse_anyBytes_proofThatRoundTripsOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> ConsistencyProofFile.parse(data), p -> {
      ConsistencyProofFile back = ConsistencyProofFile.parse(p.toBytes());
      assertThat(back).isEqualTo(p);
      assertThat(back.toBytes()).isEqualTo(p.toBytes());
      p.toProof();
    });
  }
}
