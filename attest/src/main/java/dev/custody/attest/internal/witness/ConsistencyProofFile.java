package dev.custody.attest.internal.witness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.Digest;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.internal.text.Untrusted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A consistency proof as a witness receives it: the JSON that {@code custody prove consistency
 * --json} prints. A value, not a judgement: the witness checks it against its own stored
 * checkpoint and the submitted signed checkpoint, never against the roots written here alone.
 *
 * <h2>Format (strict)</h2>
 *
 * <pre>
 *   {"size1": 10, "size2": 14,
 *    "root1": "sha256:&lt;64 hex&gt;", "root2": "sha256:&lt;64 hex&gt;",
 *    "proof": ["sha256:&lt;64 hex&gt;", ...]}
 * </pre>
 *
 * <p>Sizes are JSON integers without sign, fraction or exponent; hashes are written
 * {@code sha256:<64 lowercase hex>}, the one encoding of hashes in custody's JSON (as in the
 * verification report {@code custody/report/v1}); the proof hashes are in RFC 9162 §2.1.4.1
 * SUBPROOF order. Files written before that encoding carry canonical padded standard base64
 * (RFC 4648 §4) of exactly 32 bytes, the transparency-dev vectors' convention: they are still read,
 * but one file uses one encoding for all its hashes (the encoding of {@code root1}). No other
 * members, duplicate keys or trailing content are accepted. At most {@value #MAX_BYTES} bytes.
 *
 * <p>Why not C2SP {@code tlog-proof}: that format carries an <em>inclusion</em> proof for one
 * entry; a witness needs a consistency proof. The C2SP {@code tlog-witness} request body
 * ({@code old N} line, proof lines, checkpoint) would fit but bundles the checkpoint, which the
 * CLI takes as its own file.
 *
 * @param size1 the smaller tree size (the witness's last cosigned size)
 * @param size2 the larger tree size (the submitted checkpoint's size)
 * @param root1 the root of the first {@code size1} leaves, as the prover claims it
 * @param root2 the root of the first {@code size2} leaves, as the prover claims it
 * @param proof the proof hashes
 */
public record ConsistencyProofFile(long size1, long size2, Bytes root1, Bytes root2, List<Bytes> proof) {
  /** Largest proof file accepted: 64 hashes of 32 bytes fit in 4 KiB; generous headroom. */
  public static final int MAX_BYTES = 64 * 1024;

  /** Most proof hashes: a consistency proof for sizes below 2^63 has at most 2 * 63 + 1. */
  public static final int MAX_PROOF_HASHES = 127;

  public ConsistencyProofFile {
    Objects.requireNonNull(root1, "root1");
    Objects.requireNonNull(root2, "root2");
    proof = List.copyOf(proof);
    if (size1 < 0 || size2 < 0) {
      throw new IllegalArgumentException("proof sizes must be non-negative, got " + size1 + " and " + size2);
    }
    checkHash(root1, "root1");
    checkHash(root2, "root2");
    for (Bytes h : proof) {
      checkHash(h, "proof hash");
    }
    if (proof.size() > MAX_PROOF_HASHES) {
      throw new IllegalArgumentException("proof has " + proof.size() + " hashes, more than " + MAX_PROOF_HASHES);
    }
  }

  /** The proof file for {@code proof} between trees with roots {@code root1} and {@code root2}. */
  public static ConsistencyProofFile of(ConsistencyProof proof, Bytes root1, Bytes root2) {
    return new ConsistencyProofFile(proof.size1(), proof.size2(), root1, root2, proof.hashes());
  }

  /** The proof as core's value, for {@link dev.custody.core.merkle.ProofVerifier}. */
  public ConsistencyProof toProof() {
    return new ConsistencyProof(size1, size2, proof);
  }

  /**
   * Parses a proof file.
   *
   * @throws FormatException naming the member at fault
   */
  public static ConsistencyProofFile parse(byte[] json) throws FormatException {
    JsonFields f = StrictJson.parseObject(json, MAX_BYTES, "consistency proof");
    long size1 = f.unsigned("size1");
    long size2 = f.unsigned("size2");
    String r1 = f.string("root1");
    boolean hex = r1.startsWith(HEX_PREFIX);
    Bytes root1 = hash(r1, hex, "consistency proof root1");
    Bytes root2 = hash(f.string("root2"), hex, "consistency proof root2");
    List<String> texts = f.strings("proof");
    f.requireNoOthers();
    if (texts.size() > MAX_PROOF_HASHES) {
      throw new FormatException("consistency proof: " + texts.size() + " proof hashes, more than " + MAX_PROOF_HASHES);
    }
    List<Bytes> hashes = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      hashes.add(hash(texts.get(i), hex, "consistency proof proof[" + i + "]"));
    }
    return new ConsistencyProofFile(size1, size2, root1, root2, hashes);
  }

  /** This proof as a JSON object (members in the order of the format above). */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("size1", size1);
    o.put("size2", size2);
    o.put("root1", text(root1));
    o.put("root2", text(root2));
    ArrayNode a = o.putArray("proof");
    proof.forEach(h -> a.add(text(h)));
    return o;
  }

  /** {@link #toJson()} as UTF-8 text with a final newline. */
  public byte[] toBytes() {
    return (toJson().toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Prefix of a hash in the current encoding. */
  private static final String HEX_PREFIX = Digest.SHA256 + ":";

  private static String text(Bytes h) {
    return Digest.ofSha256(h.toByteArray()).toString();
  }

  private static Bytes hash(String text, boolean hex, String what) throws FormatException {
    if (hex) {
      if (!Digest.isDigestText(text)) {
        throw new FormatException(what + ": " + Untrusted.quote(text, 80) + " is not sha256:<64 lowercase hex> (the"
            + " encoding of root1, which every hash of the file must use)");
      }
      return Digest.parse(text).value();
    }
    byte[] h = StrictBase64.decode(text, what);
    if (h.length != MerkleHash.HASH_LENGTH) {
      throw new FormatException(what + ": " + h.length + " bytes, expected " + MerkleHash.HASH_LENGTH + " (SHA-256)");
    }
    return Bytes.copyOf(h);
  }

  private static void checkHash(Bytes h, String what) {
    if (Objects.requireNonNull(h, what).length() != MerkleHash.HASH_LENGTH) {
      throw new IllegalArgumentException(what + " must be " + MerkleHash.HASH_LENGTH + " bytes, got " + h.length());
    }
  }
}
