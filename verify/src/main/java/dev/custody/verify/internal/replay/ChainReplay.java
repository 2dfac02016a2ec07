package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.EventDetails;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Check 3 of DESIGN.md §6 (integrity), run sequentially over the records in log order, and the
 * collector of all findings into a {@link VerificationReport}: sequence numbers, {@code prev} links,
 * forks, duplicates, times that do not run backwards or into the future ({@link TimeCheck}), and
 * approvals and revocations whose subject is an earlier authentic entry. Not thread-safe: one
 * replay, one thread.
 *
 * <p>Per chain it keeps only the head (sequence, hash, log index), the set of sequence numbers seen
 * as ranges, the entry count and the signer key ids; across the log, the set of authentic entry
 * hashes for duplicate detection (32 bytes per entry in a flat table, see {@link DigestSet}), at
 * most {@value #MAX_REMEMBERED_REJECTS} rejected hashes for hints, and findings under the per-code
 * bound of {@link Findings}. A record that failed the per-record checks takes no part in the chain
 * checks: the chain's next entry then reports the gap it leaves, pointing at the rejected record
 * when its {@code prev} names it, and the chain resumes from that entry, so one bad record costs
 * at most one more finding.
 */
public final class ChainReplay {
  /**
   * Rejected records remembered by hash, only to explain the gap they leave ("its prev is the record
   * at log index N, which was rejected"); bounded against hostile logs (about 150 bytes each).
   */
  public static final int MAX_REMEMBERED_REJECTS = 10_000;

  private final Optional<String> onlyChain;
  private final Findings findings = new Findings();
  private final Findings trailing = new Findings();
  private final Map<String, ChainState> chains = new HashMap<>();
  private final DigestSet seen = new DigestSet();
  private final Map<Digest, Long> rejected = new HashMap<>();
  private long recordsChecked;
  private long unattributedChecked;

  private static final String[] NO_SIGNERS = new String[0];

  private static final class ChainState {
    long headSequence;
    Digest headHash;
    long headLogIndex;
    /** The signed time of the head entry, to see times run backwards. */
    java.time.Instant headTime;
    long entries;
    final SequenceRanges sequences = new SequenceRanges();
    /**
     * Key ids of the signers: the trusted keys' own strings, so an array of references (a chain
     * rarely has more than a few signers) instead of a sorted set, about 100 bytes less per chain.
     */
    String[] signers = NO_SIGNERS;

    /** A chain seen for the first time: its head is its first entry ({@link #advance} sets the rest). */
    ChainState(Digest headHash, java.time.Instant headTime) {
      this.headHash = headHash;
      this.headTime = headTime;
    }
  }

  private final TimeCheck time;
  /** Whether other ledgers are verified with this one, so a decision's subject may be one of theirs. */
  private final boolean subjectsMayBeElsewhere;
  private final List<UnresolvedSubject> unresolved = new ArrayList<>();

  /**
   * @param subjectsMayBeElsewhere whether other ledgers are verified together with this one: then an
   *     approval or revocation whose subject this ledger does not hold is not reported here but handed
   *     over ({@link Result#unresolvedSubjects}) to be looked up in the others
   */
  public ChainReplay(Optional<String> onlyChain, TimeCheck time, boolean subjectsMayBeElsewhere) {
    this.onlyChain = onlyChain;
    this.time = time;
    this.subjectsMayBeElsewhere = subjectsMayBeElsewhere;
  }

  /**
   * An approval or revocation whose subject is no entry of its own ledger (neither earlier, nor a
   * rejected record), when several ledgers are verified together: an auditor's approval kept in its
   * own ledger, say. It is {@link FindingCode#SUBJECT_NOT_FOUND} unless another ledger holds the subject.
   */
  public record UnresolvedSubject(RecordRef ref, String kind, String decision, Digest subject) {
    /** The finding when no ledger holds the subject. */
    public Finding notFound() {
      return Finding.of(FindingCode.SUBJECT_NOT_FOUND, ref, "the " + kind + " " + ref.chainPosition().orElseThrow()
          + " (" + decision + ") is about entry " + subject + ", which is no authentic entry before it in its"
          + " ledger nor an entry of the other ledgers verified with it: it is missing (deleted, or in a ledger not"
          + " given) or comes later, and a decision cannot precede what it decides about. Obtain the complete"
          + " ledgers, or treat the decision as unfounded");
    }
  }

  /** A finding about the log's layout rather than one record's content, in log order. */
  public void layout(Finding f) {
    add(f);
  }

  /** Findings about the ledger as a whole, reported after the findings in log order. */
  public void trailing(Findings f) {
    trailing.addAll(f);
  }

  /** Takes the next record in log order. */
  public void accept(CheckedRecord r) {
    recordsChecked++;
    if (!r.authentic()) {
      unattributedChecked++;
    }
    r.findings().forEach(this::add);
    Optional<Digest> hash = r.ref().hash();
    if (!r.authentic()) {
      // A rejected record already has its finding; it costs no per-entry memory beyond the bounded hint map.
      if (hash.isPresent() && rejected.size() < MAX_REMEMBERED_REJECTS) {
        rejected.putIfAbsent(hash.get(), r.ref().logIndex());
      }
      return;
    }
    if (!seen.add(hash.orElseThrow())) {
      add(Finding.of(FindingCode.DUPLICATE_ENTRY, r.ref(), "record " + hash.get()
          + " appears earlier in the log too; a record was copied (replayed) into the log; remove the copy"));
      return;
    }
    EntryPayload p = r.payload().get();
    checkChain(r.ref(), p, r.signer().get().keyId());
    checkTimes(r.ref(), p);
    checkSubject(r.ref(), p);
  }

  /** The entry's date against trusted time, and the event's own times. */
  private void checkTimes(RecordRef ref, EntryPayload p) {
    Optional<String> future = time.future(ref.logIndex(), p.time());
    if (future.isPresent()) {
      add(Finding.of(FindingCode.TIME_IN_FUTURE, ref, "entry " + ref.chainPosition().orElseThrow() + " "
          + future.get()));
    }
    if (p.event().timesReversed()) {
      add(Finding.of(FindingCode.TIME_REVERSED, ref, "the event of entry " + ref.chainPosition().orElseThrow()
          + " finished (" + p.event().finishedAt().get() + ") before it started (" + p.event().startedAt().get()
          + "): the signer's clock ran backwards during the step, or the times are wrong"));
    }
  }

  /**
   * An approval or revocation must name an authentic entry earlier in the log. Subjects are entry
   * hashes, looked up in the table of authentic entries seen so far, so no memory is added.
   */
  private void checkSubject(RecordRef ref, EntryPayload p) {
    if (!(p.event().details() instanceof EventDetails.Decision d)) {
      return;
    }
    if (seen.contains(d.subject())) {
      return;
    }
    Long rejectedAt = rejected.get(d.subject());
    if (rejectedAt == null && subjectsMayBeElsewhere) {
      if (onlyChain.isEmpty() || onlyChain.get().equals(p.chain())) {
        unresolved.add(new UnresolvedSubject(ref, p.event().type().name(), d.decision(), d.subject()));
      }
      return;
    }
    add(Finding.of(FindingCode.SUBJECT_NOT_FOUND, ref, "the " + p.event().type() + " " + ref.chainPosition()
        .orElseThrow() + " (" + d.decision() + ") is about entry " + d.subject() + ", which "
        + (rejectedAt != null ? "is the record at log index " + rejectedAt + ", rejected (see the finding there)"
            : "is no authentic entry before it in the log: it is missing (deleted, or in another ledger) or comes"
                + " later, and a decision cannot precede what it decides about")
        + ". Obtain the complete ledger, or treat the decision as unfounded"));
  }

  private void checkChain(RecordRef ref, EntryPayload p, String signer) {
    Digest hash = ref.hash().orElseThrow();
    String pos = ref.chainPosition().orElseThrow();
    ChainState c = chains.get(p.chain());
    if (c == null) {
      if (p.sequence() != 0) {
        add(Finding.of(FindingCode.CHAIN_START_MISSING, ref, "first entry of chain " + p.chain()
            + " has sequence " + p.sequence() + ", expected 0; entries 0.." + (p.sequence() - 1)
            + " are missing" + rejectedHint(p) + ". Obtain the complete log"));
      }
      c = new ChainState(hash, p.time());
      chains.put(p.chain(), c);
      advance(c, ref, p, hash, signer);
      return;
    }
    if (c.sequences.contains(p.sequence())) {
      add(Finding.of(FindingCode.FORK, ref, "entry " + pos + " (" + hash + ") conflicts with a"
          + " different entry " + pos + " earlier in the log"
          + (p.sequence() == c.headSequence ? " (log index " + c.headLogIndex + ", " + c.headHash + ")" : "")
          + "; the chain forks: two histories were signed for the same position. Find out which one is genuine"));
      return;
    }
    long expected = c.headSequence + 1;
    if (p.sequence() >= expected && p.time().isBefore(c.headTime)) {
      add(Finding.of(FindingCode.TIME_REVERSED, ref, "entry " + pos + " is dated " + p.time() + ", earlier than"
          + " the chain's previous entry " + p.chain() + ":" + c.headSequence + " (log index " + c.headLogIndex
          + ") dated " + c.headTime + ": the signer's clock was wrong, or the entry was back-dated"));
    }
    if (p.sequence() == expected) {
      Digest prev = p.prev().orElseThrow(); // sequence > 0, so EntryPayload guarantees prev
      // Digest equality is constant time (Bytes.equals), as for every digest comparison.
      if (!prev.equals(c.headHash)) {
        add(Finding.of(FindingCode.PREV_MISMATCH, ref, "entry " + pos + " has prev " + prev
            + " but entry " + p.chain() + ":" + c.headSequence + " (log index " + c.headLogIndex + ") has hash "
            + c.headHash + rejectedHint(p) + "; the chain's history was altered, or this entry belongs to"
            + " another copy of the chain"));
      }
      advance(c, ref, p, hash, signer);
    } else if (p.sequence() > expected) {
      add(Finding.of(FindingCode.SEQUENCE_GAP, ref, "entry " + pos + " follows " + p.chain() + ":"
          + c.headSequence + " (log index " + c.headLogIndex + "); "
          + (p.sequence() - expected == 1 ? "entry " + expected + " is" : "entries " + expected + ".."
              + (p.sequence() - 1) + " are") + " missing" + rejectedHint(p)
          + ". Entries were deleted or the log is incomplete"));
      advance(c, ref, p, hash, signer);
    } else {
      add(Finding.of(FindingCode.SEQUENCE_OUT_OF_ORDER, ref, "entry " + pos + " comes after "
          + p.chain() + ":" + c.headSequence + " (log index " + c.headLogIndex + "); entries of a chain must be"
          + " in sequence order in the log, so records were moved"));
      c.sequences.add(p.sequence());
      count(c, signer);
    }
  }

  private String rejectedHint(EntryPayload p) {
    if (p.prev().isEmpty()) {
      return "";
    }
    Long idx = rejected.get(p.prev().get());
    return idx == null ? "" : " (its prev is the record at log index " + idx + ", which was rejected: see the"
        + " finding there)";
  }

  private void advance(ChainState c, RecordRef ref, EntryPayload p, Digest hash, String signer) {
    c.headSequence = p.sequence();
    c.headHash = hash;
    c.headLogIndex = ref.logIndex();
    c.headTime = p.time();
    c.sequences.add(p.sequence());
    count(c, signer);
  }

  private void count(ChainState c, String signer) {
    c.entries++;
    // The key that verified the signature, not the payload's claim (which KEY_ID_MISMATCH reports).
    for (String s : c.signers) {
      if (s.equals(signer)) {
        return;
      }
    }
    c.signers = java.util.Arrays.copyOf(c.signers, c.signers.length + 1);
    c.signers[c.signers.length - 1] = signer;
  }

  private void add(Finding f) {
    if (onlyChain.isPresent() && f.entry().flatMap(RecordRef::chain).map(c -> !c.equals(onlyChain.get())).orElse(false)) {
      return;
    }
    findings.add(f);
  }

  /**
   * What one ledger's replay established: the records checked (see
   * {@link VerificationReport#entriesChecked}), the chains, and the findings in log order with those
   * about the ledger as a whole last.
   */
  public record Result(long entries, List<ChainSummary> chains, Findings findings,
      List<UnresolvedSubject> unresolvedSubjects) {}

  /** Ends the replay. */
  public Result finish() {
    List<ChainSummary> summaries = new ArrayList<>();
    long entries;
    if (onlyChain.isPresent()) {
      ChainState c = chains.get(onlyChain.get());
      if (c == null) {
        trailing.add(Finding.of(FindingCode.CHAIN_NOT_FOUND, null, "no authentic entry of chain " + onlyChain.get()
            + " in the ledger (" + chains.size() + " chains found" + (chains.isEmpty() ? "" : ", e.g. "
            + new TreeMap<>(chains).firstKey()) + "); check the chain id and the trusted keys"));
        entries = unattributedChecked;
      } else {
        summaries.add(summary(onlyChain.get(), c));
        entries = c.entries + unattributedChecked;
      }
    } else {
      new TreeMap<>(chains).forEach((id, c) -> summaries.add(summary(id, c)));
      entries = recordsChecked;
    }
    if (recordsChecked == 0) {
      trailing.add(Finding.of(FindingCode.LEDGER_EMPTY, null, "the ledger holds no entries"));
    }
    Findings all = new Findings();
    all.addAll(findings);
    all.addAll(trailing);
    return new Result(entries, summaries, all, List.copyOf(unresolved));
  }

  private static ChainSummary summary(String id, ChainState c) {
    return new ChainSummary(id, c.entries, c.headHash, java.util.Set.of(c.signers));
  }
}
