package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.SigningKey;
import dev.custody.attest.EntrySigner;
import dev.custody.attest.Signer;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tamper suite of issue 2, through the real CLI: one genuine multi-chain ledger is built with
 * {@code custody keys generate / init / record}, and every test damages its own copy and runs
 * {@code custody verify --trust DIR} in text and JSON form. Each damage must exit 1 and name the
 * entry concerned (log index and segment line; chain:sequence where the entry is authentic).
 * The exhaustive byte-flip sweep is in {@link ByteFlipSweepTest}.
 */
class TamperSuiteTest {
  static final String F = "acme/falcon-7b";
  static final String M = "medlab/falcon-med";
  static final String T = "acme/tokenizer";

  /** Log layout of the genuine ledger: LAYOUT[logIndex] = chain:sequence. */
  static final List<String> LAYOUT = List.of(
      F + ":0", F + ":1", M + ":0", F + ":2", M + ":1", F + ":3", T + ":0", M + ":2", F + ":4");

  @TempDir static Path root;
  static Path trust;
  static Path genuine;
  static Path other;
  static Path malloryKey;
  static Path genuineCheckpoint;

  @TempDir Path work;

  @BeforeAll
  static void buildLedgers() throws Exception {
    trust = root.resolve("trust");
    Cli.ok("keys", "generate", "--out", trust, "--name", "alice");
    Cli.ok("keys", "generate", "--out", trust, "--name", "bob", "--alg", "es256");
    Cli.ok("keys", "generate", "--out", trust, "--name", "carol");
    Cli.ok("keys", "generate", "--out", root.resolve("untrusted"), "--name", "mallory");
    malloryKey = root.resolve("untrusted/mallory.key");
    Path data = Files.writeString(root.resolve("data.jsonl"), "{\"text\":\"hello\"}\n");
    genuine = root.resolve("ledger");
    Cli.ok("init", "--ledger", genuine);
    record(genuine, "dataset-ingest", F, "alice", "--output", "corpus=" + data);
    record(genuine, "training", F, "alice", "--input", "corpus=" + data, "--output", "model=sha256:" + "ab".repeat(32),
        "--param", "epochs=3");
    record(genuine, "dataset-ingest", M, "carol", "--output", "med-data=sha256:" + "cd".repeat(32));
    record(genuine, "evaluation", F, "bob", "--input", "model=sha256:" + "ab".repeat(32), "--metric", "accuracy=0.91");
    record(genuine, "fine-tune", M, "carol", "--input", "base=sha256:" + "ab".repeat(32),
        "--output", "model=sha256:" + "ef".repeat(32));
    record(genuine, "release", F, "bob", "--output", "model=sha256:" + "ab".repeat(32), "--version", "1.0.0");
    record(genuine, "annotation", T, "alice", "--text", "tokenizer frozen");
    record(genuine, "approval", M, "alice", "--subject", M + ":1", "--reason", "reviewed");
    record(genuine, "annotation", F, "alice", "--text", "model card published");

    // A second ledger with the same chain ids and the same (trusted) signers: its entries are
    // authentic, but belong to another history.
    other = root.resolve("other");
    Cli.ok("init", "--ledger", other);
    record(other, "dataset-ingest", F, "alice", "--output", "corpus=sha256:" + "11".repeat(32));
    record(other, "training", F, "alice", "--output", "model=sha256:" + "22".repeat(32));

    // The auditor trusts the genuine ledger's log key (it would be published), and keeps a copy of
    // the newest checkpoint, obtained when the ledger was handed over.
    Files.copy(genuine.resolve("log/vkey"), trust.resolve("genuine-log.vkey"));
    genuineCheckpoint = Files.copy(genuine.resolve("checkpoint"), root.resolve("genuine-checkpoint"));

    List<JsonNode> log = Cli.ok("log", "--ledger", genuine, "--json").jsonLines();
    assertThat(log).extracting(n -> n.get("chain").asText() + ":" + n.get("sequence").asLong()).isEqualTo(LAYOUT);
  }

  private static void record(Path ledger, String kind, String chain, String key, Object... more) {
    List<Object> args = new ArrayList<>(List.of("record", kind, "--ledger", ledger, "--chain", chain,
        "--key", trust.resolve(key + ".key")));
    args.addAll(List.of(more));
    Cli.ok(args.toArray());
  }

  // ------------------------------------------------------------------ helpers

  private Path copy() {
    return Cli.copyTree(genuine, work.resolve("copy"));
  }

  private Path tampered(List<String> lines) {
    Path l = copy();
    Cli.writeRecords(l, lines);
    return l;
  }

  private static List<String> lines() {
    return Cli.records(genuine);
  }

  private record Verdict(Path ledger, Cli.Result text, Cli.Result json) {}

  private static Verdict verify(Path ledger) {
    return new Verdict(ledger, Cli.run("verify", "--ledger", ledger, "--trust", trust),
        Cli.run("verify", "--ledger", ledger, "--trust", trust, "--format", "json"));
  }

  /**
   * Asserts that verification failed with exit 1 and that both renderings name the entry at
   * {@code logIndex} (segment line logIndex + 1) with {@code code}; {@code chainPos} is the
   * chain:sequence the finding must carry, or null for an entry that is not authentic.
   */
  private static Verdict assertFailsAt(Path ledger, String code, long logIndex, String chainPos) {
    Verdict v = verify(ledger);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.json().code()).as("%s", v.json()).isEqualTo(Main.FAILED);
    // The finding's line in the text report: code, chain:sequence (when authentic), log index, segment line.
    assertThat(v.text().out()).as("%s", v.text()).contains("\nERROR " + code + " "
        + (chainPos == null ? "" : chainPos + ", ") + "log index " + logIndex + ", "
        + "segments/00000000000000000000.jsonl line " + (logIndex + 1) + ":\n");
    assertThat(v.text().out()).contains("FAILED: ");
    JsonNode report = v.json().json();
    assertThat(report.get("verified").asBoolean()).isFalse();
    List<JsonNode> matching = new ArrayList<>();
    report.get("findings").forEach(f -> {
      if (f.get("code").asText().equals(code) && f.has("entry") && f.get("entry").get("logIndex").asLong() == logIndex) {
        matching.add(f);
      }
    });
    assertThat(matching).as("finding %s at log index %d in %s", code, logIndex, report.toPrettyString()).hasSize(1);
    JsonNode entry = matching.get(0).get("entry");
    assertThat(entry.get("where").asText()).contains("line " + (logIndex + 1));
    if (chainPos != null) {
      assertThat(entry.get("chain").asText() + ":" + entry.get("sequence").asLong()).isEqualTo(chainPos);
    } else {
      assertThat(entry.has("chain")).isFalse();
    }
    return v;
  }

  private static void assertVerified(Path ledger) {
    Verdict v = verify(ledger);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.VERIFIED);
    assertThat(v.text().out()).contains("VERIFIED: ");
    assertThat(v.json().code()).isEqualTo(Main.VERIFIED);
    assertThat(v.json().json().get("errors").asLong()).isZero();
  }

  private static SigningKey key(String name) throws Exception {
    return SigningKey.load(trust.resolve(name + ".key"));
  }

  private static EntryPayload payloadOf(String line) throws Exception {
    return EntryRecord.parse(line.getBytes(StandardCharsets.US_ASCII), "test").payload("test");
  }

  /** A JWS over {@code payload} with the given header alg and kid, signed by {@code signer}. */
  private static String jws(String alg, String kid, EntryPayload payload, Signer signer) throws Exception {
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"" + JwsEnvelope.ENTRY_TYPE + "\"}";
    String protectedB64 = Base64Url.encode(header.getBytes(StandardCharsets.US_ASCII));
    String payloadB64 = Base64Url.encode(EntryCodec.encode(payload));
    byte[] sig = signer.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
    return new String(JwsEnvelope.serialize(protectedB64, payloadB64, Base64Url.encode(sig)), StandardCharsets.US_ASCII);
  }

  /** Entry F:1 (log index 1) with a changed event, same chain position and prev, naming {@code keyId}. */
  private static EntryPayload changedF1(String keyId) throws Exception {
    EntryPayload p = payloadOf(lines().get(1));
    Event changed = Event.builder(EventType.TRAINING).parameter("epochs", "30")
        .output(p.event().outputs().get(0)).build();
    return new EntryPayload(p.chain(), p.sequence(), p.prev(), keyId, p.time(), changed);
  }

  private static List<String> with(int index, String replacement) {
    List<String> l = lines();
    l.set(index, replacement);
    return l;
  }

  private static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /**
   * Changes the base64url character at {@code pos} to the next one of the alphabet, so the record
   * still parses and only the signature check can catch the change (keys are random per run, so a
   * bit flip could sometimes leave the alphabet instead). {@code pos} must be inside a base64url value,
   * not its last character.
   */
  private static String flip(String line, int pos) {
    int i = B64URL.indexOf(line.charAt(pos));
    assertThat(i).as("base64url character at %d", pos).isNotNegative();
    return line.substring(0, pos) + B64URL.charAt((i + 1) % B64URL.length()) + line.substring(pos + 1);
  }

  // ------------------------------------------------------------------ the genuine ledger

  @Test
  void verify_genuineLedger_exitsZeroAndSummarisesChains() {
    Verdict v = verify(copy());
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.VERIFIED);
    assertThat(v.text().out()).contains("VERIFIED: 9 entries in 3 chains").doesNotContain("ERROR");
    JsonNode r = v.json().json();
    assertThat(r.get("verified").asBoolean()).isTrue();
    assertThat(r.get("entries").asLong()).isEqualTo(9);
    assertThat(r.get("findings")).isEmpty();
    assertThat(r.get("summary").get("chains")).extracting(c -> c.get("chain").asText() + "=" + c.get("entries").asLong())
        .containsExactly(F + "=5", T + "=1", M + "=3"); // sorted by chain id
  }

  // ------------------------------------------------------------------ (a) flipped bytes, a few through the CLI

  @Test
  void verify_flippedPayloadByteOfEs256Entry_signatureInvalidAtThatEntry() {
    String rec = lines().get(3);
    int pos = rec.indexOf("\"payload\":\"") + 40;
    assertFailsAt(tampered(with(3, flip(rec, pos))), "SIGNATURE_INVALID", 3, null);
  }

  @Test
  void verify_flippedSignatureByte_signatureInvalidAtThatEntry() {
    String rec = lines().get(0);
    int pos = rec.indexOf("\"signature\":\"") + 20;
    Verdict v = assertFailsAt(tampered(with(0, flip(rec, pos))), "SIGNATURE_INVALID", 0, null);
    // The chain's next entry reports the hole the rejected record leaves.
    assertFailsAt(v.ledger(), "CHAIN_START_MISSING", 1, F + ":1");
  }

  @Test
  void verify_flippedHeaderByte_rejectedAtThatEntry() {
    String rec = lines().get(5);
    int pos = rec.indexOf("\"protected\":\"") + 15;
    Verdict v = verify(tampered(with(5, flip(rec, pos))));
    assertThat(v.text().code()).isEqualTo(Main.FAILED);
    assertThat(v.json().json().get("findings").get(0).get("entry").get("logIndex").asLong()).isEqualTo(5);
    assertThat(v.text().unwrapped()).contains(" log index 5, ").contains("line 6");
  }

  @Test
  void verify_flippedJsonStructureByte_recordMalformedAtThatEntry() {
    String rec = lines().get(8);
    assertFailsAt(tampered(with(8, "[" + rec.substring(1))), "RECORD_MALFORMED", 8, null);
  }

  // ------------------------------------------------------------------ (b) deleted records

  @Test
  void verify_deletedFirstRecord_chainStartMissingAtNextEntryOfChain() {
    List<String> l = lines();
    l.remove(0);
    Verdict v = assertFailsAt(tampered(l), "CHAIN_START_MISSING", 0, F + ":1");
    assertThat(v.text().unwrapped()).contains("entries 0..0 are missing");
  }

  @Test
  void verify_deletedMiddleRecord_sequenceGapNamesMissingEntry() {
    List<String> l = lines();
    l.remove(3); // F:2
    Verdict v = assertFailsAt(tampered(l), "SEQUENCE_GAP", 4, F + ":3");
    assertThat(v.text().unwrapped()).contains("entry 2 is missing");
  }

  @Test
  void verify_deletedLastButOneRecordOfChain_sequenceGapAtChainsLastEntry() {
    List<String> l = lines();
    l.remove(5); // F:3, followed by F:4 at the end of the log
    Verdict v = assertFailsAt(tampered(l), "SEQUENCE_GAP", 7, F + ":4");
    assertThat(v.text().unwrapped()).contains("entry 3 is missing");
  }

  // ------------------------------------------------------------------ (c) duplicated records

  @Test
  void verify_duplicatedRecordNextToItself_duplicateEntryAtCopy() {
    List<String> l = lines();
    l.add(4, l.get(3));
    assertFailsAt(tampered(l), "DUPLICATE_ENTRY", 4, F + ":2");
  }

  @Test
  void verify_duplicatedFirstRecordAtEnd_duplicateEntryAtCopy() {
    List<String> l = lines();
    l.add(l.get(0));
    assertFailsAt(tampered(l), "DUPLICATE_ENTRY", 9, F + ":0");
  }

  // ------------------------------------------------------------------ (d) reordered records

  @Test
  void verify_swappedRecordsOfOneChain_gapAndOutOfOrderAtBoth() {
    List<String> l = lines();
    String a = l.get(1);
    l.set(1, l.get(3));
    l.set(3, a);
    Path t = tampered(l);
    assertFailsAt(t, "SEQUENCE_GAP", 1, F + ":2");
    assertFailsAt(t, "SEQUENCE_OUT_OF_ORDER", 3, F + ":1");
  }

  @Test
  void verify_swappedRecordsAcrossChainsBreakingChainOrder_failsAtBothChains() {
    List<String> l = lines();
    String a = l.get(1); // F:1
    l.set(1, l.get(4)); // M:1
    l.set(4, a);
    Path t = tampered(l);
    assertFailsAt(t, "CHAIN_START_MISSING", 1, M + ":1");
    assertFailsAt(t, "SEQUENCE_OUT_OF_ORDER", 2, M + ":0");
    assertFailsAt(t, "SEQUENCE_GAP", 3, F + ":2");
    assertFailsAt(t, "SEQUENCE_OUT_OF_ORDER", 4, F + ":1");
  }

  @Test
  void verify_swappedAdjacentRecordsOfDifferentChains_checkpointRootMismatch() {
    // F:1 and M:0 trade places: each chain keeps its own order, links and sequence numbers, so
    // nothing that hash links check has changed. Only the log order (and so the Merkle leaves)
    // differs, which the ledger's signed checkpoints catch.
    List<String> l = lines();
    String a = l.get(1);
    l.set(1, l.get(2));
    l.set(2, a);
    Path t = tampered(l);
    Verdict v = verify(t);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.text().unwrapped()).contains("ERROR CHECKPOINT_ROOT_MISMATCH").contains("checkpoint checkpoints/2 (size 2");
    // The auditor's own copy of the checkpoint catches it too, with the ledger's checkpoints gone.
    deleteCheckpoints(t);
    Cli.Result r = Cli.run("verify", "--ledger", t, "--trust", trust, "--checkpoint", genuineCheckpoint);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.out()).contains("ERROR CHECKPOINT_INCONSISTENT").contains("the ledger does not extend it");
  }

  @Test
  void verify_swappedAdjacentRecordsOfDifferentChainsAndCheckpointsDeleted_noTrustedCheckpoint() {
    // With every checkpoint removed nothing in the ledger commits to the cross-chain order any more.
    // The auditor trusts the log's key (genuine-log.vkey in the trust directory), so a ledger of that
    // log without a checkpoint signed by it fails (issue 7: it used to pass with a warning).
    List<String> l = lines();
    String a = l.get(1);
    l.set(1, l.get(2));
    l.set(2, a);
    Path t = tampered(l);
    deleteCheckpoints(t);
    Verdict v = verify(t);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.text().unwrapped()).contains("ERROR NO_TRUSTED_CHECKPOINT").contains("cannot be excluded");
  }

  private static void deleteCheckpoints(Path ledger) {
    try {
      Files.delete(ledger.resolve("checkpoint"));
      try (var s = Files.list(ledger.resolve("checkpoints"))) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ (e) spliced records

  @Test
  void verify_recordOfAnotherChainInPlaceOfEntry_gapNamesMissingEntry() {
    List<String> l = lines();
    l.set(1, l.get(7)); // M:2 replaces F:1
    Path t = tampered(l);
    // The moved record is still judged by the chain it was signed for...
    assertFailsAt(t, "CHAIN_START_MISSING", 1, M + ":2");
    // ...and acme/falcon-7b reports the entry it lost.
    Verdict v = assertFailsAt(t, "SEQUENCE_GAP", 3, F + ":2");
    assertThat(v.text().unwrapped()).contains("entry 1 is missing");
    assertFailsAt(t, "DUPLICATE_ENTRY", 7, M + ":2");
  }

  @Test
  void verify_entryFromAnotherLedgerInPlaceOfEntry_prevMismatch() {
    String foreign = Cli.records(other).get(1); // F:1 of the other ledger, signed by trusted alice
    Path t = tampered(with(1, foreign));
    assertFailsAt(t, "PREV_MISMATCH", 1, F + ":1");
    // and the next genuine entry no longer links to the chain's head
    assertFailsAt(t, "PREV_MISMATCH", 3, F + ":2");
  }

  @Test
  void verify_entryFromAnotherLedgerInserted_forkAtInsertedEntry() {
    List<String> l = lines();
    l.add(2, Cli.records(other).get(1));
    assertFailsAt(tampered(l), "FORK", 2, F + ":1");
  }

  // ------------------------------------------------------------------ (f) re-signed with an untrusted key

  @Test
  void verify_changedEntryResignedByUntrustedKey_keyUntrustedAtThatEntry() throws Exception {
    SigningKey mallory = SigningKey.load(malloryKey);
    String forged = new String(EntrySigner.sign(changedF1(mallory.keyId()), mallory), StandardCharsets.US_ASCII);
    Path t = tampered(with(1, forged));
    Verdict v = assertFailsAt(t, "KEY_UNTRUSTED", 1, null);
    assertThat(v.text().unwrapped()).contains(mallory.keyId());
    // The forged record takes no part in the chain, so the chain reports the entry it lost.
    assertFailsAt(t, "SEQUENCE_GAP", 3, F + ":2");
  }

  @Test
  void record_withUntrustedKey_appendsButVerifyNamesIt() {
    Path t = copy();
    Cli.ok("record", "release", "--ledger", t, "--chain", F, "--key", malloryKey, "--version", "9.9.9");
    assertFailsAt(t, "KEY_UNTRUSTED", 9, null);
  }

  // ------------------------------------------------------------------ (g) payload and header name other keys

  @Test
  void verify_payloadAndHeaderNameTrustedKeySignedByUntrustedKey_signatureInvalid() throws Exception {
    SigningKey alice = key("alice");
    SigningKey mallory = SigningKey.load(malloryKey);
    // A signer that claims alice's key but signs with mallory's.
    Signer impostor = new Signer() {
      @Override
      public VerificationKey publicKey() {
        return alice.publicKey();
      }

      @Override
      public byte[] sign(byte[] input) throws dev.custody.attest.AttestException {
        return mallory.sign(input);
      }
    };
    String forged = new String(EntrySigner.sign(changedF1(alice.keyId()), impostor), StandardCharsets.US_ASCII);
    Verdict v = assertFailsAt(tampered(with(1, forged)), "SIGNATURE_INVALID", 1, null);
    assertThat(v.text().unwrapped()).contains(alice.keyId());
  }

  @Test
  void verify_payloadNamesTrustedKeyButHeaderAndSignatureAnother_keyIdMismatch() throws Exception {
    SigningKey alice = key("alice");
    SigningKey carol = key("carol");
    String forged = jws("EdDSA", carol.keyId(), changedF1(alice.keyId()), carol);
    // Authentic (carol is trusted and signed it), so the finding names the chain position.
    Path t = tampered(with(1, forged));
    assertFailsAt(t, "KEY_ID_MISMATCH", 1, F + ":1");
    assertFailsAt(t, "PREV_MISMATCH", 3, F + ":2");
  }

  @Test
  void verify_headerNamesTrustedKeyOtherThanTrustedSigner_signatureInvalid() throws Exception {
    SigningKey alice = key("alice");
    SigningKey carol = key("carol");
    String forged = jws("EdDSA", alice.keyId(), changedF1(carol.keyId()), carol);
    assertFailsAt(tampered(with(1, forged)), "SIGNATURE_INVALID", 1, null);
  }

  @Test
  void verify_headerNamesEs256KeyWithEdDsaSignature_algMismatch() throws Exception {
    SigningKey alice = key("alice");
    SigningKey bob = key("bob");
    String forged = jws("EdDSA", bob.keyId(), changedF1(bob.keyId()), alice);
    assertFailsAt(tampered(with(1, forged)), "ALG_MISMATCH", 1, null);
  }

  @Test
  void verify_payloadNamesTrustedKeyHeaderNamesUntrusted_keyUntrusted() throws Exception {
    SigningKey alice = key("alice");
    SigningKey mallory = SigningKey.load(malloryKey);
    String forged = jws("EdDSA", mallory.keyId(), changedF1(alice.keyId()), mallory);
    assertFailsAt(tampered(with(1, forged)), "KEY_UNTRUSTED", 1, null);
  }

  // ------------------------------------------------------------------ (h) truncation: NOT detectable yet

  @Test
  void verify_lastRecordOfChainsDeleted_ledgerShorterThanCheckpoint() {
    // Removing the last entries of a chain (here the last entry of acme/falcon-7b, which is also the
    // last record of the log, and the whole one-entry chain acme/tokenizer) is a truncation that
    // hash links alone cannot detect: links only point backwards. The signed checkpoints can.
    List<String> l = lines();
    l.remove(8); // F:4
    l.remove(6); // T:0
    Path t = tampered(l);
    Verdict v = verify(t);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.text().unwrapped()).contains("ERROR LEDGER_SHORTER_THAN_CHECKPOINT")
        .contains("commits to 9 entries but the ledger holds 7");
  }

  @Test
  void verify_lastRecordDeletedWithCheckpoints_trustedLogKeyAndAuditorsCheckpointCatchIt() {
    // The attacker also deletes the ledger's checkpoints. The auditor trusts the log's key, so the
    // missing checkpoints fail verification (issue 7: this used to verify with a NO_CHECKPOINT
    // warning); the checkpoint the auditor kept also names the truncation itself.
    List<String> l = lines();
    l.remove(8);
    Path t = tampered(l);
    deleteCheckpoints(t);
    Verdict v = verify(t);
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.text().unwrapped()).contains("ERROR NO_TRUSTED_CHECKPOINT").contains("holds 8 entries");
    Cli.Result r = Cli.run("verify", "--ledger", t, "--trust", trust, "--checkpoint", genuineCheckpoint);
    assertThat(r.code()).as("%s", r).isEqualTo(Main.FAILED);
    assertThat(r.out()).contains("ERROR LEDGER_SHORTER_THAN_CHECKPOINT")
        .contains("the auditor's checkpoint " + genuineCheckpoint + " (size 9").contains("the ledger holds 8");
  }

  @Test
  void verify_lastRecordOfMiddleChainDeleted_checkpointRootMismatch() {
    // A chain's last entry in the middle of the log (M:2): every later record moves one place.
    List<String> l = lines();
    l.remove(7);
    Verdict v = verify(tampered(l));
    assertThat(v.text().code()).as("%s", v.text()).isEqualTo(Main.FAILED);
    assertThat(v.text().unwrapped()).contains("ERROR CHECKPOINT_ROOT_MISMATCH").contains("checkpoint checkpoints/8 (size 8");
  }
}
