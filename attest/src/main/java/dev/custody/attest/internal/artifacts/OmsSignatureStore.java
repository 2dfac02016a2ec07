package dev.custody.attest.internal.artifacts;

import dev.custody.attest.internal.store.ArtifactStore;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import java.io.IOException;
import java.util.Objects;

/**
 * Keeps a base model's OpenSSF model signature and the key or roots it was checked with in a ledger
 * ({@link OmsSignatureFiles} describes the names and annotations), and names them on the artifact. Where
 * the bytes go is the ledger's {@link ArtifactStore}: files of {@code oms-signatures/} in a ledger
 * directory, rows of {@code custody_oms_signatures} in a database. They are content-addressed and stored
 * durably before {@link #put} returns the artifact that names them, so callers append the entry after;
 * an identical copy already stored is kept.
 *
 * <p>Thread-safe and safe across processes: concurrent writers of one file write the same bytes under the
 * same name.
 */
public final class OmsSignatureStore {
  private final ArtifactStore artifacts;

  private OmsSignatureStore(ArtifactStore artifacts) {
    this.artifacts = artifacts;
  }

  /** The OpenSSF signatures kept in {@code artifacts}. */
  public static OmsSignatureStore over(ArtifactStore artifacts) {
    return new OmsSignatureStore(Objects.requireNonNull(artifacts, "artifacts"));
  }

  /**
   * Stores {@code signature} and {@code trust} and returns {@code artifact} with the annotations that
   * name them and the {@code method} ({@code key} or {@code certificate}). Checks nothing about the
   * signature: callers verify it first.
   *
   * @throws IllegalArgumentException if a file is empty or larger than its kind may be (nothing is stored then)
   * @throws IllegalStateException if the store was opened read-only
   */
  public ArtifactRef put(ArtifactRef artifact, byte[] signature, byte[] trust, String method) throws IOException {
    Digest sig = Digest.sha256(signature);
    Digest key = Digest.sha256(trust);
    String sigName = OmsSignatureFiles.signatureName(sig);
    String trustName = OmsSignatureFiles.trustName(key);
    // Validate the annotations and both files before anything is written.
    ArtifactRef annotated = artifact.withAnnotation(OmsSignatureFiles.SIGNATURE_ANNOTATION, sig.toString())
        .withAnnotation(OmsSignatureFiles.TRUST_ANNOTATION, key.toString())
        .withAnnotation(OmsSignatureFiles.METHOD_ANNOTATION, method);
    OmsSignatureFiles.requireStorable(sigName, signature);
    OmsSignatureFiles.requireStorable(trustName, trust);
    artifacts.putOmsFile(sigName, signature);
    artifacts.putOmsFile(trustName, trust);
    return annotated;
  }

  @Override
  public String toString() {
    return "OmsSignatureStore[" + artifacts.describe() + "]";
  }
}
