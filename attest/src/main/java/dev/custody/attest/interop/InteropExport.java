package dev.custody.attest.interop;

import dev.custody.attest.AttestException;
import dev.custody.attest.Signer;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.ledger.LogReader;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.internal.ledger.RawRecord;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point of {@code custody export --format intoto|oms}: the ledger's entries, or a released
 * model, in the ecosystem's formats, signed now with the exporter's key.
 *
 * <ul>
 *   <li>{@link Format#INTOTO}: one Sigstore bundle v0.3 per entry (see {@link InTotoExport}), as JSON
 *       Lines (one bundle per line, log order), for every entry of the ledger or of one chain;
 *   <li>{@link Format#OMS}: one OMS v1.0 signature (see {@link OmsExport}) of the model released by
 *       the chain's newest {@code release} entry whose output has a stored manifest.
 * </ul>
 * Entries are read as stored; a record that does not parse stops the export naming it (export what
 * {@code custody verify} accepts).
 */
public final class InteropExport {
  /** The formats. */
  public enum Format {
    INTOTO, OMS;

    /** The format named on the command line ({@code intoto}, {@code oms}). */
    public static Format fromCliName(String name) {
      for (Format f : values()) {
        if (f.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown export format " + Untrusted.quote(name, 40) + " (expected intoto or oms)");
    }
  }

  private InteropExport() {}

  /** Carries a custody exception out of a {@link LogReader.Visitor}, whose methods may throw only IOException. */
  private static final class Stopped extends IOException {
    private static final long serialVersionUID = 1L;

    Stopped(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Writes the export of {@code ledgerDir} (only {@code chain}'s entries when given; OMS needs a chain).
   *
   * @return how many bundles were written
   * @throws FormatException if a record does not parse, or (OMS) the chain has no release with a stored manifest
   */
  public static int write(Path ledgerDir, Optional<String> chain, Format format, Signer signer, OutputStream out)
      throws IOException, FormatException, AttestException {
    Objects.requireNonNull(chain, "chain");
    if (format == Format.OMS) {
      String c = chain.orElseThrow(() -> new IllegalArgumentException("--format oms needs the chain whose release to sign"));
      ArtifactRef model = newestRelease(ledgerDir, c);
      Optional<dev.custody.core.Digest> stored = ManifestFiles.manifestDigest(model);
      ModelManifest manifest = ManifestFiles.read(ledgerDir, stored.orElseThrow(), model.digest());
      out.write(OmsExport.sign(manifest, model.name(), signer));
      out.write('\n');
      return 1;
    }
    int[] count = {0};
    try {
      LogReader.readAll(ledgerDir, raw -> {
        try {
          EntryRecord r = EntryRecord.parse(recordBytes(raw), raw.where());
          if (chain.isPresent() && !r.payload(raw.where()).chain().equals(chain.get())) {
            return;
          }
          out.write(InTotoExport.bundle(r, raw.logIndex(), signer));
          out.write('\n');
          count[0]++;
        } catch (FormatException | AttestException e) {
          throw new Stopped(e);
        }
      });
    } catch (Stopped s) {
      if (s.getCause() instanceof FormatException f) {
        throw f;
      }
      throw (AttestException) s.getCause();
    }
    return count[0];
  }

  /**
   * The record's bytes. An oversize record has none (LogReader skips it unread, so memory stays bounded):
   * it stops the export with an error naming it.
   */
  private static byte[] recordBytes(RawRecord raw) throws FormatException {
    byte[] bytes = raw.bytes();
    if (bytes == null) {
      throw new FormatException(raw.where() + ": record is over " + EntryRecord.MAX_RECORD_BYTES + " bytes, which no"
          + " signer writes; the ledger was altered (run 'custody verify'); the export stopped there");
    }
    return bytes;
  }

  /** The model output (with a stored manifest) of the chain's newest release entry. */
  private static ArtifactRef newestRelease(Path ledgerDir, String chain) throws IOException, FormatException {
    ArtifactRef[] found = {null};
    try {
      LogReader.readAll(ledgerDir, raw -> {
        try {
          EntryRecord r = EntryRecord.parse(recordBytes(raw), raw.where());
          var p = r.payload(raw.where());
          if (!p.chain().equals(chain) || !p.event().type().equals(EventType.RELEASE)) {
            return;
          }
          for (ArtifactRef a : p.event().outputs()) {
            if (ManifestFiles.manifestDigest(a).isPresent()) {
              found[0] = a;
              return;
            }
          }
        } catch (FormatException e) {
          throw new Stopped(e);
        }
      });
    } catch (Stopped s) {
      throw (FormatException) s.getCause();
    }
    if (found[0] == null) {
      throw new FormatException("chain " + Untrusted.quote(chain) + " has no release entry whose model output has a"
          + " stored manifest; record the release with --output model=DIR");
    }
    return found[0];
  }
}
