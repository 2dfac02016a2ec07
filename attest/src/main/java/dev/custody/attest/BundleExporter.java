package dev.custody.attest;

import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.bundle.EvidenceBundle;
import dev.custody.core.Bytes;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.ledger.ManifestFiles;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes an evidence bundle ({@link EvidenceBundle}) of some chains of a ledger: every entry of each
 * chain from sequence 0 to its head at the newest checkpoint — whole chains, so that a verifier can
 * check their hash links and sequence numbers — each with its inclusion proof in that checkpoint; the
 * checkpoints that carry an RFC 3161 timestamp, with a consistency proof to the newest; the manifests
 * and certificate chains the entries reference. Never a private key, never a trust root.
 *
 * <p>Which chains: those named, and, until nothing changes, the chains that produced an artifact an
 * included entry consumes (the lineage, across chains), the chains holding the subject of an included
 * approval or revocation, and the chains holding an approval or revocation of an included entry.
 * Stateless.
 */
public final class BundleExporter {
  private BundleExporter() {}

  /** The entries the selection starts from: chains, or the chains producing a model digest. */
  public sealed interface Selection permits Selection.Chains, Selection.Model, Selection.Entry {
    /** Named chains. */
    record Chains(List<String> chains) implements Selection {}

    /** The chains whose entries output an artifact of this digest (a model's root digest, say). */
    record Model(Digest digest) implements Selection {}

    /** The chain of this entry (its lineage). */
    record Entry(Digest hash) implements Selection {}
  }

  /**
   * The bundle of {@code selection} and its lineage in the ledger {@code dir}, opened as {@code ledger}.
   *
   * @throws IllegalArgumentException if the selection names nothing in the ledger
   * @throws FormatException if the ledger has no log identity or no checkpoint covering the entries,
   *     or its newest checkpoint does not match it
   */
  public static EvidenceBundle export(Ledger ledger, Path dir, Selection selection) throws IOException,
      CustodyException {
    LogInfo id = ledger.identity().orElseThrow(() -> new FormatException("ledger " + dir + " has no log identity"
        + " (" + LedgerLayout.LOG_VKEY + "), so it has no checkpoints to prove its entries: it was made before"
        + " checkpoints existed"));
    byte[] newestNote = ledger.latestCheckpoint().orElseThrow(() -> new FormatException("ledger " + dir + " has no"
        + " checkpoint: run 'custody checkpoint --ledger " + dir + "' first"));
    CheckpointVerifier byLog = id.checkpointVerifier();
    Checkpoint newest = byLog.verify(newestNote).checkpoint();
    if (newest.size() > ledger.size() || !ledger.rootHash(newest.size()).equals(newest.rootHash())) {
      throw new FormatException("ledger " + dir + " does not match its newest checkpoint (size " + newest.size()
          + "): run 'custody verify' to see what changed; nothing was exported");
    }

    // Every entry's chain, outputs and decisions, once, to close the selection over the lineage.
    Map<String, List<LedgerEntry>> byChain = new TreeMap<>();
    Map<Digest, Set<String>> producers = new HashMap<>();
    Map<Digest, String> chainOf = new HashMap<>();
    Map<String, Set<String>> decidedBy = new HashMap<>(); // chain -> chains deciding about its entries
    List<LedgerEntry> all = new ArrayList<>();
    for (long i = 0; i < newest.size(); i++) {
      LedgerEntry e = ledger.entry(i);
      all.add(e);
      byChain.computeIfAbsent(e.ref().chain(), c -> new ArrayList<>()).add(e);
      chainOf.put(e.ref().hash(), e.ref().chain());
      for (ArtifactRef a : e.payload().event().outputs()) {
        producers.computeIfAbsent(a.digest(), d -> new LinkedHashSet<>()).add(e.ref().chain());
      }
    }
    for (LedgerEntry e : all) {
      if (e.payload().event().details() instanceof EventDetails.Decision d && chainOf.containsKey(d.subject())) {
        decidedBy.computeIfAbsent(chainOf.get(d.subject()), c -> new TreeSet<>()).add(e.ref().chain());
      }
    }
    Set<String> start = new TreeSet<>();
    if (selection instanceof Selection.Chains c) {
      for (String chain : c.chains()) {
        if (!byChain.containsKey(chain)) {
          throw new IllegalArgumentException("no chain " + Untrusted.quote(chain) + " among the checkpointed entries"
              + " of ledger " + dir + " (" + byChain.size() + " chains)");
        }
        start.add(chain);
      }
    } else if (selection instanceof Selection.Model m) {
      Set<String> p = producers.get(m.digest());
      if (p == null) {
        throw new IllegalArgumentException("no entry of ledger " + dir + " outputs an artifact of digest " + m.digest()
            + " (among its checkpointed entries)");
      }
      start.addAll(p);
    } else if (selection instanceof Selection.Entry x) {
      String chain = chainOf.get(x.hash());
      if (chain == null) {
        throw new IllegalArgumentException("no entry " + x.hash() + " among the checkpointed entries of ledger " + dir);
      }
      start.add(chain);
    }
    Set<String> chains = close(start, byChain, producers, chainOf, decidedBy);

    List<EvidenceBundle.Entry> entries = new ArrayList<>();
    SortedMap<Digest, Bytes> manifests = new TreeMap<>(java.util.Comparator.comparing(Digest::toString));
    SortedMap<String, Bytes> certificates = new TreeMap<>();
    LedgerFiles files = LedgerFiles.of(dir);
    for (LedgerEntry e : all) {
      if (!chains.contains(e.ref().chain())) {
        continue;
      }
      long index = e.ref().logIndex();
      entries.add(new EvidenceBundle.Entry(index, e.record().bytes(), ledger.inclusionProof(index, newest.size())
          .hashes()));
      List<ArtifactRef> artifacts = new ArrayList<>(e.payload().event().inputs());
      artifacts.addAll(e.payload().event().outputs());
      for (ArtifactRef a : artifacts) {
        Optional<Digest> m = ManifestFiles.manifestDigest(a);
        if (m.isPresent() && !manifests.containsKey(m.get())
            && files.isFile(ManifestFiles.path(dir, m.get()))) {
          manifests.put(m.get(), Bytes.copyOf(files.read(ManifestFiles.path(dir, m.get()), ModelManifest.MAX_JSON_BYTES)));
        }
      }
      String keyId = e.payload().keyId();
      if (!certificates.containsKey(keyId)) {
        CertificateFiles.read(dir, keyId).ifPresent(pem -> certificates.put(keyId, Bytes.copyOf(pem)));
      }
    }

    // The timestamped checkpoints (each dates every entry below its size), with proofs to the newest.
    List<EvidenceBundle.CheckpointEvidence> checkpoints = new ArrayList<>();
    List<ConsistencyProof> consistency = new ArrayList<>();
    LedgerLayout.CheckpointFiles stored = LedgerLayout.checkpointFiles(dir);
    for (Map.Entry<Long, Path> t : stored.timestamps().entrySet()) {
      long size = t.getKey();
      if (size >= newest.size() || size == 0) {
        continue;
      }
      // checkpointFiles keeps a timestamp only beside a stored checkpoint of its size.
      Path checkpoint = Objects.requireNonNull(stored.bySize().get(size), "a timestamp without its checkpoint");
      byte[] note = files.read(checkpoint, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES);
      checkpoints.add(new EvidenceBundle.CheckpointEvidence(Bytes.copyOf(note), Optional.of(Bytes.copyOf(
          files.read(t.getValue(), LedgerLayout.MAX_CHECKPOINT_FILE_BYTES)))));
      consistency.add(ledger.consistencyProof(size, newest.size()));
    }
    Optional<Bytes> newestTimestamp = Optional.empty();
    Path newestTsr = stored.timestamps().get(newest.size());
    Path newestFile = stored.bySize().get(newest.size());
    if (newestTsr != null && newestFile != null
        && java.util.Arrays.equals(files.read(newestFile, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES), newestNote)) {
      newestTimestamp = Optional.of(Bytes.copyOf(files.read(newestTsr, LedgerLayout.MAX_CHECKPOINT_FILE_BYTES)));
    }
    checkpoints.add(new EvidenceBundle.CheckpointEvidence(Bytes.copyOf(newestNote), newestTimestamp));
    return new EvidenceBundle(Optional.of(id.verifierKey()), checkpoints, consistency, entries, manifests,
        certificates);
  }

  /** The chains reachable from {@code start} through lineage and decisions (see the class comment). */
  private static Set<String> close(Set<String> start, Map<String, List<LedgerEntry>> byChain,
      Map<Digest, Set<String>> producers, Map<Digest, String> chainOf, Map<String, Set<String>> decidedBy) {
    Set<String> chains = new TreeSet<>(start);
    Deque<String> todo = new ArrayDeque<>(start);
    while (!todo.isEmpty()) {
      String chain = todo.poll();
      Set<String> linked = new TreeSet<>(decidedBy.getOrDefault(chain, Set.of()));
      for (LedgerEntry e : byChain.getOrDefault(chain, List.of())) {
        for (ArtifactRef a : e.payload().event().inputs()) {
          linked.addAll(producers.getOrDefault(a.digest(), Set.of()));
        }
        if (e.payload().event().details() instanceof EventDetails.Decision d && chainOf.containsKey(d.subject())) {
          linked.add(chainOf.get(d.subject()));
        }
      }
      for (String c : linked) {
        if (chains.add(c)) {
          todo.add(c);
        }
      }
    }
    return chains;
  }
}
