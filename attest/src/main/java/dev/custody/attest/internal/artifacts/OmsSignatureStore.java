package dev.custody.attest.internal.artifacts;

import dev.custody.attest.internal.store.DurableFiles;
import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Keeps a base model's OpenSSF model signature and the key or roots it was checked with in the
 * ledger ({@link OmsSignatureFiles} describes the layout), and names them on the artifact. The
 * files are content-addressed and written whole before the entry that names them is appended; an
 * identical file already there is kept.
 */
public final class OmsSignatureStore {
  private OmsSignatureStore() {}

  /**
   * Stores {@code signature} and {@code trust} and returns {@code artifact} with the annotations that
   * name them and the {@code method} ({@code key} or {@code certificate}).
   *
   * @throws FormatException if {@code ledgerDir} is not a ledger
   */
  public static ArtifactRef put(Path ledgerDir, ArtifactRef artifact, byte[] signature, byte[] trust, String method)
      throws IOException, FormatException {
    LedgerLayout.requireLedger(ledgerDir);
    Digest sig = Digest.sha256(signature);
    Digest key = Digest.sha256(trust);
    ArtifactRef annotated = artifact.withAnnotation(OmsSignatureFiles.SIGNATURE_ANNOTATION, sig.toString())
        .withAnnotation(OmsSignatureFiles.TRUST_ANNOTATION, key.toString())
        .withAnnotation(OmsSignatureFiles.METHOD_ANNOTATION, method);
    write(ledgerDir, OmsSignatureFiles.signaturePath(ledgerDir, sig), signature, sig);
    write(ledgerDir, OmsSignatureFiles.trustPath(ledgerDir, key), trust, key);
    return annotated;
  }

  private static void write(Path ledgerDir, Path target, byte[] bytes, Digest digest)
      throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(ledgerDir);
    Path dir = target.getParent();
    if (!files.isDirectory(dir)) {
      files.createDirectories(dir);
      DurableFiles.syncDirectory(ledgerDir);
    }
    if (files.isFile(target)) {
      try {
        if (Digest.sha256(files.read(target, bytes.length)).equals(digest)) {
          return;
        }
      } catch (FormatException tooLarge) {
        // a damaged, longer copy: replaced below
      }
    }
    DurableFiles.replace(target, bytes);
  }
}
