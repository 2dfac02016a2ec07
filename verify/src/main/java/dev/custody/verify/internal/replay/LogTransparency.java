package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointException;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.Cosignature;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.checkpoint.LogConfig;
import dev.custody.core.merkle.CompactRange;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.note.InvalidNoteSignatureException;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.UnverifiedNoteException;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.core.timestamp.TimestampVerifier;
import dev.custody.core.timestamp.VerifiedTimestamp;
import dev.custody.verify.internal.ExceptionText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Check 4 of DESIGN.md §6 (transparency) over one replay: the RFC 9162 root of the log is computed
 * while the records stream past (one leaf hash per record, computed by the workers, folded in log
 * order into a {@link CompactRange}: O(log n) memory), and recorded at every size a checkpoint
 * names. Then, for every checkpoint — the ledger's own ({@code DIR/checkpoint},
 * {@code DIR/checkpoints/N}) and the one the auditor brought ({@code --checkpoint}) — it checks the
 * signature with a trusted log key (verify, then parse), that the ledger is at least as long, and
 * that the root of the ledger's first {@code size} records equals the checkpoint's root.
 *
 * <p>Which key checks checkpoints: the trusted log keys given to the verifier when there are any
 * (then a checkpoint signed by another key is {@link FindingCode#CHECKPOINT_UNTRUSTED}); otherwise
 * the ledger's own {@code DIR/log/vkey}, with a {@link FindingCode#LOG_KEY_UNTRUSTED} warning, since
 * whoever holds the ledger files can replace that key along with the checkpoints.
 *
 * <p>Missing state: with trusted log keys, a ledger without that log's identity ({@code log/config.json},
 * {@code log/vkey} naming a trusted key) is {@link FindingCode#LOG_IDENTITY_MISSING}, and a ledger that
 * holds entries but no checkpoint of its own signed by a trusted key is
 * {@link FindingCode#NO_TRUSTED_CHECKPOINT} (both errors: deleting them is how truncation would hide);
 * without trusted log keys, a ledger with no checkpoint at all is {@link FindingCode#NO_CHECKPOINT}, a
 * warning whose message says that truncation cannot be excluded.
 *
 * <p>Beyond the log signature, {@link Requirements} may ask that the auditor's checkpoint carry
 * cosignatures by at least k of n trusted witnesses ({@link FindingCode#CHECKPOINT_WITNESSES_MISSING}
 * otherwise, {@link FindingCode#CHECKPOINT_WITNESSED} naming who cosigned when met), and that RFC 3161
 * timestamps stored beside checkpoints ({@code checkpoints/N.tsr}, the auditor's {@code FILE.tsr})
 * verify against trusted TSA roots ({@link FindingCode#TIMESTAMP_VERIFIED} with the time, or
 * {@link FindingCode#TIMESTAMP_INVALID}); a checkpoint's cosignatures and timestamp are checked
 * only after its log signature verified. {@code DIR/checkpoint.tsr} is not read: {@code checkpoint}
 * is a copy of {@code checkpoints/N}, whose timestamp is checked, and the writer replaces
 * {@code checkpoint} without its timestamp.
 *
 * <p>Not thread-safe: one replay, one thread ({@link #leaf} is called in log order).
 */
public final class LogTransparency {
  /**
   * A checkpoint to check: where it came from, its bytes, and the RFC 3161 timestamp response
   * stored beside it, if any.
   */
  public record Source(String name, byte[] note, boolean auditor, Optional<Sidecar> timestamp) {
    public Source(String name, byte[] note, boolean auditor) {
      this(name, note, auditor, Optional.empty());
    }

    /** This source's name and kind, without the bytes of the note and timestamp. */
    Source withoutBytes() {
      return new Source(name, new byte[0], auditor, timestamp.map(t -> new Sidecar(t.name(), new byte[0])));
    }
  }

  /** A timestamp response file ({@code NAME.tsr}) and its bytes. */
  public record Sidecar(String name, byte[] der) {}

  /**
   * What the verifier requires beyond the log signature. Witnesses apply to the auditor's
   * checkpoint: at least {@code witnessThreshold} of {@code witnesses} must have cosigned it.
   * Timestamps are checked, when {@code timestamps} is present, on every checkpoint that has one.
   */
  public record Requirements(List<VerifierKey> witnesses, int witnessThreshold, Optional<TimestampVerifier> timestamps) {
    public static final Requirements NONE = new Requirements(List.of(), 0, Optional.empty());

    public Requirements {
      witnesses = List.copyOf(witnesses);
    }
  }

  /** A checkpoint whose signature verified; its source without the bytes, which are not needed again. */
  private record Verified(Source source, Checkpoint checkpoint) {}

  private final Path ledger;
  private final Findings findings = new Findings();
  /** Per checkpoint size, the earliest time a verified RFC 3161 timestamp says that checkpoint existed. */
  private final TreeMap<Long, java.time.Instant> trustedTimes = new TreeMap<>();
  private final List<Verified> verified = new ArrayList<>();
  private final TreeMap<Long, Bytes> rootsNeeded = new TreeMap<>();
  private final CompactRange range = new CompactRange();
  private long brokenAt = -1;
  private final boolean hasIdentity;
  private final boolean anyStored;
  /** Whether the auditor named the log keys to trust: then missing transparency state is an error. */
  private final boolean trustedKeysGiven;
  private final Requirements requirements;

  public LogTransparency(Path ledger, List<VerifierKey> trustedLogKeys, Optional<Source> auditor) throws IOException {
    this(ledger, trustedLogKeys, auditor, Requirements.NONE);
  }

  public LogTransparency(Path ledger, List<VerifierKey> trustedLogKeys, Optional<Source> auditor, Requirements requirements)
      throws IOException {
    this.ledger = ledger;
    this.requirements = requirements;
    Optional<LogConfig> config = Optional.empty();
    Optional<VerifierKey> ownKey = Optional.empty();
    boolean identity = false;
    boolean identityInvalid = false;
    try {
      config = LogConfig.read(ledger);
      Path vkeyFile = ledger.resolve(LedgerLayout.LOG_VKEY);
      if (Files.isRegularFile(vkeyFile)) {
        ownKey = Optional.of(VerifierKey.parse(new String(LedgerLayout.readSmallFile(vkeyFile), StandardCharsets.UTF_8)
            .strip()));
      }
      identity = config.isPresent() || ownKey.isPresent();
    } catch (FormatException e) {
      identity = true;
      identityInvalid = true;
      findings.add(Finding.of(FindingCode.LOG_IDENTITY_INVALID, null, "the ledger's log identity ("
          + LedgerLayout.LOG_CONFIG + ", " + LedgerLayout.LOG_VKEY + ") is malformed: " + e.getMessage()));
    }
    this.hasIdentity = identity;
    this.trustedKeysGiven = !trustedLogKeys.isEmpty();
    if (trustedKeysGiven && !identityInvalid) {
      requireTrustedIdentity(config, ownKey, trustedLogKeys);
    }

    // Which checkpoint files there are; each is read, checked and dropped in turn (below), so a ledger
    // holding many (large) checkpoint files costs a few words per verified checkpoint, not its bytes.
    LedgerLayout.CheckpointFiles files = null;
    try {
      files = LedgerLayout.checkpointFiles(ledger);
      for (Path p : files.stray()) {
        findings.add(Finding.of(FindingCode.CHECKPOINT_MALFORMED, null, Untrusted.quote(p.toString())
            + ": unexpected file among the checkpoints (they are named by their decimal tree size); it was not read"));
      }
      for (Path p : files.temporaries()) {
        findings.add(Finding.of(FindingCode.TEMPORARY_FILE_LEFT, null, Untrusted.quote(p.toString()) + ": a temporary"
            + " file left by a write that was interrupted (a crash while a checkpoint was stored); it is not a"
            + " checkpoint and was not read. The next writer to open the ledger removes it"));
      }
    } catch (FormatException e) {
      findings.add(Finding.of(FindingCode.CHECKPOINT_MALFORMED, null, ExceptionText.of(e)));
    }
    Path latest = ledger.resolve(LedgerLayout.CHECKPOINT);
    boolean latestExists = Files.isRegularFile(latest);
    this.anyStored = latestExists || (files != null && !files.bySize().isEmpty());

    // Which keys check the checkpoints, and for which origin.
    List<VerifierKey> keys = trustedLogKeys;
    if (keys.isEmpty() && ownKey.isPresent() && (anyStored || auditor.isPresent())) {
      keys = List.of(ownKey.get());
      findings.add(Finding.of(FindingCode.LOG_KEY_UNTRUSTED, null, "checkpoints were checked with the ledger's own log"
          + " key " + Untrusted.quote(ownKey.get().toString()) + " (" + LedgerLayout.LOG_VKEY + "), which whoever"
          + " holds the ledger files can replace together with the checkpoints; give the verifier the log key you"
          + " trust (--log-key, or a *.vkey file in the trust directory)"));
    }
    String origin = config.map(LogConfig::origin).orElse(keys.isEmpty() ? null : keys.get(0).name());
    if (files != null) {
      for (Map.Entry<Long, Path> e : files.bySize().entrySet()) {
        String name = LedgerLayout.CHECKPOINTS + "/" + e.getKey();
        try {
          Path tsr = files.timestamps().get(e.getKey());
          Optional<Sidecar> timestamp = Optional.empty();
          if (tsr != null) {
            timestamp = Optional.of(new Sidecar(name + LedgerLayout.TIMESTAMP_SUFFIX, LedgerLayout.readSmallFile(tsr)));
          }
          check(new Source(name, LedgerLayout.readSmallFile(e.getValue()), false, timestamp), keys, origin);
        } catch (FormatException ex) {
          findings.add(Finding.of(FindingCode.CHECKPOINT_MALFORMED, null, name + ": " + ex.getMessage()));
        }
      }
    }
    if (latestExists) {
      try {
        check(new Source(LedgerLayout.CHECKPOINT, LedgerLayout.readSmallFile(latest), false), keys, origin);
      } catch (FormatException ex) {
        findings.add(Finding.of(FindingCode.CHECKPOINT_MALFORMED, null, LedgerLayout.CHECKPOINT + ": " + ex.getMessage()));
      }
    }
    if (auditor.isPresent()) {
      check(auditor.get(), keys, origin);
    }
    for (Verified v : verified) {
      rootsNeeded.put(v.checkpoint().size(), MerkleHash.EMPTY_ROOT);
    }
    rootsNeeded.put(0L, MerkleHash.EMPTY_ROOT);
  }

  /**
   * The checkpoints of an evidence bundle, checked as a ledger's own are ({@link BundleTransparency}):
   * each signature with a trusted log key, or without one with the log key the bundle names (a
   * {@link FindingCode#LOG_KEY_UNTRUSTED} warning), and its RFC 3161 timestamp when roots are given.
   * The bundle's entries are not streamed here; {@link #verifiedCheckpoints} hands the checkpoints on.
   *
   * @param bundle names the bundle, e.g. its file
   * @param bundleKey the log key the bundle names (untrusted)
   */
  LogTransparency(String bundle, List<Source> checkpoints, Optional<VerifierKey> bundleKey,
      List<VerifierKey> trustedLogKeys, Requirements requirements) {
    this.ledger = Path.of(bundle);
    this.requirements = requirements;
    this.hasIdentity = bundleKey.isPresent();
    this.anyStored = !checkpoints.isEmpty();
    this.trustedKeysGiven = !trustedLogKeys.isEmpty();
    List<VerifierKey> keys = trustedLogKeys;
    if (keys.isEmpty() && bundleKey.isPresent() && anyStored) {
      keys = List.of(bundleKey.get());
      findings.add(Finding.of(FindingCode.LOG_KEY_UNTRUSTED, null, "the checkpoints of bundle " + Untrusted.quote(bundle)
          + " were checked with the log key the bundle names, " + Untrusted.quote(bundleKey.get().toString())
          + ", which whoever made the bundle chose; give the verifier the log key you trust (--log-key, or a *.vkey"
          + " file in the trust directory)"));
    }
    for (Source s : checkpoints) {
      // The origin the note claims: a trusted key verifies only checkpoints of its own log, so the claim
      // decides nothing; it picks which of several trusted logs' keys applies.
      String origin = keys.isEmpty() ? null : keys.get(0).name();
      try {
        String text = SignedNote.parse(s.note()).unverifiedText();
        origin = text.substring(0, Math.max(0, text.indexOf('\n')));
      } catch (FormatException e) {
        // check() reports the malformed note
      }
      check(s, keys, origin);
    }
  }

  /** The checkpoints whose log signature verified, by the name of their source, in the order checked. */
  List<Map.Entry<String, Checkpoint>> verifiedCheckpoints() {
    List<Map.Entry<String, Checkpoint>> out = new ArrayList<>();
    verified.forEach(v -> out.add(Map.entry(v.source().name(), v.checkpoint())));
    return out;
  }

  /** The findings about the checkpoints so far (for a bundle, all there are). */
  Findings checkpointFindings() {
    return findings;
  }

  /**
   * With trusted log keys, the ledger must carry that log's identity: without {@code log/config.json}
   * or {@code log/vkey}, or with a {@code log/vkey} the auditor does not trust, the ledger is not (or
   * no longer) the log the auditor trusts. Deleting the identity together with the checkpoints is how
   * truncation would otherwise pass as a ledger made before checkpoints existed.
   */
  private void requireTrustedIdentity(Optional<LogConfig> config, Optional<VerifierKey> ownKey,
      List<VerifierKey> trustedLogKeys) {
    List<String> missing = new ArrayList<>();
    if (config.isEmpty()) {
      missing.add(LedgerLayout.LOG_CONFIG);
    }
    if (ownKey.isEmpty()) {
      missing.add(LedgerLayout.LOG_VKEY);
    }
    if (!missing.isEmpty()) {
      findings.add(Finding.of(FindingCode.LOG_IDENTITY_MISSING, null, "the ledger has no " + String.join(" and no ",
          missing) + ", but the auditor trusts the log key" + (trustedLogKeys.size() == 1 ? " " : "s ")
          + names(trustedLogKeys) + ": the log identity was deleted, and with it what shows which log this ledger"
          + " is; a ledger whose identity and checkpoints are deleted can hide removed entries. Restore "
          + LedgerLayout.LOG_CONFIG + " and " + LedgerLayout.LOG_VKEY + " (and the checkpoints) from a copy of the"
          + " ledger"));
    } else if (!trustedLogKeys.contains(ownKey.get())) {
      findings.add(Finding.of(FindingCode.LOG_IDENTITY_MISSING, null, LedgerLayout.LOG_VKEY + " names the log key "
          + Untrusted.quote(ownKey.get().toString()) + ", which is not a trusted log key (" + names(trustedLogKeys)
          + "): the ledger does not carry the identity of the log the auditor trusts; it was re-initialised or"
          + " belongs to another log"));
    }
  }

  private static String names(List<VerifierKey> keys) {
    List<String> out = new ArrayList<>();
    keys.forEach(k -> out.add(Untrusted.quote(k.toString())));
    return String.join(", ", out);
  }

  /** Checks {@code s} against {@code keys} for {@code origin}; null when there is no origin to check it for. */
  private void check(Source s, List<VerifierKey> keys, @Nullable String origin) {
    if (keys.isEmpty() || origin == null) {
      findings.add(Finding.of(FindingCode.CHECKPOINT_UNTRUSTED, null, s.name() + ": no log key to check it with (the"
          + " ledger has no " + LedgerLayout.LOG_VKEY + " and none was trusted); give the log's key with --log-key"));
      return;
    }
    CustodyException last = null;
    for (VerifierKey k : keys) {
      try {
        CheckpointVerifier byLog = CheckpointVerifier.forLog(origin, k);
        Checkpoint cp = byLog.verify(s.note()).checkpoint();
        verified.add(new Verified(s.withoutBytes(), cp));
        String what = describe(s, cp);
        if (s.auditor() && !requirements.witnesses().isEmpty()) {
          checkWitnesses(s, byLog, what, cp.size());
        }
        if (requirements.timestamps().isPresent() && s.timestamp().isPresent()) {
          checkTimestamp(s, requirements.timestamps().get(), what, cp.size());
        }
        return;
      } catch (UnverifiedNoteException | CheckpointException e) {
        last = e; // not signed by this key, or for another origin: try the next trusted key
      } catch (InvalidNoteSignatureException e) {
        findings.add(Finding.of(FindingCode.CHECKPOINT_SIGNATURE_INVALID, null, s.name() + ": the signature by log key "
            + Untrusted.quote(k.toString()) + " does not verify: " + e.getMessage() + "; the checkpoint was altered or"
            + " forged"));
        return;
      } catch (FormatException e) {
        findings.add(Finding.of(FindingCode.CHECKPOINT_MALFORMED, null, s.name() + ": not a C2SP checkpoint signed"
            + " note: " + e.getMessage()));
        return;
      } catch (CustodyException e) {
        last = e;
      }
    }
    findings.add(Finding.of(FindingCode.CHECKPOINT_UNTRUSTED, null, s.name() + ": not a checkpoint of log "
        + Untrusted.quote(origin) + " signed by a trusted log key (" + names(keys) + "): "
        + (last == null ? "" : last.getMessage())));
  }

  /**
   * The witness requirement on the auditor's checkpoint, once its log signature verified: every
   * cosignature by a trusted witness must verify, and at least the threshold of them must be there.
   */
  private void checkWitnesses(Source s, CheckpointVerifier byLog, String what, long size) {
    List<VerifierKey> trusted = requirements.witnesses();
    List<Cosignature> cosignatures;
    try {
      // Threshold 0 here so that a shortfall becomes a finding naming who signed, not an exception.
      cosignatures = byLog.withWitnesses(trusted, 0).verify(s.note()).cosignatures();
    } catch (InvalidNoteSignatureException e) {
      findings.add(Finding.of(FindingCode.CHECKPOINT_SIGNATURE_INVALID, null, what + ": a cosignature by a trusted"
          + " witness does not verify: " + e.getMessage() + "; the cosignature was altered, copied from another"
          + " checkpoint or forged"));
      return;
    } catch (CustodyException e) {
      // The log signature verified just before with the same bytes and origin; nothing else can fail.
      throw new IllegalStateException("witness check failed after the log signature verified", e);
    }
    List<String> signed = new ArrayList<>();
    Set<VerifierKey> cosigners = new HashSet<>();
    for (Cosignature c : cosignatures) {
      cosigners.add(c.witness());
      signed.add(c.witness().name() + " at " + c.time());
    }
    List<String> missing = new ArrayList<>();
    Set<VerifierKey> distinctWitnesses = new LinkedHashSet<>();
    trusted.forEach(w -> distinctWitnesses.add(w.asCosignatureV1())); // as CheckpointVerifier counts them
    for (VerifierKey w : distinctWitnesses) {
      if (!cosigners.contains(w)) {
        missing.add(w.encode());
      }
    }
    String tally = what + " is cosigned by " + cosignatures.size() + " of the " + distinctWitnesses.size()
        + " trusted witnesses"
        + (signed.isEmpty() ? "" : " (" + String.join(", ", signed) + ")") + ", " + requirements.witnessThreshold()
        + " required";
    if (cosignatures.size() < requirements.witnessThreshold()) {
      findings.add(Finding.of(FindingCode.CHECKPOINT_WITNESSES_MISSING, null, tally + "; no valid cosignature by "
          + String.join(", ", missing) + ". Ask the witnesses to cosign this checkpoint ('custody witness cosign'),"
          + " or obtain a checkpoint they cosigned"));
    } else {
      findings.add(Finding.of(FindingCode.CHECKPOINT_WITNESSED, null, tally));
      // Trusted time: by the K-th earliest cosignature, K trusted witnesses had seen this tree (a cosignature's
      // time is its witness's claim; K of them agreeing is what the auditor trusts).
      java.time.Instant byThreshold = cosignatures.stream().map(Cosignature::time).sorted()
          .skip(requirements.witnessThreshold() - 1L).findFirst().orElseThrow();
      trustedTimes.merge(size, byThreshold, (a, b) -> a.isBefore(b) ? a : b);
    }
  }

  /** The RFC 3161 token beside a checkpoint whose log signature verified (verify, then parse). */
  private void checkTimestamp(Source s, TimestampVerifier tsa, String what, long size) {
    Sidecar tsr = s.timestamp().orElseThrow();
    try {
      SignedNote note = SignedNote.parse(s.note());
      VerifiedTimestamp t = tsa.verifyCheckpoint(TimestampToken.parse(tsr.der()), note);
      findings.add(Finding.of(FindingCode.TIMESTAMP_VERIFIED, null, what + " existed at " + t.genTime() + ": its"
          + " timestamp " + tsr.name() + " verifies (TSA "
          + Untrusted.quote(t.tsaCertificate().getSubjectX500Principal().getName()) + ", serial " + t.serialNumber()
          + ", policy " + Untrusted.quote(t.policy()) + ")"));
      trustedTimes.merge(size, t.genTime(), (a, b) -> a.isBefore(b) ? a : b);
    } catch (TimestampException e) {
      findings.add(Finding.of(FindingCode.TIMESTAMP_INVALID, null, what + ": its timestamp " + tsr.name()
          + " does not verify (" + e.reason() + "): " + e.getMessage()));
    } catch (FormatException e) {
      throw new IllegalStateException("checkpoint note failed to parse after it verified", e);
    }
  }

  private static String describe(Source s, Checkpoint cp) {
    return (s.auditor() ? "the auditor's checkpoint " : "checkpoint ") + s.name() + " (size " + cp.size() + ", root "
        + b64(cp.rootHash()) + ")";
  }

  /**
   * The trusted times known before replay: per checkpoint size, the earliest {@code genTime} of a
   * verified RFC 3161 timestamp of a checkpoint (signed by the log key) of that size. Every entry at a
   * log index below that size existed by then.
   */
  public java.util.NavigableMap<Long, java.time.Instant> trustedTimes() {
    return java.util.Collections.unmodifiableNavigableMap(trustedTimes);
  }

  /** The leaf hash of the next record in log order, or null when the record could not be read (oversize). */
  public void leaf(byte @Nullable [] leafHash) {
    if (brokenAt >= 0) {
      return;
    }
    if (leafHash == null) {
      brokenAt = range.size();
      return;
    }
    range.append(Bytes.copyOf(leafHash));
    long n = range.size();
    if (rootsNeeded.containsKey(n)) {
      rootsNeeded.put(n, range.root());
    }
  }

  /** The findings, after the last record. */
  public Findings finish() {
    long size = brokenAt >= 0 ? brokenAt : range.size();
    Map<Long, Verified> bySize = new HashMap<>();
    Verified newest = null;
    // Stored checkpoints that do not match: the first (smallest) is reported in full, the rest
    // counted in it, so a ledger checkpointed after every append does not drown the report.
    List<String> laterMismatches = new ArrayList<>();
    Finding firstMismatch = null;
    long firstMismatchSize = Long.MAX_VALUE;
    boolean problems = false;
    for (Verified v : verified) {
      Checkpoint cp = v.checkpoint();
      String what = describe(v.source(), cp);
      Verified same = bySize.putIfAbsent(cp.size(), v);
      if (same != null && !same.checkpoint().rootHash().equals(cp.rootHash())) {
        findings.add(Finding.of(FindingCode.CHECKPOINT_INCONSISTENT, null, what + " and " + same.source().name()
            + " (root " + b64(same.checkpoint().rootHash()) + ") are both signed for tree size " + cp.size()
            + " with different roots: the log showed two different histories (a fork or split view). Keep both"
            + " files as evidence"));
      }
      if (cp.size() > size && brokenAt < 0) {
        problems = true;
        if (!v.source().auditor() && bySize.get(cp.size()) != v) {
          continue; // the same size was already reported (checkpoint and checkpoints/N are usually equal)
        }
        findings.add(Finding.of(FindingCode.LEDGER_SHORTER_THAN_CHECKPOINT, null, what + " commits to " + cp.size()
            + " entries but the ledger holds " + size + ": entries " + size + ".." + (cp.size() - 1)
            + " were removed (truncation, or an older copy of the ledger)"));
        continue;
      }
      problems |= cp.size() > size || !rootAt(cp.size()).equals(cp.rootHash());
      if (cp.size() > size) {
        findings.add(Finding.of(v.source().auditor() ? FindingCode.CHECKPOINT_INCONSISTENT
            : FindingCode.CHECKPOINT_ROOT_MISMATCH, null, what + ": the root cannot be computed because the record at"
            + " log index " + brokenAt + " could not be read (oversize); the ledger cannot be shown to extend it"));
        continue;
      }
      Bytes root = rootAt(cp.size());
      if (!root.equals(cp.rootHash())) {
        if (v.source().auditor()) {
          findings.add(Finding.of(FindingCode.CHECKPOINT_INCONSISTENT, null, what + ": the ledger does not extend it;"
              + " its first " + cp.size() + " entries have root " + b64(root) + " (ledger size " + size + "). Entries"
              + " up to log index " + (cp.size() - 1) + " were rewritten, reordered, or removed and regrown"));
        } else if (cp.size() < firstMismatchSize) {
          if (firstMismatch != null) {
            laterMismatches.add(Long.toString(firstMismatchSize));
          }
          firstMismatchSize = cp.size();
          firstMismatch = Finding.of(FindingCode.CHECKPOINT_ROOT_MISMATCH, null, what + " does not match the ledger:"
              + " its first " + cp.size() + " entries have root " + b64(root) + ". Entries up to log index "
              + (cp.size() - 1) + " were rewritten, reordered, or removed");
        } else if (cp.size() > firstMismatchSize || bySize.get(cp.size()) == v) {
          laterMismatches.add(Long.toString(cp.size()));
        }
        continue;
      }
      if (!v.source().auditor() && (newest == null || cp.size() > newest.checkpoint().size())) {
        newest = v;
      }
    }
    if (firstMismatch != null) {
      List<String> later = laterMismatches.stream().distinct().sorted(
          java.util.Comparator.comparingLong(Long::parseLong)).toList();
      findings.add(later.isEmpty() ? firstMismatch : new Finding(firstMismatch.code(), firstMismatch.severity(),
          Optional.empty(), firstMismatch.message() + ". The stored checkpoints for " + later.size()
              + " larger sizes (" + abbreviate(later) + ") do not match either"));
    }
    if (requirements.timestamps().isPresent()) {
      warnIfUntimed(newest);
    }
    boolean storedVerified = verified.stream().anyMatch(v -> !v.source().auditor());
    Optional<Verified> auditors = verified.stream().filter(v -> v.source().auditor()).findFirst();
    if (trustedKeysGiven && size > 0 && !storedVerified) {
      findings.add(Finding.of(FindingCode.NO_TRUSTED_CHECKPOINT, null, "the ledger holds " + size + " entries but"
          + " no checkpoint of its own signed by a trusted log key"
          + (anyStored ? " (the checkpoints it holds are not: see the findings above)" : "")
          + auditors.map(a -> "; the auditor's checkpoint covers its first " + a.checkpoint().size() + " entries")
              .orElse("")
          + ". The log writes a checkpoint after every batch of appends, so its checkpoints were deleted or never"
          + " made: whoever holds the files could have removed the last entries or reordered entries of different"
          + " chains, and truncation cannot be excluded. Restore the checkpoints from a copy, or obtain a"
          + " checkpoint from the publisher ('custody checkpoint') and verify with --checkpoint"));
    } else if (!anyStored && size > 0) {
      findings.add(Finding.of(FindingCode.NO_CHECKPOINT, null, (hasIdentity
          ? "the ledger has a log key but no checkpoint: no entry is committed to by a signed tree head"
          : "the ledger has no log key and no checkpoint (it was made before checkpoints existed, or they were"
              + " deleted)")
          + ", and no trusted log key was given: truncation (removal of the last entries) and reordering of"
          + " entries across chains cannot be excluded. "
          + (hasIdentity ? "Run 'custody checkpoint', and verify with the log's key (--log-key)"
              : "Verify with the log's key (--log-key) and a checkpoint obtained earlier (--checkpoint)")));
    } else if (!problems && newest != null && newest.checkpoint().size() < size) {
      findings.add(Finding.of(FindingCode.NOT_CHECKPOINTED, null, "entries at log index "
          + newest.checkpoint().size() + ".." + (size - 1) + " are not covered by a checkpoint yet (newest: "
          + newest.source().name() + ", size " + newest.checkpoint().size() + ")"));
    }
    return findings;
  }

  /**
   * The root of the ledger's first {@code size} records: the constructor asks for one at the size of
   * every checkpoint that verified, and {@link #leaf} computes it as the records pass.
   */
  private Bytes rootAt(long size) {
    return Objects.requireNonNull(rootsNeeded.get(size), "no root kept at a verified checkpoint's size");
  }

  /**
   * With trusted TSA roots given, the checkpoint that dates the ledger — the auditor's, else the
   * newest stored one that matches the ledger — should carry a timestamp.
   */
  private void warnIfUntimed(@Nullable Verified newest) {
    Verified target = verified.stream().filter(v -> v.source().auditor()).findFirst().orElse(newest);
    if (target == null || target.source().timestamp().isPresent()) {
      return;
    }
    Optional<Verified> timed = verified.stream()
        .filter(v -> !v.source().auditor() && v.source().timestamp().isPresent())
        .max(java.util.Comparator.comparingLong(v -> v.checkpoint().size()));
    findings.add(Finding.of(FindingCode.TIMESTAMP_MISSING, null, describe(target.source(), target.checkpoint())
        + " has no RFC 3161 timestamp (" + target.source().name() + LedgerLayout.TIMESTAMP_SUFFIX + "), so nothing"
        + " dates it; " + timed.map(v -> "the newest timestamped checkpoint is " + v.source().name() + " (size "
            + v.checkpoint().size() + ")").orElse("no checkpoint of the ledger is timestamped")
        + ". Timestamp checkpoints with 'custody checkpoint --tsa URL'"));
  }

  private static String abbreviate(List<String> sizes) {
    return sizes.size() <= 6 ? String.join(", ", sizes)
        : String.join(", ", sizes.subList(0, 3)) + ", ..., " + sizes.get(sizes.size() - 1);
  }

  private static String b64(Bytes b) {
    return StrictBase64.encode(b.toByteArray());
  }

  @Override
  public String toString() {
    return "LogTransparency{" + ledger + ", " + verified.size() + " checkpoints}";
  }
}
