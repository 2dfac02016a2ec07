package dev.custody.attest;

import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.note.VerifierKey;
import java.util.Objects;

/**
 * What a ledger's checkpoints are signed as: its origin (the first line of every checkpoint), its
 * checkpoint settings, and the public key that verifies them. Public by design: an auditor is
 * handed the verifier key to check the ledger's checkpoints; the private key never appears here.
 *
 * @param config the origin and checkpoint interval ({@code log/config.json})
 * @param verifierKey the log's note verifier key ({@code log/log.vkey}), named by the origin
 */
public record LogInfo(LogConfig config, VerifierKey verifierKey) {
  public LogInfo {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(verifierKey, "verifierKey");
    if (!verifierKey.name().equals(config.origin())) {
      throw new IllegalArgumentException("verifier key name " + verifierKey.name() + " is not the log origin "
          + config.origin());
    }
  }

  /** The log's origin, e.g. {@code custody.local/3f2a…}. */
  public String origin() {
    return config.origin();
  }

  /** A verifier of this log's checkpoints (origin and key pinned). */
  public CheckpointVerifier checkpointVerifier() {
    return CheckpointVerifier.forLog(origin(), verifierKey);
  }
}
