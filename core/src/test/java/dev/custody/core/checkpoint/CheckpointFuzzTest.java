package dev.custody.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.note.VerifierKey;
import java.util.List;

/**
 * Fuzzes checkpoint bodies (C2SP tlog-checkpoint) and whole cosigned checkpoint notes. A body is a
 * checkpoint that formats back to exactly its input, or a {@link FormatException}. A note checked by
 * {@link CheckpointVerifier} (the log and witness keys of the seed notes, which custody made) is a
 * verified checkpoint with well-formed cosignatures, or one of the verifier's documented checked
 * exceptions — never another exception.
 */
class CheckpointFuzzTest {
  /** Origin and keys of the seed notes in {@code CheckpointFuzzTestInputs/verify_…}: made by custody init / witness init. */
  static final String ORIGIN = "fuzz.example/log";
  static final String LOG_KEY = "fuzz.example/log+726fdce7+AblDGGBdsURglUrjXDPK0OlwbkcwnzWOmOedsAwIoFkS";
  static final String WITNESS_KEY = "witness.example+c3fd3c89+BI/cjiFKYsM3pAg5RAW54scoYBya9ayfdeh+H1dtfXwP";

  @FuzzTest
  void parse_anyBytes_exactCheckpointOrFormatException(byte[] data) {
    Checkpoint c;
    try {
      c = Checkpoint.parse(data);
    } catch (FormatException expected) {
      return;
    }
    assertThat(c.toBytes()).isEqualTo(data);
    assertThat(c.size()).isNotNegative();
  }

  @FuzzTest
  void verify_anyNote_verifiedCheckpointOrCheckedException(byte[] data) throws FormatException {
    CheckpointVerifier verifier = CheckpointVerifier.forLog(ORIGIN, VerifierKey.parse(LOG_KEY))
        .withWitnesses(List.of(VerifierKey.parse(WITNESS_KEY)), 0);
    VerifiedCheckpoint v;
    try {
      v = verifier.verify(data);
    } catch (CustodyException expected) { // FormatException, NoteVerificationException, CheckpointException
      return;
    }
    assertThat(v.checkpoint().origin()).isEqualTo(ORIGIN);
    for (Cosignature c : v.cosignatures()) {
      assertThat(c.timestamp()).isNotNegative();
    }
  }
}
