package dev.custody.cli;

import dev.custody.attest.Ledger;
import dev.custody.attest.internal.artifacts.ManifestStore;
import dev.custody.attest.internal.artifacts.ModelArtifacts;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Parses {@code --input}/{@code --output} values: {@code NAME[:KIND]=DIGEST_OR_PATH}. A value that is
 * a digest ({@code sha256:<hex>}) is taken as is. A directory is hashed into a model manifest (OMS
 * v1.0, files serialization, git paths and the ledger ignored), kept in the ledger's manifest store (a
 * ledger directory's {@code manifests/}, a database's {@code custody_manifests});
 * the artifact's digest is the manifest root digest (see {@link dev.custody.core.internal.ledger.ManifestFiles}).
 * A plain file gets the SHA-256 of its content, unless {@code --manifest} asks for a one-file
 * manifest (whose root digest is the SHA-256 of that SHA-256, per OMS §6.5.1).
 * Without {@code :KIND} the kind is guessed from the name ({@link ArtifactKind#guess}: model, base, weights → model;
 * data… → dataset; …). The hashing is the library's ({@link ModelArtifacts#hash}).
 */
final class Artifacts {
  private Artifacts() {}

  /**
   * How paths are turned into artifacts: directories (and, with {@code manifestFiles}, files) are
   * hashed into a model manifest that is kept in the ledger's manifest store; other files get the
   * SHA-256 of their content.
   */
  static final class Context {
    private final Path ledgerDir;
    /** The ledger manifests are kept in, when it is not named by its directory (a ledger reached by URL). */
    private final Ledger ledger;
    private final boolean manifestFiles;
    private final boolean quiet;
    private final ModelHashOptions hashing;
    private ManifestStore store;

    Context(Path ledgerDir, boolean manifestFiles, boolean quiet) {
      this(ledgerDir, manifestFiles, quiet, null);
    }

    /** @param hashing how models are hashed ({@code --ignore-paths}, ...), or null for the defaults */
    Context(Path ledgerDir, boolean manifestFiles, boolean quiet, ModelHashOptions hashing) {
      this(ledgerDir, null, manifestFiles, quiet, hashing);
    }

    /**
     * Manifests kept in {@code ledger} (opened for writing) wherever it keeps them: for a ledger reached
     * by URL, whose manifests are rows of its database.
     *
     * @param hashing how models are hashed ({@code --ignore-paths}, ...), or null for the defaults
     */
    Context(Ledger ledger, boolean manifestFiles, boolean quiet, ModelHashOptions hashing) {
      this(null, java.util.Objects.requireNonNull(ledger, "ledger"), manifestFiles, quiet, hashing);
    }

    private Context(Path ledgerDir, Ledger ledger, boolean manifestFiles, boolean quiet, ModelHashOptions hashing) {
      this.ledgerDir = ledgerDir;
      this.ledger = ledger;
      this.manifestFiles = manifestFiles;
      this.quiet = quiet;
      this.hashing = hashing;
    }

    private ModelHasher.Builder hasher(Path model) {
      return hashing == null ? ModelHasher.builder() : hashing.builder(model);
    }

    private boolean followLinks() {
      return hashing != null && hashing.allowSymlinks;
    }

    private ManifestStore store() throws FormatException {
      if (store == null) {
        store = ManifestStore.of(ledgerDir);
      }
      return store;
    }

    /** The ledger directory model hashing ignores when it lies inside the model; null for a ledger reached by URL. */
    private Path ledgerDirToIgnore() throws FormatException {
      return ledger != null ? null : store().directory().orElse(null);
    }
  }

  /** Parses {@code NAME[:KIND]=DIGEST_OR_PATH}; paths are hashed as {@code ctx} says. */
  static ArtifactRef parse(String spec, String option, Context ctx) throws IOException, CustodyException {
    return parse(spec, option, ctx, false);
  }

  /**
   * As {@link #parse(String, String, Context)}; with {@code skipMissing}, a path that does not exist
   * yields null (for the outputs of a failed command).
   */
  static ArtifactRef parse(String spec, String option, Context ctx, boolean skipMissing)
      throws IOException, CustodyException {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(option + " " + Untrusted.quote(spec) + ": expected NAME=DIGEST_OR_PATH"
          + " (e.g. model=sha256:<hex>, model=./out-dir or train-data:dataset=./data.jsonl)");
    }
    String name = spec.substring(0, eq);
    String value = spec.substring(eq + 1);
    ArtifactKind kind = null;
    int colon = name.lastIndexOf(':');
    if (colon > 0) {
      try {
        kind = ArtifactKind.fromJson(name.substring(colon + 1));
        name = name.substring(0, colon);
      } catch (IllegalArgumentException notAKind) {
        // The colon is part of the name.
      }
    }
    if (kind == null) {
      kind = ArtifactKind.guess(name);
    }
    try {
      if (value.startsWith("sha256:")) {
        return ArtifactRef.of(name, kind, Digest.parse(value));
      }
      Path p = Path.of(value);
      if (skipMissing && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      return ofPath(name, kind, p, option, ctx);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(option)) {
        throw e;
      }
      throw new IllegalArgumentException(option + " " + Untrusted.quote(spec) + ": " + e.getMessage(), e);
    } catch (ManifestException e) {
      throw new ManifestException(e.path().orElse(null), option + " " + Untrusted.quote(name) + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The artifact {@code name} of {@code kind} for the file or directory {@code p}: a directory (or,
   * with {@code --manifest}, a file) hashed into a model manifest kept in the ledger, else a file's
   * content SHA-256. Never reads {@code p} as a digest, whatever its name.
   *
   * @param option names the option in errors, e.g. {@code --input}
   */
  static ArtifactRef ofPath(String name, ArtifactKind kind, Path p, String option, Context ctx)
      throws IOException, CustodyException {
    return keep(hash(name, kind, p, option, ctx), ctx);
  }

  /** {@link #ofPath}, without keeping the manifest yet: the library's {@link ModelArtifacts#hash}. */
  static ModelArtifacts.Hashed hash(String name, ArtifactKind kind, Path p, String option, Context ctx)
      throws IOException, CustodyException {
    LinkOption[] links = ctx.followLinks() ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    boolean dir = Files.isDirectory(p, links);
    if (!dir && !Files.isRegularFile(p, links)) {
      throw new IllegalArgumentException(option + " " + Untrusted.quote(name) + ": " + Untrusted.quote(p.toString())
          + " is neither a sha256:<hex> digest"
          + " nor an existing file or directory" + (!Files.isSymbolicLink(p) || ctx.followLinks() ? ""
              // Only commands with the hash options (record, run) can be told to follow links.
              : ctx.hashing != null ? " (symbolic links are refused unless --allow-symlinks)"
              : " (symbolic links are refused)"));
    }
    ArtifactRef.of(name, kind, Digest.sha256(new byte[0])); // validate the name before hashing
    // --allow-symlinks: the link's target is hashed (the library refuses a link itself).
    Path target = ctx.followLinks() ? p.toRealPath() : p;
    try (HashBar bar = HashBar.start("hash " + name, ctx.quiet || !(dir || ctx.manifestFiles))) {
      return ModelArtifacts.hash(name, kind, target, ctx.manifestFiles, ctx.hasher(target).progress(bar),
          ctx.ledgerDirToIgnore());
    }
  }

  /** The artifact {@code hashed} names, with its manifest (if any) kept in the ledger's manifest store. */
  static ArtifactRef keep(ModelArtifacts.Hashed hashed, Context ctx) throws IOException, FormatException {
    return ctx.ledger != null ? ctx.ledger.keep(hashed) : hashed.keep(ctx.store());
  }
}
