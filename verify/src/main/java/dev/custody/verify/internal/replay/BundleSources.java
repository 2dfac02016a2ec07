package dev.custody.verify.internal.replay;

import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.RecordRef;

import dev.custody.core.bundle.EvidenceBundle;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.RawRecord;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.policy.CertificateSource;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a replay reads from an evidence bundle in place of a ledger directory: its records, in bundle
 * (log) order, as the segments would hand them over; the certificate chains its signers recorded;
 * the manifests its entries reference. Stateless.
 */
public final class BundleSources {
  private BundleSources() {}

  /** Hands every entry's record to {@code visitor}: log index, the bundle file, its 1-based position. */
  public static void records(Path file, EvidenceBundle bundle, LogReader.Visitor visitor) throws IOException {
    List<EvidenceBundle.Entry> entries = bundle.entries();
    for (int i = 0; i < entries.size(); i++) {
      EvidenceBundle.Entry e = entries.get(i);
      visitor.record(new RawRecord(e.logIndex(), file, i + 1L, 0, e.record().toByteArray(), false, true));
    }
  }

  /** The certificate chains the bundle carries, by key id (untrusted, as a ledger's certificates/ are). */
  public static CertificateSource certificates(EvidenceBundle bundle) {
    return keyId -> Optional.ofNullable(bundle.certificates().get(keyId)).map(Bytes::toByteArray);
  }

  /** The manifests the bundle carries, by the digest of their bytes (checked by {@link ManifestFiles#read}). */
  public static ManifestFiles.Store manifests(Path file, EvidenceBundle bundle) {
    return new ManifestFiles.Store() {
      @Override
      public String name(Digest bytesDigest) {
        return Untrusted.quote(file.toString()) + " manifest " + bytesDigest;
      }

      @Override
      public byte[] bytes(Digest bytesDigest) throws NoSuchFileException {
        Bytes b = bundle.manifests().get(bytesDigest);
        if (b == null) {
          throw new NoSuchFileException(name(bytesDigest), null, "not in the bundle");
        }
        return b.toByteArray();
      }
    };
  }
}
