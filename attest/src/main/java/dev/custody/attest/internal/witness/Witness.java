package dev.custody.attest.internal.witness;

import dev.custody.attest.internal.store.DurableFiles;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.CosignatureV1Signer;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.CustodyException;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.checkpoint.CheckpointVerifier;
import dev.custody.core.checkpoint.VerifiedCheckpoint;
import dev.custody.core.Digest;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.merkle.ProofException;
import dev.custody.core.merkle.ProofVerifier;
import dev.custody.core.note.NoteSignature;
import dev.custody.core.note.NoteSigningException;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A transparency-log witness (C2SP tlog-witness semantics, without the HTTP transport): it keeps,
 * per log, the last checkpoint it cosigned, and cosigns a new checkpoint only if a consistency
 * proof shows that it extends that one.
 *
 * <h2>What {@link #cosign} checks, in order</h2>
 *
 * <ol>
 *   <li>The note is a strict C2SP signed note carrying a valid signature by the log key, and its
 *       checkpoint's origin is the configured one ({@link CheckpointVerifier}). A checkpoint of size
 *       0 must have the empty-tree root.
 *   <li>Under an exclusive lock on the state directory, the last cosigned checkpoint of that log
 *       (origin + log key) is read and re-verified. If there is none, the checkpoint is cosigned on
 *       <b>trust on first use</b>: the witness has nothing to compare it with, and from then on
 *       holds the log to it.
 *   <li>Otherwise: a smaller size, the same size with another root, or a larger size whose proof
 *       does not verify (RFC 9162 §2.1.4.2, {@link ProofVerifier}) is refused with
 *       {@link InconsistentCheckpointException} after the {@link ForkEvidence} is written to
 *       {@code STATE/evidence/}. The same size with the same root is cosigned again (idempotent);
 *       from a stored size of 0 no proof is needed.
 *   <li>Only then is the checkpoint cosigned ({@code cosignature/v1}, timestamped with the clock)
 *       and the state replaced atomically (temporary file, fsync, rename, directory fsync) before
 *       the cosigned note is returned.
 * </ol>
 *
 * <h2>State directory</h2>
 *
 * <pre>
 *   STATE/witness.key            the witness's private key ({@link #KEY_FILE}, mode 0600; written by {@link #init})
 *   STATE/witness.vkey           its cosignature/v1 verifier key, for publishing
 *   STATE/lock                   held (flock) while a submission is judged and the state updated
 *   STATE/logs/ID.json           per log: {"format","origin","logKey","checkpoint"} (the cosigned note verbatim)
 *   STATE/evidence/KIND-ID-OLD-NEW-TIME.json   one file per refusal ({@link ForkEvidence})
 * </pre>
 *
 * <p>{@code ID} is the first 16 bytes, hex, of SHA-256({@code origin "\n" logKey "\n"}), so a log
 * key used for two origins, or two keys for one origin, are two logs.
 *
 * <p>Thread-safe; concurrent processes on one state directory are serialised by the lock file. Two
 * {@code Witness} objects on the same directory in one JVM are not supported (the second fails
 * with "state directory in use").
 */
public final class Witness {
  /** The private key file {@link #init} writes. */
  public static final String KEY_FILE = "witness.key";
  /** The public verifier key file {@link #init} writes. */
  public static final String VKEY_FILE = "witness.vkey";
  /** Format tag of a per-log state file. */
  public static final String STATE_FORMAT = "custody-witness-state/v1";

  private static final int MAX_STATE_BYTES = SignedNote.MAX_NOTE_BYTES * 2;
  /** Largest witness key file read: the key line is about 100 bytes. */
  private static final int MAX_KEY_FILE_BYTES = 4096;
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path stateDir;
  private final CosignatureV1Signer cosigner;
  private final Clock clock;
  /** Serialises this object's submissions; the lock file serialises processes (a JVM holds one flock per file). */
  private final Object mutex = new Object();

  private Witness(Path stateDir, CosignatureV1Signer cosigner, Clock clock) {
    this.stateDir = stateDir;
    this.cosigner = cosigner;
    this.clock = clock;
  }

  /**
   * A witness keeping its state in {@code stateDir} (created if missing) and cosigning with
   * {@code key} at the time {@code clock} gives.
   */
  public static Witness open(Path stateDir, Ed25519NoteSigner key, Clock clock) throws IOException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clock, "clock");
    Files.createDirectories(stateDir.resolve("logs"));
    Files.createDirectories(stateDir.resolve("evidence"));
    return new Witness(stateDir, key.cosigner(clock), clock);
  }

  /**
   * Generates a witness key named {@code name} and writes {@code stateDir/witness.key} (the note
   * private key string, {@code PRIVATE+KEY+name+id+base64}, mode 0600, never overwritten) and
   * {@code stateDir/witness.vkey}.
   *
   * @return the witness's cosignature/v1 (type 0x04) verifier key, which verifiers configure
   * @throws FileAlreadyExistsException if a key file exists already
   * @throws FormatException if {@code name} is not a valid note key name
   */
  public static VerifierKey init(Path stateDir, String name, SecureRandom random) throws IOException, FormatException {
    Ed25519NoteSigner key = Ed25519NoteSigner.generate(name, random);
    Files.createDirectories(stateDir);
    Path priv = stateDir.resolve(KEY_FILE);
    DurableFiles.createPrivate(priv, (key.exportSecretPrivateKey() + "\n").getBytes(StandardCharsets.US_ASCII));
    VerifierKey vkey = key.cosigner(Clock.systemUTC()).verifierKey();
    DurableFiles.replace(stateDir.resolve(VKEY_FILE), (vkey.encode() + "\n").getBytes(StandardCharsets.US_ASCII));
    return vkey;
  }

  /**
   * Reads a witness private key file (one line, {@code PRIVATE+KEY+...}).
   *
   * @throws FormatException naming the file, without echoing the secret
   */
  public static Ed25519NoteSigner readKey(Path keyFile) throws IOException, FormatException {
    String text = new String(SmallFiles.read(keyFile, MAX_KEY_FILE_BYTES, "witness private key"),
        StandardCharsets.US_ASCII);
    String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    try {
      return Ed25519NoteSigner.parsePrivateKey(line);
    } catch (FormatException e) {
      throw new FormatException(Untrusted.quote(keyFile.toString()) + ": " + e.getMessage(), e);
    }
  }

  /** The verifier key of this witness's cosignatures (type 0x04). */
  public VerifierKey verifierKey() {
    return cosigner.verifierKey();
  }

  /** The result of a successful {@link #cosign}. */
  public record Cosigned(SignedNote note, Checkpoint checkpoint, NoteSignature cosignature, boolean firstForLog) {
    public Cosigned {
      Objects.requireNonNull(note, "note");
      Objects.requireNonNull(checkpoint, "checkpoint");
      Objects.requireNonNull(cosignature, "cosignature");
    }
  }

  /**
   * Judges {@code signedNote}, a checkpoint of the log {@code origin} signed by {@code logKey}, and
   * cosigns it if it is consistent with the last checkpoint this witness cosigned for that log.
   * See the class comment for the checks.
   *
   * @param proof a consistency proof from the last cosigned size to the checkpoint's size; needed
   *     only when the log grew from a non-empty cosigned tree
   * @return the note with this witness's cosignature appended (existing signatures kept)
   * @throws InconsistentCheckpointException if the checkpoint contradicts the last cosigned one;
   *     the evidence file is named in it
   * @throws WitnessException if the submission cannot be judged (malformed, bad or missing log
   *     signature, wrong origin, missing proof or a proof for other sizes or another tree), or the
   *     state is unreadable
   */
  public Cosigned cosign(String origin, VerifierKey logKey, byte[] signedNote, Optional<ConsistencyProofFile> proof)
      throws WitnessException, IOException {
    Objects.requireNonNull(proof, "proof");
    VerifiedCheckpoint presented = verifyLogSignature(origin, logKey, signedNote, "submitted checkpoint");
    Checkpoint next = presented.checkpoint();
    if (next.size() == 0 && !next.rootHash().equals(MerkleHash.EMPTY_ROOT)) {
      throw new WitnessException("checkpoint of '" + origin + "' has size 0 but root " + next.rootHash().hex()
          + ", not the empty-tree root " + MerkleHash.EMPTY_ROOT.hex() + " (RFC 9162 §2.1.1)");
    }
    Path stateFile = stateFile(origin, logKey);
    synchronized (mutex) {
      return cosignLocked(origin, logKey, presented, proof, stateFile);
    }
  }

  @SuppressWarnings("try") // the lock is held for the block: the resource is used by existing, not by name
  private Cosigned cosignLocked(String origin, VerifierKey logKey, VerifiedCheckpoint presented,
      Optional<ConsistencyProofFile> proof, Path stateFile) throws WitnessException, IOException {
    Checkpoint next = presented.checkpoint();
    try (FileChannel ch = FileChannel.open(stateDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lock(ch)) {
      Optional<VerifiedCheckpoint> last = readState(stateFile, origin, logKey);
      boolean first = last.isEmpty();
      if (!first) {
        checkConsistent(last.get(), presented, proof, logKey);
      }
      SignedNote cosigned;
      try {
        cosigned = presented.note().note().addSignatures(List.of(cosigner));
      } catch (FormatException | NoteSigningException e) {
        throw new WitnessException("cannot cosign the checkpoint of '" + origin + "' at size " + next.size() + ": "
            + e.getMessage(), e);
      }
      writeState(stateFile, origin, logKey, cosigned);
      NoteSignature mine = cosigned.signatures().stream()
          .filter(s -> s.keyName().equals(cosigner.keyName()) && s.keyId().equals(cosigner.keyId()))
          .findFirst().orElseThrow();
      return new Cosigned(cosigned, next, mine, first);
    }
  }

  /**
   * The last checkpoint this witness cosigned for the log, as stored (with its cosignature), if any.
   *
   * @throws WitnessException if the state file is damaged or no longer verifies with {@code logKey}
   */
  public Optional<SignedNote> latest(String origin, VerifierKey logKey) throws WitnessException, IOException {
    return readState(stateFile(origin, logKey), origin, logKey).map(v -> v.note().note());
  }

  private void checkConsistent(VerifiedCheckpoint last, VerifiedCheckpoint presented,
      Optional<ConsistencyProofFile> proof, VerifierKey logKey) throws WitnessException, IOException {
    Checkpoint old = last.checkpoint();
    Checkpoint next = presented.checkpoint();
    if (next.size() < old.size()) {
      throw refuse(ForkEvidence.Kind.SMALLER_SIZE, last, presented, proof, Optional.empty(), logKey);
    }
    if (next.size() == old.size()) {
      // Constant-time Bytes.equals; the roots are public, the rule is uniform (STYLE.md 10).
      if (!next.rootHash().equals(old.rootHash())) {
        throw refuse(ForkEvidence.Kind.SAME_SIZE_DIFFERENT_ROOT, last, presented, proof, Optional.empty(), logKey);
      }
      return; // the same tree head: cosign again
    }
    if (old.size() == 0) {
      return; // every tree extends the empty tree (tlog-witness: old size 0 needs no proof)
    }
    String how = "run 'custody prove consistency --from " + old.size() + " --to " + next.size()
        + " --json' on the ledger and pass its output";
    ConsistencyProofFile p = proof.orElseThrow(() -> new WitnessException("a consistency proof from size "
        + old.size() + " (the last checkpoint this witness cosigned for '" + old.origin() + "') to size " + next.size()
        + " is required: " + how));
    if (p.size1() != old.size() || p.size2() != next.size()) {
      throw new WitnessException("the consistency proof is from size " + p.size1() + " to " + p.size2()
          + ", but this witness last cosigned size " + old.size() + " and the checkpoint has size " + next.size()
          + ": " + how);
    }
    if (!p.root2().equals(next.rootHash())) {
      throw new WitnessException("the consistency proof's root2 " + p.root2().hex() + " is not the checkpoint's root "
          + next.rootHash().hex() + ": the proof is for another tree");
    }
    if (!p.root1().equals(old.rootHash())) {
      // The prover claims the first old.size leaves hash to root1. If the proof verifies from that
      // root to the signed new root, the new tree's prefix really is root1, not what was cosigned.
      try {
        ProofVerifier.verifyConsistency(p.toProof(), p.root1(), next.rootHash());
        throw refuse(ForkEvidence.Kind.PREFIX_DIFFERS, last, presented, proof, Optional.empty(), logKey);
      } catch (ProofException notEvenThat) {
        // Falls through: checked against the cosigned root below, which fails and is reported.
      }
    }
    try {
      ProofVerifier.verifyConsistency(p.toProof(), old.rootHash(), next.rootHash());
    } catch (ProofException e) {
      throw refuse(ForkEvidence.Kind.PROOF_FAILED, last, presented, proof,
          Optional.of(Objects.requireNonNull(e.getMessage(), "core's ProofExceptions carry a message")), logKey);
    }
  }

  private InconsistentCheckpointException refuse(ForkEvidence.Kind kind, VerifiedCheckpoint last,
      VerifiedCheckpoint presented, Optional<ConsistencyProofFile> proof, Optional<String> proofError,
      VerifierKey logKey) throws IOException {
    Instant now = clock.instant();
    ForkEvidence evidence = new ForkEvidence(kind, last.checkpoint().origin(), logKey, cosigner.verifierKey(), now,
        last.note().note(), last.checkpoint(), presented.note().note(), presented.checkpoint(), proof, proofError);
    String base = kind.id() + "-" + logId(last.checkpoint().origin(), logKey).substring(0, 8) + "-"
        + last.checkpoint().size() + "-" + presented.checkpoint().size() + "-" + FILE_TIME.format(now);
    Path dir = stateDir.resolve("evidence");
    for (int n = 1; ; n++) {
      Path file = dir.resolve(base + (n == 1 ? "" : "-" + n) + ".json");
      try {
        DurableFiles.create(file, evidence.toBytes());
        return new InconsistentCheckpointException(evidence, file);
      } catch (FileAlreadyExistsException taken) {
        // another refusal in the same second: next suffix
      }
    }
  }

  private static VerifiedCheckpoint verifyLogSignature(String origin, VerifierKey logKey, byte[] note, String what)
      throws WitnessException {
    try {
      return CheckpointVerifier.forLog(origin, logKey).verify(note);
    } catch (CustodyException e) {
      throw new WitnessException(what + " of '" + origin + "' is not acceptable: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new WitnessException("log key " + logKey + ": " + e.getMessage(), e);
    }
  }

  private Path stateFile(String origin, VerifierKey logKey) {
    return stateDir.resolve("logs").resolve(logId(origin, logKey) + ".json");
  }

  private Optional<VerifiedCheckpoint> readState(Path file, String origin, VerifierKey logKey)
      throws WitnessException, IOException {
    byte[] bytes;
    try {
      bytes = SmallFiles.read(file, MAX_STATE_BYTES, "witness state");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FormatException e) {
      // A directory, FIFO or device (which would hang or never end) in place of the state file.
      throw new WitnessException("the witness state is damaged; restore " + Untrusted.quote(file.toString())
          + " from a backup: " + e.getMessage(), e);
    }
    try {
      JsonFields f = StrictJson.parseObject(bytes, MAX_STATE_BYTES, "witness state " + file);
      String format = f.string("format");
      if (!STATE_FORMAT.equals(format)) {
        throw new FormatException("witness state " + file + ": unknown format " + Untrusted.quote(format) + ", expected "
            + STATE_FORMAT);
      }
      String storedOrigin = f.string("origin");
      String storedKey = f.string("logKey");
      String note = f.string("checkpoint");
      f.requireNoOthers();
      if (!storedOrigin.equals(origin) || !storedKey.equals(logKey.encode())) {
        throw new FormatException("witness state " + file + " is for log " + Untrusted.quote(storedOrigin) + " key "
            + Untrusted.quote(storedKey) + ", not " + Untrusted.quote(origin) + " key " + logKey);
      }
      return Optional.of(verifyLogSignature(origin, logKey, note.getBytes(StandardCharsets.UTF_8),
          "stored checkpoint"));
    } catch (FormatException | WitnessException e) {
      throw new WitnessException("the witness state is damaged; restore " + file + " from a backup (never delete it:"
          + " the witness would then trust the next checkpoint on first use): " + e.getMessage(), e);
    }
  }

  private static void writeState(Path file, String origin, VerifierKey logKey, SignedNote note) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("format", STATE_FORMAT);
    o.put("origin", origin);
    o.put("logKey", logKey.encode());
    o.put("checkpoint", new String(note.encoded(), StandardCharsets.UTF_8));
    DurableFiles.replace(file, (o.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static FileLock lock(FileChannel ch) throws WitnessException, IOException {
    try {
      return ch.lock();
    } catch (OverlappingFileLockException e) {
      throw new WitnessException("witness state directory in use by another Witness in this process", e);
    }
  }

  static String logId(String origin, VerifierKey logKey) {
    byte[] h = Digest.newSha256().digest((origin + "\n" + logKey.encode() + "\n").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(h, 0, 16);
  }
}
