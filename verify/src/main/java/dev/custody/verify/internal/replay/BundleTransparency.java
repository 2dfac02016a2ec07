package dev.custody.verify.internal.replay;

import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.RecordRef;

import dev.custody.core.bundle.EvidenceBundle;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.ProofException;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.internal.ledger.RawRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Check 4 of DESIGN.md §6 (transparency) for an evidence bundle, which holds some entries of a log,
 * not the log: instead of recomputing the log's root from every record, each entry's record bytes
 * must be proven, by its RFC 9162 inclusion proof, to be the leaf at its log index in the tree of the
 * bundle's newest checkpoint — whose signature must verify with a trusted log key ({@link LogTransparency}
 * checks the checkpoints: signatures, timestamps) — and every older checkpoint of the bundle must be
 * proven consistent with the newest. Leaves arrive in bundle order ({@link #accept}, from the replay's
 * workers), so each proof is checked as its entry passes.
 *
 * <p>What this proves and what it does not (SECURITY.md): membership and position of each entry in
 * the log the checkpoint commits to; not that the bundle holds every entry of a chain (a chain's
 * later entries can be left out — its hash links show only that no entry is missing before the last
 * one included), nor anything about the log's other entries.
 *
 * <p>Not thread-safe: one replay, one thread.
 */
public final class BundleTransparency implements Consumer<byte[]> {
  private final String name;
  private final List<EvidenceBundle.Entry> entries;
  private final LogTransparency checkpoints;
  private final Findings findings = new Findings();
  private final Optional<Map.Entry<String, Checkpoint>> anchor;
  private final Path file;
  private final java.util.function.Function<RawRecord, String> where;
  private final Optional<String> ledger;
  private int next;
  private long proven;

  /**
   * @param name names the bundle in findings (its label)
   * @param file the bundle's file
   * @param where names a record in findings, as the replay names it ({@link BundleSources#records} hands
   *     records over with their 1-based position in the bundle as their line)
   * @param ledger the label findings carry
   */
  public BundleTransparency(String name, Path file, EvidenceBundle bundle, List<VerifierKey> trustedLogKeys,
      LogTransparency.Requirements requirements, java.util.function.Function<RawRecord, String> where,
      Optional<String> ledger) {
    this.name = name;
    this.entries = bundle.entries();
    this.file = file;
    this.where = where;
    this.ledger = ledger;
    List<LogTransparency.Source> sources = new ArrayList<>();
    for (int i = 0; i < bundle.checkpoints().size(); i++) {
      EvidenceBundle.CheckpointEvidence c = bundle.checkpoints().get(i);
      String what = "checkpoints[" + i + "]";
      sources.add(new LogTransparency.Source(what, c.note().toByteArray(), false, c.timestamp().map(t ->
          new LogTransparency.Sidecar(what + ".timestamp", t.toByteArray()))));
    }
    this.checkpoints = new LogTransparency(name, sources, bundle.logKey(), trustedLogKeys, requirements);
    List<Map.Entry<String, Checkpoint>> verified = checkpoints.verifiedCheckpoints();
    String newestName = "checkpoints[" + (bundle.checkpoints().size() - 1) + "]";
    this.anchor = verified.stream().filter(v -> v.getKey().equals(newestName)).findFirst();
    if (bundle.checkpoints().isEmpty()) {
      findings.add(Finding.of(FindingCode.BUNDLE_UNANCHORED, null, "bundle " + Untrusted.quote(name) + " holds no"
          + " checkpoint: none of its " + entries.size() + " entries is proven to be in a log"));
    } else if (anchor.isEmpty()) {
      findings.add(Finding.of(FindingCode.BUNDLE_UNANCHORED, null, "the newest checkpoint of bundle "
          + Untrusted.quote(name) + " (" + newestName + ") does not verify (see the findings above): none of its "
          + entries.size() + " entries is proven to be in the log"));
    } else {
      checkConsistency(bundle, verified);
    }
  }

  /** Every verified checkpoint older than the anchor must be proven consistent with it. */
  private void checkConsistency(EvidenceBundle bundle, List<Map.Entry<String, Checkpoint>> verified) {
    Checkpoint newest = anchor.get().getValue();
    for (Map.Entry<String, Checkpoint> v : verified) {
      Checkpoint cp = v.getValue();
      if (v == anchor.get() || cp.equals(newest)) {
        continue;
      }
      String what = v.getKey() + " (size " + cp.size() + ")";
      if (cp.size() >= newest.size()) {
        if (cp.size() > newest.size() || !cp.rootHash().equals(newest.rootHash())) {
          findings.add(Finding.of(FindingCode.CHECKPOINT_INCONSISTENT, null, "bundle " + Untrusted.quote(name) + ": "
              + what + " is not older than the newest checkpoint " + anchor.get().getKey() + " (size " + newest.size()
              + ") and does not match it: the checkpoints are out of order, or show two histories"));
        }
        continue;
      }
      Optional<ConsistencyProof> proof = bundle.consistency().stream()
          .filter(p -> p.size1() == cp.size() && p.size2() == newest.size()).findFirst();
      if (proof.isEmpty()) {
        findings.add(Finding.of(FindingCode.BUNDLE_CONSISTENCY_INVALID, null, "bundle " + Untrusted.quote(name) + ": "
            + what + " has no consistency proof to the newest checkpoint (size " + newest.size() + "); its"
            + " timestamp and cosignatures say nothing about the newest tree"));
        continue;
      }
      try {
        ProofVerifier.verifyConsistency(proof.get(), cp.rootHash(), newest.rootHash());
      } catch (ProofException e) {
        findings.add(Finding.of(FindingCode.BUNDLE_CONSISTENCY_INVALID, null, "bundle " + Untrusted.quote(name) + ": the"
            + " consistency proof from " + what + " to the newest checkpoint (size " + newest.size() + ") does not"
            + " verify: " + e.getMessage() + "; the proof or a checkpoint was altered, or they show two histories"));
      }
    }
  }

  /**
   * The RFC 9162 leaf hash of the next entry's record bytes, in bundle order; null when the record could
   * not be read.
   */
  @Override
  public void accept(byte @Nullable [] leafHash) {
    int position = next++;
    EvidenceBundle.Entry e = entries.get(position);
    if (anchor.isEmpty() || leafHash == null) {
      return;
    }
    Checkpoint cp = anchor.get().getValue();
    if (e.logIndex() >= cp.size()) {
      findings.add(Finding.of(FindingCode.BUNDLE_INCLUSION_INVALID, ref(e, position), "log index " + e.logIndex()
          + " is beyond the newest checkpoint of the bundle (size " + cp.size() + "): the entry is not proven to be"
          + " in the log; the index was altered, or the entry comes from another log or bundle"));
      return;
    }
    try {
      ProofVerifier.verifyInclusion(e.proof(cp.size()), Bytes.copyOf(leafHash), cp.rootHash());
      proven++;
    } catch (ProofException ex) {
      findings.add(Finding.of(FindingCode.BUNDLE_INCLUSION_INVALID, ref(e, position), "the inclusion proof does not prove"
          + " this record at log index " + e.logIndex() + " in the newest checkpoint of the bundle (size "
          + cp.size() + ", root " + StrictBase64.encode(cp.rootHash().toByteArray()) + "): " + ex.getMessage()
          + ". The record bytes, the proof or the index were altered, or the entry comes from another log or"
          + " bundle"));
    }
  }

  /** Trusted times of the bundle's checkpoints (verified timestamps), by tree size. */
  public NavigableMap<Long, java.time.Instant> trustedTimes() {
    return checkpoints.trustedTimes();
  }

  /** The findings, after the last entry: the checkpoints', then the proofs', then what the bundle proves. */
  public Findings finish() {
    Findings all = new Findings();
    all.addAll(checkpoints.checkpointFindings());
    all.addAll(findings);
    if (anchor.isPresent()) {
      Checkpoint cp = anchor.get().getValue();
      all.add(Finding.of(FindingCode.BUNDLE_PARTIAL, null, "bundle " + Untrusted.quote(name) + ": " + proven + " of its "
          + entries.size() + " entries are proven to be in log " + Untrusted.quote(cp.origin()) + " at their log"
          + " indices (newest checkpoint: size " + cp.size() + "); the log's other " + (cp.size() - proven)
          + " entries were not seen, and a chain's entries after the last one in the bundle may exist"));
    }
    return all;
  }

  /** A reference to the entry at {@code position} in the bundle, before (or whatever) its record says. */
  private RecordRef ref(EvidenceBundle.Entry e, int position) {
    String at = where.apply(new RawRecord(e.logIndex(), file, position + 1L, 0, null, false, true));
    return new RecordRef(e.logIndex(), at, Optional.empty(), OptionalLong.empty(), Optional.empty(), ledger);
  }
}
