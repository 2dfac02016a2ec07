package dev.custody.attest.internal.witness;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The witness refused an authentic checkpoint because it is not consistent with the last one it
 * cosigned for that log. Nothing was cosigned, the state is unchanged, and the evidence (both
 * signed checkpoints verbatim and the proof) was written to {@link #evidenceFile()}.
 */
public final class InconsistentCheckpointException extends WitnessException {
  private static final long serialVersionUID = 1L;

  private final transient ForkEvidence evidence;
  private final transient Path evidenceFile;

  InconsistentCheckpointException(ForkEvidence evidence, Path evidenceFile) {
    super(evidence.kind().summary() + ": " + evidence.headline() + "; evidence written to " + evidenceFile
        + (evidence.kind().conclusive()
            ? " (conclusive: hand this file to the log's users and other witnesses)"
            : " (not conclusive on its own; see the explanation in the file)"));
    this.evidence = Objects.requireNonNull(evidence, "evidence");
    this.evidenceFile = Objects.requireNonNull(evidenceFile, "evidenceFile");
  }

  public ForkEvidence evidence() {
    return evidence;
  }

  public Path evidenceFile() {
    return evidenceFile;
  }
}
