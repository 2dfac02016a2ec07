package dev.custody.core.bundle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.JsonOutput;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.merkle.ConsistencyProof;
import dev.custody.core.merkle.InclusionProof;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.note.SignedNote;
import dev.custody.core.note.VerifierKey;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An evidence bundle (media type {@value #MEDIA_TYPE}): what a verifier needs to judge some entries of
 * one ledger's log without the ledger — the entries' exact record bytes, each with its RFC 9162
 * inclusion proof in the tree of the bundle's newest checkpoint, the checkpoints (signed notes, with
 * any witness cosignatures, and RFC 3161 timestamps), consistency proofs from each older checkpoint to
 * the newest, the model manifests the entries reference, and the certificate chains their signers
 * recorded. Never a trust root (trust comes from the verifier's policy) and never a private key
 * ({@link #parse} refuses a bundle holding key material).
 *
 * <p>Schema (UTF-8 JSON, one object, members in this order, no others):
 * <pre>
 * {"mediaType": "application/vnd.custody.bundle.v1+json",
 *  "logKey": "ORIGIN+HEX8+BASE64",            // optional: the log's note verifier key as the ledger
 *                                              // names it (log/vkey); untrusted, like log/vkey
 *  "checkpoints": [{"note": "SIGNED NOTE",     // C2SP tlog-checkpoint in a signed note, verbatim
 *                   "timestamp": "BASE64"}],   // optional: RFC 3161 TimeStampResp DER of that note
 *                                              // ascending tree size; the last is the newest
 *  "consistency": [{"size1": N, "size2": M, "hashes": ["BASE64", ...]}],
 *                                              // RFC 9162 §2.1.4, each older checkpoint to the newest
 *  "entries": [{"index": I,                    // log index (= Merkle leaf index), ascending
 *               "record": "JWS",               // the record's exact bytes (a JWS compact line, ASCII)
 *               "inclusion": ["BASE64", ...]}], // RFC 9162 §2.1.3 audit path in the newest checkpoint
 *  "manifests": [{"digest": "sha256:HEX", "json": "MANIFEST"}],   // digest of the manifest's bytes
 *  "certificates": [{"keyId": "HEX", "pem": "PEM CHAIN"}]}        // as certificates/KEYID.pem
 * </pre>
 * For any entry, the lines {@code c2sp.org/tlog-proof@v1}, {@code index I}, its inclusion hashes, an
 * empty line and the newest checkpoint's note make the C2SP {@code tlog-proof} of that entry.
 *
 * <p>A value: {@link #parse} checks the form (strict JSON, sizes, canonical base64, ascending indices,
 * no key material), not the evidence; what the evidence proves is for the verifier to judge.
 */
public record EvidenceBundle(Optional<VerifierKey> logKey, List<CheckpointEvidence> checkpoints,
    List<ConsistencyProof> consistency, List<Entry> entries, SortedMap<Digest, Bytes> manifests,
    SortedMap<String, Bytes> certificates) {
  /** The media type of version 1, also its {@code mediaType} member. */
  public static final String MEDIA_TYPE = "application/vnd.custody.bundle.v1+json";
  /** Largest bundle read: a 10,000-entry lineage takes about 20 MiB. */
  public static final int MAX_BYTES = 256 << 20;
  /** Most entries, checkpoints, manifests or certificates in one bundle. */
  public static final int MAX_ITEMS = 1_000_000;
  /** Most hashes in one proof: a tree of 2^63 leaves needs 63; the consistency proof at most twice that. */
  public static final int MAX_PROOF_HASHES = 128;

  /** A checkpoint as signed (the exact note bytes) and the RFC 3161 timestamp response stored with it. */
  public record CheckpointEvidence(Bytes note, Optional<Bytes> timestamp) {
    public CheckpointEvidence {
      Objects.requireNonNull(note, "note");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /** One entry: its log index, its record's exact bytes and its inclusion proof in the newest checkpoint. */
  public record Entry(long logIndex, Bytes record, List<Bytes> inclusion) {
    public Entry {
      Objects.requireNonNull(record, "record");
      inclusion = List.copyOf(inclusion);
    }

    /** The inclusion proof of this entry in a tree of {@code treeSize} leaves. */
    public InclusionProof proof(long treeSize) {
      return new InclusionProof(logIndex, treeSize, inclusion);
    }
  }

  public EvidenceBundle {
    Objects.requireNonNull(logKey, "logKey");
    checkpoints = List.copyOf(checkpoints);
    consistency = List.copyOf(consistency);
    entries = List.copyOf(entries);
    SortedMap<Digest, Bytes> byDigest = new TreeMap<>(DIGEST_ORDER);
    byDigest.putAll(manifests);
    manifests = Collections.unmodifiableSortedMap(byDigest);
    certificates = Collections.unmodifiableSortedMap(new TreeMap<>(certificates));
  }

  /** The newest checkpoint, the one the entries' inclusion proofs are for, if the bundle has any. */
  public Optional<CheckpointEvidence> newest() {
    return checkpoints.isEmpty() ? Optional.empty() : Optional.of(checkpoints.get(checkpoints.size() - 1));
  }

  // ------------------------------------------------------------------------------------------ reading

  /**
   * Parses a bundle strictly: at most {@value #MAX_BYTES} bytes of UTF-8 JSON ({@link StrictJson}: no
   * duplicate member, no trailing content), media type {@value #MEDIA_TYPE}, no member this class does
   * not know, entries in ascending log index order, hashes 32 bytes in canonical base64; and no private
   * key material anywhere in it.
   *
   * @param source names the bundle in errors, e.g. its file
   * @throws FormatException naming the member (JSON Pointer-like path) that is wrong
   */
  public static EvidenceBundle parse(byte[] bytes, String source) throws FormatException {
    if (bytes.length > MAX_BYTES) {
      throw new FormatException(source + ": " + bytes.length + " bytes, over the bundle limit of " + MAX_BYTES);
    }
    refuseKeyMaterial(new String(bytes, StandardCharsets.ISO_8859_1), source);
    JsonNode root = StrictJson.parse(bytes, MAX_BYTES, source);
    refuseKeyMaterialIn(root, source);
    JsonFields f = JsonFields.of(root, source);
    String mediaType = f.string("mediaType");
    if (!mediaType.equals(MEDIA_TYPE)) {
      throw new FormatException(source + ": media type " + Untrusted.quote(mediaType) + " is not " + MEDIA_TYPE
          + " (this custody reads version 1 bundles)");
    }
    Optional<VerifierKey> logKey = Optional.empty();
    Optional<String> key = f.optString("logKey");
    if (key.isPresent()) {
      logKey = Optional.of(VerifierKey.parse(key.get()));
    }
    List<CheckpointEvidence> checkpoints = new ArrayList<>();
    for (JsonFields c : items(f, "checkpoints", source)) {
      String note = c.string("note");
      if (note.length() > SignedNote.MAX_NOTE_BYTES) {
        throw new FormatException(c.what() + ".note: over " + SignedNote.MAX_NOTE_BYTES + " bytes");
      }
      Optional<Bytes> tsr = Optional.empty();
      Optional<String> t = c.optString("timestamp");
      if (t.isPresent()) {
        tsr = Optional.of(Bytes.copyOf(StrictBase64.decode(t.get(), c.what() + ".timestamp")));
      }
      c.requireNoOthers();
      checkpoints.add(new CheckpointEvidence(Bytes.copyOf(note.getBytes(StandardCharsets.UTF_8)), tsr));
    }
    List<ConsistencyProof> consistency = new ArrayList<>();
    for (JsonFields c : items(f, "consistency", source)) {
      consistency.add(new ConsistencyProof(c.unsigned("size1"), c.unsigned("size2"), hashes(c, "hashes")));
      c.requireNoOthers();
    }
    List<Entry> entries = new ArrayList<>();
    long previous = -1;
    for (JsonFields e : items(f, "entries", source)) {
      long index = e.unsigned("index");
      if (index <= previous) {
        throw new FormatException(e.what() + ": log index " + index + " does not follow the previous entry's "
            + previous + "; entries are in ascending log order, each once (the bundle's entries were reordered or"
            + " one was repeated)");
      }
      previous = index;
      String record = e.string("record");
      if (record.length() > EntryRecord.MAX_RECORD_BYTES) {
        throw new FormatException(e.what() + ".record: over the record limit of " + EntryRecord.MAX_RECORD_BYTES
            + " bytes");
      }
      entries.add(new Entry(index, Bytes.copyOf(record.getBytes(StandardCharsets.UTF_8)), hashes(e, "inclusion")));
      e.requireNoOthers();
    }
    SortedMap<Digest, Bytes> manifests = new TreeMap<>(DIGEST_ORDER);
    for (JsonFields m : items(f, "manifests", source)) {
      Digest d;
      try {
        d = Digest.parse(m.string("digest"));
      } catch (IllegalArgumentException ex) {
        throw new FormatException(m.what() + ".digest: " + ex.getMessage(), ex);
      }
      String json = m.string("json");
      if (json.length() > ModelManifest.MAX_JSON_BYTES) {
        throw new FormatException(m.what() + ".json: over the manifest limit of " + ModelManifest.MAX_JSON_BYTES);
      }
      m.requireNoOthers();
      if (manifests.put(d, Bytes.copyOf(json.getBytes(StandardCharsets.UTF_8))) != null) {
        throw new FormatException(m.what() + ": manifest " + d + " appears twice");
      }
    }
    SortedMap<String, Bytes> certificates = new TreeMap<>();
    for (JsonFields c : items(f, "certificates", source)) {
      String keyId = c.string("keyId");
      if (!CertificateFiles.isKeyId(keyId)) {
        throw new FormatException(c.what() + ".keyId: " + Untrusted.quote(keyId) + " is not a key id");
      }
      String pem = c.string("pem");
      if (pem.length() > CertificateFiles.MAX_CHAIN_BYTES) {
        throw new FormatException(c.what() + ".pem: over " + CertificateFiles.MAX_CHAIN_BYTES + " bytes");
      }
      c.requireNoOthers();
      if (certificates.put(keyId, Bytes.copyOf(pem.getBytes(StandardCharsets.UTF_8))) != null) {
        throw new FormatException(c.what() + ": certificates of key " + keyId + " appear twice");
      }
    }
    f.requireNoOthers();
    return new EvidenceBundle(logKey, checkpoints, consistency, entries, manifests, certificates);
  }

  private static final java.util.Comparator<Digest> DIGEST_ORDER = java.util.Comparator.comparing(Digest::toString);

  private static List<JsonFields> items(JsonFields f, String name, String source) throws FormatException {
    List<JsonFields> out = f.objects(name);
    if (out.size() > MAX_ITEMS) {
      throw new FormatException(source + ": more than " + MAX_ITEMS + " " + name);
    }
    return out;
  }

  private static List<Bytes> hashes(JsonFields f, String name) throws FormatException {
    List<String> texts = f.strings(name);
    if (texts.size() > MAX_PROOF_HASHES) {
      throw new FormatException(f.what() + "." + name + ": " + texts.size() + " hashes, more than any proof needs ("
          + MAX_PROOF_HASHES + ")");
    }
    List<Bytes> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String what = f.what() + "." + name + "[" + i + "]";
      byte[] h = StrictBase64.decode(texts.get(i), what);
      if (h.length != MerkleHash.HASH_LENGTH) {
        throw new FormatException(what + ": " + h.length + " bytes, not a " + MerkleHash.HASH_LENGTH + "-byte hash");
      }
      out.add(Bytes.copyOf(h));
    }
    return out;
  }

  /**
   * Markers of private keys custody or its users write: PEM private keys of any kind, C2SP note private
   * keys, and the base64 of a PKCS#8 Ed25519 or EC key's fixed prefix.
   */
  private static final List<String> KEY_MARKERS = List.of("PRIVATE KEY", "PRIVATE+KEY+", "MC4CAQAwBQYDK2Vw",
      "MIGHAgEAMBMGByqGSM49");

  private static void refuseKeyMaterial(String text, String source) throws FormatException {
    for (String m : KEY_MARKERS) {
      int at = text.indexOf(m);
      if (at >= 0) {
        throw new FormatException(source + ": holds private key material (" + Untrusted.quote(m) + " at byte " + at
            + "); a bundle never carries a private key, so it was not read. Whoever made it leaked a key: tell them,"
            + " and have the key revoked");
      }
    }
  }

  /** As {@link #refuseKeyMaterial} over every string value, so that JSON escapes cannot hide a marker. */
  private static void refuseKeyMaterialIn(JsonNode node, String source) throws FormatException {
    if (node.isTextual()) {
      refuseKeyMaterial(node.textValue(), source);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      refuseKeyMaterial(e.getKey(), source);
      refuseKeyMaterialIn(e.getValue(), source);
    }
    if (node.isArray()) {
      for (JsonNode n : node) {
        refuseKeyMaterialIn(n, source);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ writing

  /** The bundle as UTF-8 JSON in the schema above (one object, then a newline). */
  public byte[] toBytes() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeStartObject();
      g.writeStringField("mediaType", MEDIA_TYPE);
      if (logKey.isPresent()) {
        g.writeStringField("logKey", logKey.get().encode());
      }
      g.writeArrayFieldStart("checkpoints");
      for (CheckpointEvidence c : checkpoints) {
        g.writeStartObject();
        g.writeStringField("note", new String(c.note().toByteArray(), StandardCharsets.UTF_8));
        if (c.timestamp().isPresent()) {
          g.writeStringField("timestamp", StrictBase64.encode(c.timestamp().get().toByteArray()));
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("consistency");
      for (ConsistencyProof p : consistency) {
        g.writeStartObject();
        g.writeNumberField("size1", p.size1());
        g.writeNumberField("size2", p.size2());
        writeHashes(g, "hashes", p.hashes());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("entries");
      for (Entry e : entries) {
        g.writeStartObject();
        g.writeNumberField("index", e.logIndex());
        g.writeStringField("record", new String(e.record().toByteArray(), StandardCharsets.UTF_8));
        writeHashes(g, "inclusion", e.inclusion());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("manifests");
      for (Map.Entry<Digest, Bytes> m : manifests.entrySet()) {
        g.writeStartObject();
        g.writeStringField("digest", m.getKey().toString());
        g.writeStringField("json", new String(m.getValue().toByteArray(), StandardCharsets.UTF_8));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("certificates");
      for (Map.Entry<String, Bytes> c : certificates.entrySet()) {
        g.writeStartObject();
        g.writeStringField("keyId", c.getKey());
        g.writeStringField("pem", new String(c.getValue().toByteArray(), StandardCharsets.US_ASCII));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string failed", e);
    }
    return (w + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void writeHashes(JsonGenerator g, String name, List<Bytes> hashes) throws IOException {
    g.writeArrayFieldStart(name);
    for (Bytes h : hashes) {
      g.writeString(StrictBase64.encode(h.toByteArray()));
    }
    g.writeEndArray();
  }

  @Override
  public String toString() {
    return "EvidenceBundle[" + entries.size() + " entries, " + checkpoints.size() + " checkpoints]";
  }
}
