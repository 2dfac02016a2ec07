package dev.custody.attest.internal.witness;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.checkpoint.Checkpoint;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifierKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a witness saw when it refused a checkpoint: the checkpoint it had cosigned before and the
 * one presented now, both as the exact signed notes, the consistency proof it was given, and why
 * the two cannot both be honest. Written as one self-contained JSON file a person can hand to
 * others ({@link #toJson}); every claim in it can be re-checked with the log's public key alone.
 *
 * <h2>File format ({@value #FORMAT})</h2>
 *
 * <pre>
 *   {
 *     "format": "custody-witness-evidence/v1",
 *     "kind": "same-size-different-root" | "prefix-differs" | "smaller-size" | "proof-failed",
 *     "conclusive": true | false,
 *     "summary": one line,
 *     "explanation": plain text for a person, how to check it included,
 *     "origin": the log's origin line,
 *     "logKey": the log's verifier key (vkey string),
 *     "witnessKey": the witness's cosignature/v1 verifier key,
 *     "observedAt": ISO-8601 UTC instant of the refusal,
 *     "cosigned":  {"size": N, "rootHash": base64, "note": the signed note, verbatim},
 *     "presented": {"size": N, "rootHash": base64, "note": the signed note, verbatim},
 *     "proof": the consistency proof file ({@link ConsistencyProofFile}), if one was given,
 *     "proofError": why the proof did not verify, if it was checked and failed
 *   }
 * </pre>
 *
 * <p>The notes are JSON strings holding the exact note bytes (UTF-8, newlines as {@code \n}):
 * writing {@code note} to a file reproduces the signed note byte for byte.
 *
 * @param kind what is inconsistent
 * @param origin the log's origin
 * @param logKey the log key both notes verified with
 * @param witnessKey the witness's cosigner key
 * @param observedAt when the witness refused
 * @param cosigned the note the witness cosigned before (as stored, with its cosignature)
 * @param cosignedCheckpoint its parsed checkpoint
 * @param presented the note presented now (as received)
 * @param presentedCheckpoint its parsed checkpoint
 * @param proof the consistency proof that came with it, if any
 * @param proofError the verifier's message if the proof was checked and failed
 */
public record ForkEvidence(
    Kind kind,
    String origin,
    VerifierKey logKey,
    VerifierKey witnessKey,
    Instant observedAt,
    SignedNote cosigned,
    Checkpoint cosignedCheckpoint,
    SignedNote presented,
    Checkpoint presentedCheckpoint,
    Optional<ConsistencyProofFile> proof,
    Optional<String> proofError) {
  /** The {@code format} member of the file. */
  public static final String FORMAT = "custody-witness-evidence/v1";

  /** Why a witness refused. */
  public enum Kind {
    /**
     * Two checkpoints of the same size with different roots, both signed by the log key. This alone
     * proves the log showed two different histories (a fork, or a split view).
     */
    SAME_SIZE_DIFFERENT_ROOT("same-size-different-root", true,
        "fork: the log signed two different trees of the same size"),
    /**
     * The proof verifies from the prover's own {@code root1} to the presented root, and that
     * {@code root1} differs from the root the witness cosigned at the same size: the presented tree
     * does not extend the cosigned one. Conclusive (under SHA-256 collision resistance).
     */
    PREFIX_DIFFERS("prefix-differs", true,
        "fork: the presented tree's prefix differs from the tree the witness cosigned"),
    /**
     * A checkpoint smaller than the one cosigned. A log must never shrink; but a stale checkpoint
     * submitted late also looks like this, so it is evidence, not proof, of a rollback.
     */
    SMALLER_SIZE("smaller-size", false,
        "rollback: the presented checkpoint is smaller than the one the witness cosigned"),
    /**
     * The consistency proof from the cosigned checkpoint to the presented one does not verify. The
     * proof is not signed by the log, so this alone does not prove a fork: ask the log for a valid
     * proof between the two sizes; if it cannot give one, the log forked.
     */
    PROOF_FAILED("proof-failed", false,
        "inconsistent: the consistency proof from the cosigned checkpoint does not verify");

    private final String id;
    private final boolean conclusive;
    private final String summary;

    Kind(String id, boolean conclusive, String summary) {
      this.id = id;
      this.conclusive = conclusive;
      this.summary = summary;
    }

    /** The {@code kind} member of the file. */
    public String id() {
      return id;
    }

    /** Whether the two signed notes (and, for {@link #PREFIX_DIFFERS}, the proof) prove a fork on their own. */
    public boolean conclusive() {
      return conclusive;
    }

    public String summary() {
      return summary;
    }
  }

  public ForkEvidence {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(logKey, "logKey");
    Objects.requireNonNull(witnessKey, "witnessKey");
    Objects.requireNonNull(observedAt, "observedAt");
    Objects.requireNonNull(cosigned, "cosigned");
    Objects.requireNonNull(cosignedCheckpoint, "cosignedCheckpoint");
    Objects.requireNonNull(presented, "presented");
    Objects.requireNonNull(presentedCheckpoint, "presentedCheckpoint");
    Objects.requireNonNull(proof, "proof");
    Objects.requireNonNull(proofError, "proofError");
  }

  /** One line naming the two tree heads. */
  public String headline() {
    return "log '" + origin + "' cosigned size " + cosignedCheckpoint.size() + " root " + b64(cosignedCheckpoint)
        + ", presented size " + presentedCheckpoint.size() + " root " + b64(presentedCheckpoint)
        + proofError.map(e -> " (" + e + ")").orElse("");
  }

  /** The plain-text explanation written into the file. */
  public String explanation() {
    String both = "Both checkpoints below are signed by the log key " + logKey + " (check each 'note' with any"
        + " C2SP signed-note verifier, e.g. Go's golang.org/x/mod/sumdb/note, given that key). The first ('cosigned')"
        + " also carries the cosignature of witness " + witnessKey + ", which cosigned it at the time it states. ";
    return switch (kind) {
      case SAME_SIZE_DIFFERENT_ROOT -> both + "They commit to trees of the same size, " + cosignedCheckpoint.size()
          + ", with different root hashes. An append-only log has exactly one tree of each size, so the log has"
          + " shown at least two different histories (a fork or split view). This file proves it on its own.";
      case PREFIX_DIFFERS -> both + "The enclosed consistency proof verifies (RFC 9162 §2.1.4.2) from root1 at size "
          + cosignedCheckpoint.size() + " to the presented root at size " + presentedCheckpoint.size()
          + ", but root1 is not the root the log signed for size " + cosignedCheckpoint.size() + " in the cosigned"
          + " checkpoint. So the presented tree does not extend the cosigned tree: the log rewrote its history."
          + " Verify the proof with size1, size2, root1, the presented root and the proof hashes.";
      case SMALLER_SIZE -> both + "The presented checkpoint (size " + presentedCheckpoint.size() + ") is smaller"
          + " than the cosigned one (size " + cosignedCheckpoint.size() + "). A witness never cosigns backwards."
          + " This is not proof of a fork on its own: an old checkpoint replayed late looks the same. Ask the log"
          + " for a consistency proof from size " + presentedCheckpoint.size() + " to size "
          + cosignedCheckpoint.size() + " between these two roots; if it cannot produce one, the log forked.";
      case PROOF_FAILED -> both + "The consistency proof given with the presented checkpoint does not show that"
          + " it extends the cosigned one" + proofError.map(e -> " (" + e + ")").orElse("") + ". The proof is not"
          + " signed by the log, so this is not proof of a fork on its own. Ask the log for a consistency proof"
          + " from size " + cosignedCheckpoint.size() + " to size " + presentedCheckpoint.size()
          + " between these two roots; if it cannot produce one, the log forked.";
    };
  }

  /** The evidence file's JSON (see the class comment). */
  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("format", FORMAT);
    o.put("kind", kind.id());
    o.put("conclusive", kind.conclusive());
    o.put("summary", kind.summary());
    o.put("explanation", explanation());
    o.put("origin", origin);
    o.put("logKey", logKey.encode());
    o.put("witnessKey", witnessKey.encode());
    o.put("observedAt", observedAt.toString());
    o.set("cosigned", side(cosigned, cosignedCheckpoint));
    o.set("presented", side(presented, presentedCheckpoint));
    proof.ifPresent(p -> o.set("proof", p.toJson()));
    proofError.ifPresent(e -> o.put("proofError", e));
    return o;
  }

  /** {@link #toJson()} pretty-printed, UTF-8, with a final newline. */
  public byte[] toBytes() {
    return (toJson().toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode side(SignedNote note, Checkpoint cp) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("size", cp.size());
    o.put("rootHash", b64(cp));
    o.put("note", new String(note.encoded(), StandardCharsets.UTF_8));
    return o;
  }

  private static String b64(Checkpoint cp) {
    return StrictBase64.encode(cp.rootHash().toByteArray());
  }
}
