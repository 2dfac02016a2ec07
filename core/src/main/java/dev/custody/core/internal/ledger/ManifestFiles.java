package dev.custody.core.internal.ledger;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.manifest.ModelManifest;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The manifest store of a file ledger (read side) and how an event's artifact points into it.
 *
 * <h2>Layout</h2>
 * <pre>
 * DIR/manifests/sha256-&lt;hex&gt;.json   a model manifest (OMS predicate JSON, {@link ModelManifest#toJson()}),
 *                                  named by the SHA-256 of its exact bytes
 * </pre>
 *
 * <h2>How an entry names its manifest</h2>
 * An artifact recorded from a model directory (or a file hashed with {@code --manifest}) carries:
 * <ul>
 *   <li>{@code digest} = the manifest's OMS root digest (§6.5.1), the model's identity everywhere;
 *   <li>{@code mediaType} = {@value #MEDIA_TYPE};
 *   <li>annotation {@value #ANNOTATION} = {@code sha256:<hex>}, the SHA-256 of the stored manifest
 *       bytes, i.e. the file name above.
 * </ul>
 *
 * <p>Why two digests: the OMS root digest covers only the resource digests in order, not the
 * resource names nor the serialization parameters (shard size, ignore paths). A manifest checked
 * by its root alone could carry renamed files or altered ignore paths. The annotation, signed with
 * the entry, binds the exact bytes, names included. {@link #read} therefore checks the bytes digest
 * first (verify, then parse), then parses strictly, then checks the root digest against the
 * artifact's digest.
 */
public final class ManifestFiles {
  /** Directory of the manifest store inside a ledger directory. */
  public static final String DIR = "manifests";
  /** Media type of an artifact whose digest is a custody/OMS manifest root digest. */
  public static final String MEDIA_TYPE = "application/vnd.custody.manifest+json";
  /** Artifact annotation holding the digest of the stored manifest bytes. */
  public static final String ANNOTATION = "custody.manifest";
  private static final String PREFIX = "sha256-";
  private static final String SUFFIX = ".json";

  private ManifestFiles() {}

  /** The file holding the manifest whose bytes have SHA-256 {@code bytesDigest}. */
  public static Path path(Path ledgerDir, Digest bytesDigest) {
    return ledgerDir.resolve(DIR).resolve(PREFIX + bytesDigest.value().hex() + SUFFIX);
  }

  /**
   * The digest a file name of the store gives ({@code sha256-<64 lowercase hex>.json}, the inverse of
   * {@link #path}); empty for any other name (a crash's temporary file, a stray file).
   */
  public static Optional<Digest> digestOfName(String fileName) {
    return LedgerLayout.digestOfName(fileName, SUFFIX);
  }

  /** Whether {@code a} claims to be a model manifest root (by media type). */
  public static boolean isManifestArtifact(ArtifactRef a) {
    return a.mediaType().filter(MEDIA_TYPE::equals).isPresent();
  }

  /**
   * The stored-manifest digest {@code a} names, if it names one.
   *
   * @throws FormatException if the annotation is present but not a digest
   */
  public static Optional<Digest> manifestDigest(ArtifactRef a) throws FormatException {
    String v = a.annotations().get(ANNOTATION);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(v));
    } catch (IllegalArgumentException e) {
      throw new FormatException("artifact '" + a.name() + "': annotation " + ANNOTATION + " is not a digest: "
          + e.getMessage(), e);
    }
  }

  /**
   * Reads the manifest an artifact names and checks it against the artifact, in this order: the
   * file's SHA-256 equals {@code bytesDigest}; it parses strictly as a manifest; its root digest
   * equals {@code rootDigest}. Until all three hold its content is untrusted.
   *
   * @param bytesDigest the artifact's {@value #ANNOTATION} annotation (signed with the entry)
   * @param rootDigest the artifact's digest (signed with the entry)
   * @throws NoSuchFileException if the store has no such file
   * @throws FormatException if a check fails, saying which
   */
  public static ModelManifest read(Path ledgerDir, Digest bytesDigest, Digest rootDigest)
      throws IOException, FormatException {
    return read(store(ledgerDir), bytesDigest, rootDigest);
  }

  /** Where manifests are read from by the digest of their bytes: a ledger's store, or an evidence bundle. */
  public interface Store {
    /** Names the manifest of {@code bytesDigest} in messages, e.g. its file. */
    String name(Digest bytesDigest);

    /**
     * The bytes stored for {@code bytesDigest}, unchecked.
     *
     * @throws NoSuchFileException if there are none
     * @throws FormatException if they cannot be read safely (too large, a link)
     */
    byte[] bytes(Digest bytesDigest) throws IOException, FormatException;
  }

  /** The manifest store of the ledger at {@code ledgerDir}: {@code DIR/manifests/sha256-HEX.json}, no links. */
  public static Store store(Path ledgerDir) {
    return new Store() {
      @Override
      public String name(Digest bytesDigest) {
        return path(ledgerDir, bytesDigest).toString();
      }

      @Override
      public byte[] bytes(Digest bytesDigest) throws IOException, FormatException {
        Path p = path(ledgerDir, bytesDigest);
        LedgerFiles files = LedgerFiles.of(ledgerDir);
        if (!files.isFile(p)) { // refuses a link (of the file or of manifests/) or a special file
          throw new NoSuchFileException(p.toString());
        }
        try {
          return files.read(p, ModelManifest.MAX_JSON_BYTES);
        } catch (FormatException e) {
          throw new FormatException(p + ": larger than the manifest limit of " + ModelManifest.MAX_JSON_BYTES
              + " bytes", e);
        }
      }
    };
  }

  /** As {@link #read(Path, Digest, Digest)}, from {@code store}. */
  public static ModelManifest read(Store store, Digest bytesDigest, Digest rootDigest)
      throws IOException, FormatException {
    String p = store.name(bytesDigest);
    byte[] bytes = store.bytes(bytesDigest);
    Digest actual = Digest.sha256(bytes);
    // Digest equality is constant time (Bytes.equals); timing would leak nothing secret here, but
    // every digest comparison in custody goes through the same path.
    if (!actual.equals(bytesDigest)) {
      throw new FormatException(p + ": content has digest " + actual + ", not the " + bytesDigest
          + " its name and the signed entry give; the stored manifest was altered or damaged");
    }
    // It is now safe to parse: these are the bytes the entry's signer committed to.
    ModelManifest m;
    try {
      m = ModelManifest.parse(bytes);
    } catch (FormatException e) {
      throw new FormatException(p + ": " + e.getMessage(), e);
    }
    if (!m.rootDigest().equals(rootDigest)) {
      throw new FormatException(p + ": root digest " + m.rootDigest() + " is not the artifact digest "
          + rootDigest + " signed in the entry; the entry's signer recorded inconsistent digests");
    }
    return m;
  }

}
