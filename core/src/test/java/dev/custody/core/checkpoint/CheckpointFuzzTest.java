package dev.custody.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import dev.custody.core.note.VerifierKey;
import java.util.List;

/**
 * Fuzzes checkpoint bodies (C2SP tlog-checkpoint) and whole cosigned checkpoint notes. A body is a
 * checkpoint that formats back to exactly its input, or a {@link FormatException}. A note checked by
 * {@link CheckpointVerifier} with the log and witness keys of the seed notes (made by custody) is a
 * verified checkpoint with well-formed cosignatures, or one of the verifier's documented checked
 * exceptions ({@link FormatException}, {@code NoteVerificationException}, {@link CheckpointException}).
 */
class CheckpointFuzzTest {
  /** Origin and keys of the seed notes in {@code CheckpointFuzzTestInputs/verify_…} (custody init, witness init). */
  static final String ORIGIN = "fuzz.example/log";
  static final String LOG_KEY = "fuzz.example/log+726fdce7+AblDGGBdsURglUrjXDPK0OlwbkcwnzWOmOedsAwIoFkS";
  static final String WITNESS_KEY = "witness.example+c3fd3c89+BI/cjiFKYsM3pAg5RAW54scoYBya9ayfdeh+H1dtfXwP";

  @FuzzTest
  void parse_anyBytes_exactCheckpointOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> Checkpoint.parse(data), c -> {
      assertThat(c.toBytes()).isEqualTo(data);
      assertThat(c.size()).isNotNegative();
    });
  }

  @FuzzTest
  void verify_anyNote_verifiedCheckpointOrCheckedException(byte[] data) throws Exception {
    CheckpointVerifier verifier = CheckpointVerifier.forLog(ORIGIN, VerifierKey.parse(LOG_KEY))
        .withWitnesses(List.of(VerifierKey.parse(WITNESS_KEY)), 0);
    Fuzz.valueOrRejected(CustodyException.class, () -> verifier.verify(data), v -> {
      assertThat(v.checkpoint().origin()).isEqualTo(ORIGIN);
      assertThat(v.cosignatures()).allSatisfy(c -> assertThat(c.timestamp()).isNotNegative());
    });
  }
}
