package dev.custody.verify.artifacts;

import dev.custody.core.FormatException;
import dev.custody.core.digest.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.ledger.ManifestFiles;
import dev.custody.core.manifest.HashProgress;
import dev.custody.core.manifest.ManifestException;
import dev.custody.core.manifest.ModelHasher;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.manifest.Resource;
import dev.custody.core.manifest.ResourceNames;
import dev.custody.core.manifest.Serialization;
import dev.custody.core.text.Untrusted;
import dev.custody.verify.EntryObserver;
import dev.custody.verify.EntryRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Check 7 of DESIGN.md §6: does a model on disk hash to the manifest a trusted signer released?
 *
 * <p>Use as a replay stage, then check:
 * <pre>{@code
 * ModelCheck check = ModelCheck.newestRelease("acme/falcon-7b");       // or ModelCheck.entry("acme/falcon-7b:4")
 * VerificationReport report = LedgerVerifier.builder(trust).observer(check).build().verify(ledgerDir);
 * report = report.withFindings(check.check(ledgerDir, Path.of("model/"), HashProgress.NONE));
 * }</pre>
 *
 * <h2>What is trusted, in which order</h2>
 * <ol>
 *   <li>The entry is one the replay saw as authentic (signed by a trusted key; its payload was
 *       parsed only after that). Integrity problems of its chain are in the replay's findings.
 *   <li>From its event the model artifact is chosen: the output (else input) carrying the manifest
 *       media type {@value ManifestFiles#MEDIA_TYPE}, else the one of kind {@code model}; among
 *       several, the one named {@code model}.
 *   <li>The stored manifest is read from the ledger's manifest store and is untrusted until its
 *       bytes hash to the digest in the signed annotation {@value ManifestFiles#ANNOTATION} and its
 *       root digest equals the signed artifact digest ({@link ManifestFiles#read}).
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
public final class ModelCheck implements EntryObserver {
  /** At most this many findings name files per code; the rest are counted in one more finding. */
  public static final int MAX_NAMED_FILES = 1000;
  private static final Pattern CHAIN_SEQ = Pattern.compile("(.+):(0|[1-9][0-9]{0,17})");

  private final Optional<String> chain;
  private final long sequence; // -1: newest release of the chain
  private final Optional<Digest> hash;
  private EntryRef foundRef;
  private Event foundEvent;
  /** The first authentic revocation naming {@link #foundRef}, after it in the log; null if none. */
  private EntryRef revokedBy;
  private EventDetails.Decision revocation;

  private ModelCheck(Optional<String> chain, long sequence, Optional<Digest> hash) {
    this.chain = chain;
    this.sequence = sequence;
    this.hash = hash;
  }

  /** Checks against the newest authentic {@code release} entry of {@code chain}. */
  public static ModelCheck newestRelease(String chain) {
    return new ModelCheck(Optional.of(EntryPayload.requireChainId(chain)), -1, Optional.empty());
  }

  /**
   * Checks against the entry {@code CHAIN:SEQ} or {@code sha256:<entry hash>}.
   *
   * @throws IllegalArgumentException if {@code spec} is neither
   */
  public static ModelCheck entry(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (Digest.isDigestText(spec)) {
      return new ModelCheck(Optional.empty(), -1, Optional.of(Digest.parse(spec)));
    }
    Matcher m = CHAIN_SEQ.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("entry '" + spec + "': expected CHAIN:SEQ (e.g. acme/falcon-7b:3) or"
          + " sha256:<entry hash>");
    }
    return new ModelCheck(Optional.of(EntryPayload.requireChainId(m.group(1))), Long.parseLong(m.group(2)),
        Optional.empty());
  }

  @Override
  public void authentic(EntryRef ref, EntryPayload payload) {
    noteRevocation(ref, payload);
    if (hash.isPresent()) {
      if (foundRef == null && ref.hash().filter(hash.get()::equals).isPresent()) {
        found(ref, payload);
      }
      return;
    }
    if (!payload.chain().equals(chain.get())) {
      return;
    }
    if (sequence >= 0) {
      if (foundRef == null && payload.sequence() == sequence) {
        found(ref, payload);
      }
    } else if (payload.event().type().equals(EventType.RELEASE)
        && (foundRef == null || payload.sequence() > foundRef.sequence().getAsLong())) {
      found(ref, payload);
    }
  }

  private void found(EntryRef ref, EntryPayload payload) {
    foundRef = ref;
    foundEvent = payload.event();
    // Revocations seen so far came before this entry in the log, so none can be about it.
    revokedBy = null;
    revocation = null;
  }

  /**
   * Remembers a revocation of the entry found so far. Entries come in log order, so a revocation
   * that names it comes after it; one that came before names something else (the replay reports
   * such a subject). Only the current target's revocation is kept: bounded whatever the ledger holds.
   */
  private void noteRevocation(EntryRef ref, EntryPayload payload) {
    if (foundRef == null || revokedBy != null || !payload.event().type().equals(EventType.REVOCATION)
        || !(payload.event().details() instanceof EventDetails.Decision d)) {
      return;
    }
    // Digest equality is constant time (Bytes.equals), as for every digest comparison.
    if (foundRef.hash().filter(d.subject()::equals).isPresent()) {
      revokedBy = ref;
      revocation = d;
    }
  }

  /** The revocation entry that names the target, once the replay has seen it. */
  public Optional<EntryRef> revokedBy() {
    return Optional.ofNullable(revokedBy);
  }

  /** The entry the model is checked against, once the replay has seen it. */
  public Optional<EntryRef> target() {
    return Optional.ofNullable(foundRef);
  }

  /**
   * Hashes {@code model} and compares it with the target entry's manifest. Call after the replay.
   *
   * @param ledgerDir the ledger the replay read (its manifest store is read; when it lies inside
   *     the model it is ignored there)
   * @param progress told how far hashing has come
   * @return the findings: errors for every difference, or one {@link FindingCode#ARTIFACT_VERIFIED}
   * @throws NoSuchFileException if {@code model} does not exist (bad usage, not a verdict)
   * @throws IOException if a file of the model cannot be read
   */
  public List<Finding> check(Path ledgerDir, Path model, HashProgress progress) throws IOException {
    Objects.requireNonNull(model, "model");
    if (!Files.exists(model, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(model.toString(), null, "the model to verify does not exist");
    }
    List<Finding> out = new ArrayList<>();
    if (foundRef == null) {
      out.add(Finding.of(FindingCode.ARTIFACT_ENTRY_NOT_FOUND, null, hash.isPresent()
          ? "no authentic entry " + hash.get() + " in the ledger; check the hash and the trusted keys"
          : sequence >= 0
              ? "no authentic entry " + chain.get() + ":" + sequence + " in the ledger; check the chain, sequence"
                  + " and trusted keys"
              : "chain " + chain.get() + " has no authentic release entry to check the model against; record one"
                  + " (custody record release --output model=DIR) or name an entry with --entry"));
      return out;
    }
    Optional<ArtifactRef> picked = pick(foundEvent, out);
    if (picked.isEmpty()) {
      return out;
    }
    ArtifactRef artifact = picked.get();
    String what = "artifact '" + artifact.name() + "' (" + artifact.digest() + ")";
    ModelManifest released = readManifest(ledgerDir, artifact, what, out);

    ModelHasher.Builder hasher = released == null ? ModelHasher.builder() : ModelHasher.builder(released.serialization());
    if (Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
      ResourceNames.relativeInside(model.toAbsolutePath().normalize(), ledgerDir).ifPresent(hasher::ignorePath);
    }
    ModelManifest actual;
    try {
      actual = hasher.progress(progress).build().hash(model);
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
          + (released == null ? " by root digest" : " file by file (" + actual.resources().size() + " "
              + actual.serialization().method().jsonName() + " resources)")));
    }
    if (revokedBy != null) {
      out.add(Finding.of(FindingCode.ARTIFACT_REVOKED, foundRef, "the release "
          + foundRef.chainPosition().orElse("entry") + " (" + foundRef.hash().map(Object::toString).orElse("?")
          + ") that the model is checked against was revoked by entry " + revokedBy.chainPosition().orElse("?")
          + " (log index " + revokedBy.logIndex() + ")"
          + revocation.reason().map(r -> ", reason " + Untrusted.quote(r)).orElse(", no reason given")
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

  private ModelManifest readManifest(Path ledgerDir, ArtifactRef artifact, String what, List<Finding> out) {
    Optional<Digest> bytesDigest;
    try {
      bytesDigest = ManifestFiles.manifestDigest(artifact);
    } catch (FormatException e) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_INVALID, foundRef, e.getMessage()));
      return null;
    }
    if (bytesDigest.isEmpty()) {
      out.add(Finding.of(FindingCode.ARTIFACT_MANIFEST_MISSING, foundRef, what + " was recorded as a digest"
          + " only, without a stored manifest; comparing root digests only (files cannot be named). Record models"
          + " from their directory (--output model=DIR) to keep the manifest"));
      return null;
    }
    try {
      return ManifestFiles.read(ledgerDir, bytesDigest.get(), artifact.digest());
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
    return "ModelCheck[" + hash.map(Digest::toString).orElseGet(() -> chain.get()
        + (sequence >= 0 ? ":" + sequence : " newest release")) + "]";
  }
}
