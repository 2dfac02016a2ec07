package dev.custody.verify;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryLocator;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.HashProgress;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.Resource;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.manifest.Serialization;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.internal.ExceptionText;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Link;
import dev.custody.verify.lineage.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Check 7 of DESIGN.md §6: does a model on disk hash to the manifest a trusted signer released?
 * Run by {@link dev.custody.verify.LedgerVerifier} after the replay, over the lineage graph it
 * built (so the check is part of the one report):
 * <pre>{@code
 * VerificationReport report = LedgerVerifier.builder(policy)
 *     .model(Path.of("model/"), ModelCheck.Target.newestRelease("acme/falcon-7b"), HashProgress.NONE)
 *     .build().verify(ledgerDir);
 * }</pre>
 *
 * <h2>What is trusted, in which order</h2>
 * <ol>
 *   <li>The entry is an authentic step of the lineage (signed by a trusted key; its payload was
 *       parsed only after that): the newest {@code release} of a chain, an entry named by
 *       {@code CHAIN:SEQ} or hash, or the newest release whose model digest is the model's own root
 *       digest ({@link Target#releaseOfModel()}: the model is hashed first, with the default
 *       serialization). Integrity problems of its chain are in the replay's findings.
 *   <li>From its event the model artifact is chosen: the output (else input) carrying the manifest
 *       media type {@value ManifestFiles#MEDIA_TYPE}, else the one of kind {@code model}; among
 *       several, the one named {@code model}.
 *   <li>The stored manifest is read from the manifest store of the ledger the entry is in and is
 *       untrusted until its bytes hash to the digest in the signed annotation
 *       {@value ManifestFiles#ANNOTATION} and its root digest equals the signed artifact digest
 *       ({@link ManifestFiles#read}).
 *   <li>The model is re-hashed with the manifest's serialization (method, shard size, symlink rule,
 *       ignore paths; plus the ledger directory when it lies inside the model), and compared file by
 *       file — every missing, extra and changed file is a finding that names it — and by root.
 *   <li>An authentic {@code revocation} later in the log whose subject is the entry makes the check
 *       fail with {@link FindingCode#ARTIFACT_REVOKED}, whether or not the bytes match (any trusted
 *       key may revoke for now; roles per key come with the trust policy).
 * </ol>
 * Without a stored manifest (the entry recorded only a digest, or the file is gone) the model is
 * hashed with the default serialization and only the root digest is compared: the model is still
 * proven equal or not, but differing files cannot be named.
 *
 * <p>Not thread-safe: one replay, then one {@link #check}.
 */
public final class ModelCheck {
  /** At most this many findings name files per code; the rest are counted in one more finding. */
  public static final int MAX_NAMED_FILES = 1000;

  /** Which release (or entry) a model is checked against. Immutable. */
  public static final class Target {
    private final Optional<String> chain;
    private final long sequence; // -1: newest release of the chain
    private final Optional<Digest> hash;
    private final boolean byModelDigest;

    private Target(Optional<String> chain, long sequence, Optional<Digest> hash, boolean byModelDigest) {
      this.chain = chain;
      this.sequence = sequence;
      this.hash = hash;
      this.byModelDigest = byModelDigest;
    }

    /** The newest authentic {@code release} entry of {@code chain}. */
    public static Target newestRelease(String chain) {
      return new Target(Optional.of(EntryPayload.requireChainId(chain)), -1, Optional.empty(), false);
    }

    /** The entry {@code CHAIN:SEQ} or {@code sha256:<entry hash>}, as {@link EntryLocator#parse} reads it. */
    public static Target entry(EntryLocator at) {
      Objects.requireNonNull(at, "at");
      if (at instanceof EntryLocator.Hash h) {
        return new Target(Optional.empty(), -1, Optional.of(h.hash()), false);
      }
      EntryLocator.Position p = (EntryLocator.Position) at;
      return new Target(Optional.of(p.chain()), p.sequence(), Optional.empty(), false);
    }

    /**
     * The newest authentic {@code release} whose model digest is the model's own root digest (hashed
     * with the default serialization): "which release is this model?".
     */
    public static Target releaseOfModel() {
      return new Target(Optional.empty(), -1, Optional.empty(), true);
    }

    @Override
    public String toString() {
      return byModelDigest ? "the release of the model's digest" : hash.map(Digest::toString)
          .orElseGet(() -> chain.get() + (sequence >= 0 ? ":" + sequence : " (newest release)"));
    }
  }

  private final RecordRef foundRef;
  private final Event foundEvent;
  private final Optional<Step> revokedBy;

  private ModelCheck(Step target, Optional<Step> revokedBy) {
    this.foundRef = target.ref();
    this.foundEvent = target.event();
    this.revokedBy = revokedBy;
  }

  /**
   * Finds {@code target} among the lineage's steps, hashes {@code model} and compares it with that
   * entry's released manifest.
   *
   * @param ledgers the directory of each ledger, by the label its steps carry (their manifests are read)
   * @return the findings: errors for every difference, or one {@link FindingCode#ARTIFACT_VERIFIED}
   * @throws NoSuchFileException if {@code model} does not exist (bad usage, not a verdict)
   * @throws IOException if a file of the model cannot be read
   */
  public static List<Finding> check(LineageGraph graph, Map<String, Path> ledgers, Target target, Path model,
      HashProgress progress) throws IOException {
    Map<String, ManifestFiles.Store> stores = new java.util.HashMap<>();
    ledgers.forEach((label, dir) -> stores.put(label, ManifestFiles.store(dir)));
    return check(graph, ledgers, stores, target, model, progress);
  }

  /**
   * As {@link #check(LineageGraph, Map, Target, Path, HashProgress)}, with the manifests of each ledger (or
   * evidence bundle) read from {@code manifests} instead of its directory.
   *
   * @param ledgers the directory (or bundle file) of each ledger: one inside the model is not part of it
   */
  static List<Finding> check(LineageGraph graph, Map<String, Path> ledgers,
      Map<String, ManifestFiles.Store> manifests, Target target, Path model, HashProgress progress) throws IOException {
    Objects.requireNonNull(model, "model");
    if (!Files.exists(model, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(model.toString(), null, "the model to verify does not exist");
    }
    Optional<ModelManifest> hashed = Optional.empty();
    Optional<Step> found;
    if (target.byModelDigest) {
      ModelManifest m;
      try {
        // As record hashed it: a ledger that lies inside the model directory is not part of the model.
        ModelHasher.Builder hasher = ModelHasher.builder().progress(progress);
        if (Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
          for (Path ledger : ledgers.values()) {
            ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledger).ifPresent(hasher::ignorePath);
          }
        }
        m = hasher.build().hash(model);
      } catch (ManifestException e) {
        return List.of(Finding.of(FindingCode.ARTIFACT_UNREADABLE, null, "cannot hash the model "
            + Untrusted.quote(model.toString()) + ": " + e.getMessage()));
      }
      hashed = Optional.of(m);
      List<Step> releases = graph.releasesOf(m.rootDigest());
      found = releases.stream().max(java.util.Comparator.comparing(Step::time).thenComparing(LineageGraph.ORDER));
      if (found.isEmpty()) {
        return List.of(Finding.of(FindingCode.ARTIFACT_ENTRY_NOT_FOUND, null, "no authentic release of model "
            + Untrusted.quote(model.toString()) + " (root digest " + m.rootDigest() + ", files serialization) in the"
            + " evidence: its files differ from the released model's (one changed byte changes the root digest),"
            + " or it is not a released model, or it was released with another serialization; name the release with"
            + " --chain or --entry to see which files differ"));
      }
    } else {
      found = find(graph, target);
      if (found.isEmpty()) {
        return List.of(Finding.of(FindingCode.ARTIFACT_ENTRY_NOT_FOUND, null, target.hash.isPresent()
            ? "no authentic entry " + target.hash.get() + " in the ledger; check the hash and the trusted keys"
            : target.sequence >= 0
                ? "no authentic entry " + target.chain.get() + ":" + target.sequence + " in the ledger; check the"
                    + " chain, sequence and trusted keys"
                : "chain " + target.chain.get() + " has no authentic release entry to check the model against;"
                    + " record one (custody record release --output model=DIR) or name an entry with --entry"));
      }
    }
    Step step = found.get();
    Optional<Step> revoked = graph.network().outEdges(step).stream()
        .filter(l -> l.type() == Link.Type.SUBJECT && l.to().kind().equals(EventType.REVOCATION))
        .map(Link::to).min(LineageGraph.ORDER);
    Path ledgerDir = Objects.requireNonNull(ledgers.get(step.ledger()), "no directory for ledger " + step.ledger());
    ManifestFiles.Store store = Objects.requireNonNull(manifests.get(step.ledger()),
        "no manifest store for ledger " + step.ledger());
    return new ModelCheck(step, revoked).check(ledgerDir, store, model, hashed, progress);
  }

  private static Optional<Step> find(LineageGraph graph, Target t) {
    if (t.hash.isPresent()) {
      return graph.step(t.hash.get());
    }
    List<String> ledgers = graph.steps().stream().filter(s -> s.chain().equals(t.chain.get())).map(Step::ledger)
        .distinct().toList();
    if (ledgers.size() > 1) {
      // A chain lives in one ledger: two ledgers given may each have a chain of this id. Do not pick one.
      throw new IllegalArgumentException("chain " + Untrusted.quote(t.chain.get()) + " is in " + ledgers.size()
          + " of the ledgers given (" + String.join(", ", ledgers.stream().map(Untrusted::quote).toList()) + "); name"
          + " the release to check the model against by its entry hash (--entry sha256:...)");
    }
    Optional<Step> best = Optional.empty();
    for (Step s : graph.steps()) {
      if (!s.chain().equals(t.chain.get())) {
        continue;
      }
      if (t.sequence >= 0) {
        if (s.sequence() == t.sequence) {
          return Optional.of(s);
        }
      } else if (s.kind().equals(EventType.RELEASE)
          && (best.isEmpty() || s.sequence() > best.get().sequence())) {
        best = Optional.of(s);
      }
    }
    return best;
  }

  /** Hashes {@code model} (unless {@code hashed} already holds it in the right serialization) and compares. */
  private List<Finding> check(Path ledgerDir, ManifestFiles.Store store, Path model, Optional<ModelManifest> hashed,
      HashProgress progress)
      throws IOException {
    List<Finding> out = new ArrayList<>();
    Optional<ArtifactRef> picked = pick(foundEvent, out);
    if (picked.isEmpty()) {
      return out;
    }
    ArtifactRef artifact = picked.get();
    String what = "artifact '" + artifact.name() + "' (" + artifact.digest() + ")";
    ModelManifest released = readManifest(store, artifact, what, out);

    ModelHasher.Builder hasher = released == null ? ModelHasher.builder() : ModelHasher.builder(released.serialization());
    if (Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledgerDir).ifPresent(hasher::ignorePath);
    }
    ModelManifest actual;
    try {
      // A model hashed to find its release is hashed again only when the release used another serialization.
      boolean ledgerInside = Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)
          && ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledgerDir).isPresent();
      boolean reuse = hashed.isPresent() && !ledgerInside
          && (released == null || hashed.get().serialization().equals(released.serialization()));
      actual = reuse ? hashed.get() : hasher.progress(progress).build().hash(model);
    } catch (ManifestException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_UNREADABLE, foundRef, "cannot hash the model " + model + ": "
          + e.getMessage()));
      return out;
    }
    int before = errors(out);
    if (released != null) {
      diff(released, actual, model, out);
    }
    // Digest equality is constant time (Bytes.equals), as for every digest comparison.
    if (!actual.rootDigest().equals(artifact.digest())) {
      out.add(Finding.of(FindingCode.ARTIFACT_ROOT_MISMATCH, foundRef, "model " + model + " has root digest "
          + actual.rootDigest() + " (" + actual.serialization().method().jsonName() + ", "
          + actual.resources().size() + " resources) but the entry signed " + what
          + (released == null ? "; without the manifest the differing files cannot be named (and a model recorded"
              + " with another serialization than files cannot match)" : "")));
    }
    if (errors(out) == before && errors(out) == 0) {
      out.add(Finding.of(FindingCode.ARTIFACT_VERIFIED, foundRef, "model " + model + " matches " + what
          + (released == null ? " by root digest" : " file by file (" + actual.resources().size()
              + (actual.resources().size() == 1 ? " resource" : " resources") + ", serialization "
              + actual.serialization().method().jsonName() + ")")));
    }
    if (revokedBy.isPresent()) {
      Step r = revokedBy.get();
      Optional<String> reason = r.event().details() instanceof EventDetails.Decision d ? d.reason() : Optional.empty();
      out.add(Finding.of(FindingCode.ARTIFACT_REVOKED, foundRef, "the release "
          + foundRef.chainPosition().orElse("entry") + " (" + foundRef.hash().map(Object::toString).orElse("?")
          + ") that the model is checked against was revoked by entry " + r.position()
          + " (log index " + r.ref().logIndex() + ")"
          + reason.map(x -> ", reason " + Untrusted.quote(x)).orElse(", no reason given")
          + ": do not use this model as that release; check a later release (--entry) or ask its publisher"));
    }
    return out;
  }

  private static int errors(List<Finding> fs) {
    return (int) fs.stream().filter(Finding::isError).count();
  }

  private Optional<ArtifactRef> pick(Event e, List<Finding> out) {
    List<ArtifactRef> c = e.outputs().stream().filter(ManifestFiles::isManifestArtifact).toList();
    if (c.isEmpty()) {
      c = e.inputs().stream().filter(ManifestFiles::isManifestArtifact).toList();
    }
    if (c.isEmpty()) {
      c = e.outputs().stream().filter(a -> a.kind() == ArtifactKind.MODEL).toList();
    }
    if (c.isEmpty()) {
      c = e.inputs().stream().filter(a -> a.kind() == ArtifactKind.MODEL).toList();
    }
    if (c.size() == 1) {
      return Optional.of(c.get(0));
    }
    Optional<ArtifactRef> named = c.stream().filter(a -> a.name().equals("model")).findFirst();
    if (named.isEmpty()) {
      out.add(Finding.of(FindingCode.ARTIFACT_NOT_IDENTIFIED, foundRef, c.isEmpty()
          ? "the entry records no model artifact (no manifest and no artifact of kind model); check another entry"
          : "the entry records " + c.size() + " model artifacts (" + c.stream().map(ArtifactRef::name).toList()
              + ") and none is named 'model'; cannot tell which one the model is"));
    }
    return named;
  }

  /** The stored manifest of {@code artifact}, or null when it cannot be had (a finding in {@code out} says why). */
  private @Nullable ModelManifest readManifest(ManifestFiles.Store store, ArtifactRef artifact, String what,
      List<Finding> out) {
    Optional<Digest> bytesDigest;
    try {
      bytesDigest = ManifestFiles.manifestDigest(artifact);
    } catch (FormatException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_INVALID, foundRef, ExceptionText.of(e)));
      return null;
    }
    if (bytesDigest.isEmpty()) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_MISSING, foundRef, what + " was recorded as a digest"
          + " only, without a stored manifest; comparing root digests only (files cannot be named). Record models"
          + " from their directory (--output model=DIR) to keep the manifest"));
      return null;
    }
    try {
      return ManifestFiles.read(store, bytesDigest.get(), artifact.digest());
    } catch (NoSuchFileException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_MISSING, foundRef, "the manifest of " + what + " is not"
          + " in the ledger's manifest store (" + e.getFile() + "); comparing root digests only (files cannot be"
          + " named). Restore the file from a copy of the ledger"));
    } catch (FormatException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_INVALID, foundRef, e.getMessage()
          + "; comparing root digests only"));
    } catch (IOException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_INVALID, foundRef, "cannot read the manifest of " + what
          + ": " + e + "; comparing root digests only"));
    }
    return null;
  }

  /** Per-file comparison; for shards a file is its list of shard resources. */
  private void diff(ModelManifest released, ModelManifest actual, Path model, List<Finding> out) {
    Map<String, List<Resource>> want = byFile(released);
    Map<String, List<Resource>> have = byFile(actual);
    Map<FindingCode, Integer> counts = new EnumMap<>(FindingCode.class);
    String release = "the release " + foundRef.chainPosition().orElse("entry");
    for (Map.Entry<String, List<Resource>> e : want.entrySet()) {
      List<Resource> h = have.get(e.getKey());
      String name = ResourceNames.printable(e.getKey());
      if (h == null) {
        named(out, counts, FindingCode.ARTIFACT_FILE_MISSING, "file '" + name + "' of " + release
            + " is missing from " + model);
      } else if (!h.equals(e.getValue())) {
        named(out, counts, FindingCode.ARTIFACT_FILE_CHANGED, "file '" + name + "' differs from " + release + ": "
            + describe(e.getValue(), h, released.serialization()));
      }
    }
    for (String path : have.keySet()) {
      if (!want.containsKey(path)) {
        named(out, counts, FindingCode.ARTIFACT_FILE_EXTRA, "file '" + ResourceNames.printable(path) + "' in "
            + model + " is not in " + release);
      }
    }
    counts.forEach((code, n) -> {
      if (n > MAX_NAMED_FILES) {
        out.add(Finding.of(code, foundRef, (n - MAX_NAMED_FILES) + " more files like the above ("
            + n + " in all)"));
      }
    });
  }

  private void named(List<Finding> out, Map<FindingCode, Integer> counts, FindingCode code, String message) {
    int n = counts.merge(code, 1, Integer::sum);
    if (n <= MAX_NAMED_FILES) {
      out.add(Finding.of(code, foundRef, message));
    }
  }

  private static String describe(List<Resource> want, List<Resource> have, Serialization s) {
    if (s.method() == Serialization.Method.FILES) {
      return "released " + want.get(0).digest() + ", found " + have.get(0).digest();
    }
    if (want.size() != have.size()) {
      return "released as " + want.size() + " shards of " + s.shardSize() + " bytes, found " + have.size()
          + " (the size changed)";
    }
    List<String> differing = new ArrayList<>();
    for (int i = 0; i < want.size(); i++) {
      if (!want.get(i).equals(have.get(i))) {
        differing.add(have.get(i).name());
      }
    }
    return differing.size() + " of " + want.size() + " shards differ"
        + (differing.isEmpty() ? "" : ", first " + ResourceNames.printable(differing.get(0)));
  }

  private static Map<String, List<Resource>> byFile(ModelManifest m) {
    Map<String, List<Resource>> out = new LinkedHashMap<>();
    boolean shards = m.serialization().method() == Serialization.Method.SHARDS;
    for (Resource r : m.resources()) {
      String path = r.name();
      if (shards) {
        try {
          path = ResourceNames.parseShard(r.name()).path();
        } catch (FormatException e) {
          throw new IllegalStateException("a parsed manifest holds an invalid shard name", e);
        }
      }
      out.computeIfAbsent(path, k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ModelCheck[" + foundRef + "]";
  }
}
