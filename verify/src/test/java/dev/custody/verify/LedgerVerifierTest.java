package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.verify.TestLedgers.Log;
import dev.custody.verify.TestLedgers.TestKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerVerifierTest {
  static final TestKey A = TestKey.ed25519("key A");
  static final TestKey B = TestKey.ed25519("key B");
  static final TestKey C = TestKey.es256();
  static final TestKey UNTRUSTED = TestKey.ed25519("someone else");
  static final TrustedKeys TRUST = TrustedKeys.of(List.of(A.publicKey(), B.publicKey(), C.publicKey()));

  @TempDir Path tmp;
  Log log;

  /**
   * Log index: 0 a:0 (A), 1 b:0 (B), 2 a:1 (A), 3 c:0 (C, ES256), 4 a:2 (A), 5 b:1 (B), 6 a:3 (A),
   * 7 c:1 (C), 8 a:4 (A), 9 b:2 (B).
   */
  @BeforeEach
  void buildLog() {
    log = new Log();
    log.append("acme/a", A);
    log.append("acme/b", B);
    log.append("acme/a", A);
    log.append("acme/c", C);
    log.append("acme/a", A);
    log.append("acme/b", B);
    log.append("acme/a", A);
    log.append("acme/c", C);
    log.append("acme/a", A);
    log.append("acme/b", B);
  }

  /**
   * The findings other than the NO_CHECKPOINT warning every ledger made here carries: these ledgers
   * are written record by record, without a log identity or checkpoints (verifyTransparency_* below
   * cover those).
   */
  static List<Finding> chainFindings(VerificationReport r) {
    return r.findings().stream()
        .filter(f -> f.code() != FindingCode.NO_CHECKPOINT)
        .collect(Collectors.toList());
  }

  private VerificationReport verify(List<byte[]> records) throws Exception {
    return LedgerVerifier.builder(TRUST).build().verify(TestLedgers.write(tmp.resolve("ledger"), records));
  }

  private static List<FindingCode> codes(VerificationReport r) {
    return chainFindings(r).stream().map(Finding::code).collect(Collectors.toList());
  }

  private static Finding only(VerificationReport r, FindingCode code) {
    List<Finding> fs = chainFindings(r).stream().filter(f -> f.code() == code).collect(Collectors.toList());
    assertThat(fs).as("findings with code %s in %s", code, chainFindings(r)).hasSize(1);
    return fs.get(0);
  }

  private static RecordRef entry(Finding f) {
    assertThat(f.entry()).as("entry of %s", f).isPresent();
    return f.entry().get();
  }

  private static void assertNames(Finding f, long logIndex, String chain, long sequence, byte[] record) {
    RecordRef e = entry(f);
    assertThat(e.logIndex()).isEqualTo(logIndex);
    assertThat(e.chain()).contains(chain);
    assertThat(e.sequence()).hasValue(sequence);
    assertThat(e.hash()).contains(Digest.sha256(record));
    assertThat(e.where()).contains("line " + (logIndex + 1)).contains("log index " + logIndex);
  }

  /** Replaces the first occurrence of {@code from} in the record's text, once. */
  private static byte[] replace(byte[] record, String from, String to) {
    String s = new String(record, StandardCharsets.US_ASCII);
    int i = s.indexOf(from);
    assertThat(i).as("'%s' in record", from).isNotNegative();
    return (s.substring(0, i) + to + s.substring(i + from.length())).getBytes(StandardCharsets.US_ASCII);
  }

  /** Flips one base64url character in the middle of a JWS member (keeping it canonical base64url). */
  private static byte[] flipIn(byte[] record, String member) {
    String s = new String(record, StandardCharsets.US_ASCII);
    int start = s.indexOf("\"" + member + "\":\"") + member.length() + 4;
    int end = s.indexOf('"', start);
    int mid = (start + end) / 2;
    char c = s.charAt(mid);
    char flipped = c == 'A' ? 'B' : 'A';
    return (s.substring(0, mid) + flipped + s.substring(mid + 1)).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void verify_validMultiChainLedger_verifiesWithNoFindings() throws Exception {
    List<byte[]> records = log.records();

    VerificationReport r = verify(records);

    assertThat(chainFindings(r)).isEmpty();
    assertThat(r.verified()).isTrue();
    assertThat(r.entriesChecked()).isEqualTo(10);
    assertThat(r.ledger()).isEqualTo(tmp.resolve("ledger"));
    assertThat(r.ledgerLabels()).containsExactly("ledger");
    assertThat(r.chains()).containsExactly(
        new ChainSummary("acme/a", 5, Digest.sha256(records.get(8)), Set.of(A.keyId())).inLedger("ledger"),
        new ChainSummary("acme/b", 3, Digest.sha256(records.get(9)), Set.of(B.keyId())).inLedger("ledger"),
        new ChainSummary("acme/c", 2, Digest.sha256(records.get(7)), Set.of(C.keyId())).inLedger("ledger"));
  }

  @Test
  void verify_es256Chain_verifies() throws Exception {
    Log es = new Log();
    for (int i = 0; i < 5; i++) {
      es.append("acme/hsm-signed", C);
    }
    VerificationReport r = verify(es.records());

    assertThat(chainFindings(r)).isEmpty();
    assertThat(r.chains()).singleElement().satisfies(c -> assertThat(c.signerKeyIds()).containsExactly(C.keyId()));
  }

  @Test
  void verify_parallelismOneAndMany_sameReport() throws Exception {
    Log big = new Log();
    for (int i = 0; i < 1500; i++) {
      big.append("acme/c" + (i % 7), i % 2 == 0 ? A : B);
    }
    List<byte[]> records = big.records();
    records.remove(700); // a gap in one chain
    records.set(1000, flipIn(records.get(1000), "signature"));
    records.add(1200, records.get(3)); // a duplicate
    Path dir = TestLedgers.write(tmp.resolve("big"), records);

    VerificationReport one = LedgerVerifier.builder(TRUST).parallelism(1).build().verify(dir);
    VerificationReport many = LedgerVerifier.builder(TRUST).parallelism(8).build().verify(dir);

    assertThat(chainFindings(many)).isEqualTo(chainFindings(one));
    assertThat(many.chains()).isEqualTo(one.chains());
    assertThat(codes(one)).containsExactly(FindingCode.SEQUENCE_GAP, FindingCode.SIGNATURE_INVALID,
        FindingCode.SEQUENCE_GAP, FindingCode.DUPLICATE_ENTRY);
  }

  @Test
  void verify_flippedPayloadByte_signatureInvalidNamesRecordThenGap() throws Exception {
    List<byte[]> records = log.records();
    records.set(4, flipIn(records.get(4), "payload")); // a:2

    VerificationReport r = verify(records);

    assertThat(r.verified()).isFalse();
    assertThat(codes(r)).containsExactly(FindingCode.SIGNATURE_INVALID, FindingCode.SEQUENCE_GAP);
    Finding sig = only(r, FindingCode.SIGNATURE_INVALID);
    assertThat(entry(sig).logIndex()).isEqualTo(4);
    assertThat(entry(sig).hash()).contains(Digest.sha256(records.get(4)));
    assertThat(entry(sig).chain()).isEmpty(); // an unauthenticated payload is never read
    assertThat(sig.message()).contains(A.keyId());
    Finding gap = only(r, FindingCode.SEQUENCE_GAP);
    assertNames(gap, 6, "acme/a", 3, records.get(6));
    assertThat(gap.message()).contains("entry 2 is missing");
  }

  @Test
  void verify_flippedSignatureByte_signatureInvalid() throws Exception {
    List<byte[]> records = log.records();
    records.set(9, flipIn(records.get(9), "signature")); // b:2, the chain's last entry

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.SIGNATURE_INVALID);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(9);
  }

  @Test
  void verify_flippedEs256SignatureByte_signatureInvalid() throws Exception {
    List<byte[]> records = log.records();
    records.set(3, flipIn(records.get(3), "signature")); // c:0

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.SIGNATURE_INVALID, FindingCode.CHAIN_START_MISSING);
    assertNames(chainFindings(r).get(1), 7, "acme/c", 1, records.get(7));
  }

  @Test
  void verify_brokenJson_recordMalformed() throws Exception {
    List<byte[]> records = log.records();
    records.set(1, replace(records.get(1), "{\"protected\"", "[\"protected\""));
    records.add(2, new byte[0]); // an empty line

    VerificationReport r = verify(records);

    assertThat(codes(r)).startsWith(FindingCode.RECORD_MALFORMED, FindingCode.RECORD_MALFORMED);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(1);
    assertThat(entry(chainFindings(r).get(0)).hash()).contains(Digest.sha256(records.get(1)));
    assertThat(entry(chainFindings(r).get(1)).logIndex()).isEqualTo(2);
  }

  @Test
  void verify_deletedRecord_sequenceGapAtNextEntry() throws Exception {
    List<byte[]> records = log.records();
    records.remove(4); // a:2; a:3 moves to log index 5

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.SEQUENCE_GAP);
    assertNames(chainFindings(r).get(0), 5, "acme/a", 3, records.get(5));
    assertThat(chainFindings(r).get(0).message()).contains("acme/a:3").contains("acme/a:1").contains("entry 2 is missing");
  }

  @Test
  void verify_deletedFirstEntry_chainStartMissing() throws Exception {
    List<byte[]> records = log.records();
    records.remove(1); // b:0

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.CHAIN_START_MISSING);
    assertNames(chainFindings(r).get(0), 4, "acme/b", 1, records.get(4));
  }

  @Test
  void verify_duplicatedRecord_duplicateEntryAtCopy() throws Exception {
    List<byte[]> records = log.records();
    records.add(10, records.get(2)); // a:1 again at the end

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.DUPLICATE_ENTRY);
    assertNames(chainFindings(r).get(0), 10, "acme/a", 1, records.get(2));
    assertThat(r.chains().get(0).entries()).isEqualTo(5);
  }

  @Test
  void verify_swappedRecordsOfOneChain_gapAndOutOfOrder() throws Exception {
    List<byte[]> records = log.records();
    byte[] a2 = records.get(4);
    records.set(4, records.get(6)); // a:3 first
    records.set(6, a2);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.SEQUENCE_GAP, FindingCode.SEQUENCE_OUT_OF_ORDER);
    assertNames(chainFindings(r).get(0), 4, "acme/a", 3, records.get(4));
    assertNames(chainFindings(r).get(1), 6, "acme/a", 2, records.get(6));
    assertThat(r.chains().get(0).head()).isEqualTo(Digest.sha256(records.get(8)));
  }

  @Test
  void verify_swappedRecordsOfDifferentChains_verifiesWithoutCheckpoint() throws Exception {
    // Without a checkpoint, only the log order across chains changes, which hash links do not
    // cover; the CLI tamper suite shows the same swap caught through a checkpoint.
    List<byte[]> records = log.records();
    byte[] b1 = records.get(5);
    records.set(5, records.get(4)); // only the order across chains changes
    records.set(4, b1);

    assertThat(chainFindings(verify(records))).isEmpty();
  }

  @Test
  void verify_entryReplacedFromAnotherCopyOfTheChain_prevMismatch() throws Exception {
    Log other = new Log();
    other.append("acme/a", A, "other history 0");
    other.append("acme/a", A, "other history 1");
    other.append("acme/a", A, "other history 2");
    List<byte[]> records = log.records();
    byte[] spliced = other.records().get(2); // a:2 of another history
    records.set(4, spliced);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.PREV_MISMATCH, FindingCode.PREV_MISMATCH);
    assertNames(chainFindings(r).get(0), 4, "acme/a", 2, spliced);
    assertThat(chainFindings(r).get(0).message()).contains(Digest.sha256(other.records().get(1)).toString())
        .contains(Digest.sha256(records.get(2)).toString());
    assertNames(chainFindings(r).get(1), 6, "acme/a", 3, records.get(6));
  }

  @Test
  void verify_entryInsertedFromAnotherCopyOfTheChain_fork() throws Exception {
    Log other = new Log();
    other.append("acme/a", A, "other history 0");
    List<byte[]> records = log.records();
    records.add(3, other.records().get(0)); // a second a:0

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.FORK);
    assertNames(chainFindings(r).get(0), 3, "acme/a", 0, other.records().get(0));
  }

  @Test
  void verify_entryOfOneChainMovedIntoAnother_isJudgedByItsSignedChain() throws Exception {
    // An entry's chain is what its signed payload says, so copying b:1 to where a:2 was leaves a
    // gap in a and a duplicate of b:1.
    List<byte[]> records = log.records();
    records.set(4, records.get(5));

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.DUPLICATE_ENTRY, FindingCode.SEQUENCE_GAP);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(5);
    assertNames(chainFindings(r).get(1), 6, "acme/a", 3, records.get(6));
  }

  @Test
  void verify_entryResignedByUntrustedKey_keyUntrusted() throws Exception {
    List<byte[]> records = log.records();
    byte[] forged = TestLedgers.sign(UNTRUSTED, TestLedgers.payload("acme/a", 2,
        Optional.of(Digest.sha256(records.get(2))), UNTRUSTED.keyId(), "forged"));
    records.set(4, forged);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.KEY_UNTRUSTED, FindingCode.SEQUENCE_GAP);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(4);
    assertThat(chainFindings(r).get(0).message()).contains(UNTRUSTED.keyId());
  }

  @Test
  void verify_chainLinkedThroughUntrustedSigner_gapPointsAtRejectedRecord() throws Exception {
    Log l = new Log();
    l.append("acme/a", A);
    l.append("acme/a", A);
    l.append("acme/a", UNTRUSTED);
    l.append("acme/a", A);

    VerificationReport r = verify(l.records());

    assertThat(codes(r)).containsExactly(FindingCode.KEY_UNTRUSTED, FindingCode.SEQUENCE_GAP);
    assertThat(chainFindings(r).get(1).message()).contains("log index 2, which was rejected");
  }

  @Test
  void verify_payloadNamesOtherTrustedKey_keyIdMismatch() throws Exception {
    List<byte[]> records = log.records();
    // Signed by A with header kid A, but the payload claims B signed it.
    byte[] claimsB = TestLedgers.sign(A, TestLedgers.payload("acme/a", 2,
        Optional.of(Digest.sha256(records.get(2))), B.keyId(), "claims B"));
    records.set(4, claimsB);
    records.set(6, TestLedgers.sign(A, TestLedgers.payload("acme/a", 3, Optional.of(Digest.sha256(claimsB)),
        A.keyId(), "after")));
    records.remove(8); // drop the old a:4, whose prev no longer matches

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.KEY_ID_MISMATCH);
    assertNames(chainFindings(r).get(0), 4, "acme/a", 2, claimsB);
    assertThat(chainFindings(r).get(0).message()).contains(A.keyId()).contains(B.keyId());
    assertThat(r.chains().get(0).signerKeyIds()).containsExactly(A.keyId());
  }

  @Test
  void verify_headerNamesOtherTrustedKeyThanSigner_signatureInvalid() throws Exception {
    List<byte[]> records = log.records();
    // Signed by A, but the header (and payload) name B: B's key does not verify A's signature.
    byte[] rec = TestLedgers.sign(A, "EdDSA", B.keyId(), JwsEnvelope.ENTRY_TYPE, TestLedgers.payload("acme/a", 2,
        Optional.of(Digest.sha256(records.get(2))), B.keyId(), "header B"));
    records.set(4, rec);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.SIGNATURE_INVALID, FindingCode.SEQUENCE_GAP);
    assertThat(chainFindings(r).get(0).message()).contains(B.keyId());
  }

  @Test
  void verify_headerAlgOtherThanKeyAlg_algMismatch() throws Exception {
    List<byte[]> records = log.records();
    byte[] rec = TestLedgers.sign(A, "ES256", A.keyId(), JwsEnvelope.ENTRY_TYPE, TestLedgers.payload("acme/b", 3,
        Optional.of(Digest.sha256(records.get(9))), A.keyId(), "wrong alg"));
    records.add(rec);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.ALG_MISMATCH);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(10);
  }

  @Test
  void verify_headerAlgHmacOrNone_rejected() throws Exception {
    List<byte[]> records = log.records();
    records.add(TestLedgers.sign(B, "HS256", B.keyId(), JwsEnvelope.ENTRY_TYPE, TestLedgers.payload("acme/b", 3,
        Optional.of(Digest.sha256(records.get(9))), B.keyId(), "hmac")));
    records.add(TestLedgers.sign(B, "none", B.keyId(), JwsEnvelope.ENTRY_TYPE, TestLedgers.payload("acme/b", 3,
        Optional.of(Digest.sha256(records.get(9))), B.keyId(), "none")));

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.ALG_MISMATCH, FindingCode.RECORD_MALFORMED);
  }

  @Test
  void verify_headerTypOfAnotherKind_headerTypeInvalid() throws Exception {
    List<byte[]> records = log.records();
    records.add(TestLedgers.sign(B, "EdDSA", B.keyId(), "JWT", TestLedgers.payload("acme/b", 3,
        Optional.of(Digest.sha256(records.get(9))), B.keyId(), "typ")));
    records.add(TestLedgers.sign(B, "EdDSA", B.keyId(), null, TestLedgers.payload("acme/b", 3,
        Optional.of(Digest.sha256(records.get(9))), B.keyId(), "no typ")));

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.HEADER_TYPE_INVALID, FindingCode.HEADER_TYPE_INVALID);
  }

  @Test
  void verify_tornTail_warningOnlyAndStillVerified() throws Exception {
    List<byte[]> records = log.records();
    byte[] partial = Arrays.copyOf(records.get(9), 40);
    Path dir = TestLedgers.writeSegments(tmp.resolve("torn"), Map.of(TestLedgers.SEGMENT_0, records.subList(0, 9)),
        partial);

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(dir);

    assertThat(codes(r)).containsExactly(FindingCode.TORN_TAIL);
    assertThat(chainFindings(r).get(0).severity()).isEqualTo(Severity.WARNING);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(9);
    assertThat(r.verified()).isTrue();
    assertThat(r.entriesChecked()).isEqualTo(9);
  }

  @Test
  void verify_unterminatedLineBeforeLastSegment_recordUnterminated() throws Exception {
    List<byte[]> records = log.records();
    Path dir = tmp.resolve("mid");
    TestLedgers.writeSegments(dir, Map.of(TestLedgers.SEGMENT_0, records.subList(0, 5)), null);
    Path seg0 = dir.resolve("segments").resolve(TestLedgers.SEGMENT_0);
    byte[] seg0Bytes = Files.readAllBytes(seg0);
    Files.write(seg0, Arrays.copyOf(seg0Bytes, seg0Bytes.length - 1)); // drop the last newline
    try (var out = Files.newOutputStream(dir.resolve("segments").resolve("00000000000000000005.jsonl"))) {
      for (byte[] rec : records.subList(5, 10)) {
        out.write(rec);
        out.write('\n');
      }
    }

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(dir);

    assertThat(codes(r)).contains(FindingCode.RECORD_UNTERMINATED);
    assertThat(r.verified()).isFalse();
  }

  @Test
  void verify_oversizeRecord_recordOversize() throws Exception {
    List<byte[]> records = log.records();
    byte[] huge = new byte[EntryRecord.MAX_RECORD_BYTES + 10];
    Arrays.fill(huge, (byte) 'x');
    records.add(3, huge);

    VerificationReport r = verify(records);

    assertThat(codes(r)).containsExactly(FindingCode.RECORD_OVERSIZE);
    assertThat(entry(chainFindings(r).get(0)).logIndex()).isEqualTo(3);
    assertThat(entry(chainFindings(r).get(0)).hash()).isEmpty();
  }

  @Test
  void verify_segmentNameDeclaresWrongIndex_segmentIndexMismatch() throws Exception {
    List<byte[]> records = log.records();
    Map<String, List<byte[]>> segs = new LinkedHashMap<>();
    segs.put(TestLedgers.SEGMENT_0, records.subList(0, 5));
    segs.put("00000000000000000006.jsonl", records.subList(5, 10));
    Path dir = TestLedgers.writeSegments(tmp.resolve("segs"), segs, null);
    Files.writeString(dir.resolve("segments").resolve("notes.txt"), "hello");

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(dir);

    assertThat(codes(r)).containsExactly(FindingCode.SEGMENT_UNEXPECTED_FILE, FindingCode.SEGMENT_INDEX_MISMATCH);
    assertThat(chainFindings(r).get(1).message()).contains("00000000000000000006.jsonl").contains("5 records");
  }

  @Test
  void verify_twoSegments_verifies() throws Exception {
    List<byte[]> records = log.records();
    Map<String, List<byte[]>> segs = new LinkedHashMap<>();
    segs.put(TestLedgers.SEGMENT_0, records.subList(0, 5));
    segs.put("00000000000000000005.jsonl", records.subList(5, 10));

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(
        TestLedgers.writeSegments(tmp.resolve("segs"), segs, null));

    assertThat(chainFindings(r)).isEmpty();
    assertThat(r.entriesChecked()).isEqualTo(10);
  }

  @Test
  void verify_chainFilter_reportsOnlyThatChain() throws Exception {
    List<byte[]> records = log.records();
    records.remove(4); // a gap in acme/a

    VerificationReport r = LedgerVerifier.builder(TRUST).chain("acme/b").build()
        .verify(TestLedgers.write(tmp.resolve("ledger"), records));

    assertThat(chainFindings(r)).isEmpty();
    assertThat(r.verified()).isTrue();
    assertThat(r.chains()).extracting(ChainSummary::chain).containsExactly("acme/b");
    assertThat(r.entriesChecked()).isEqualTo(3);
  }

  @Test
  void verify_chainFilterWithUnattributableBadRecord_keepsItsFinding() throws Exception {
    List<byte[]> records = log.records();
    records.set(9, flipIn(records.get(9), "payload")); // could be any chain's

    VerificationReport r = LedgerVerifier.builder(TRUST).chain("acme/c").build()
        .verify(TestLedgers.write(tmp.resolve("ledger"), records));

    assertThat(codes(r)).containsExactly(FindingCode.SIGNATURE_INVALID);
  }

  @Test
  void verify_chainFilterNamesNoChain_chainNotFound() throws Exception {
    VerificationReport r = LedgerVerifier.builder(TRUST).chain("acme/zzz").build()
        .verify(TestLedgers.write(tmp.resolve("ledger"), log.records()));

    assertThat(codes(r)).containsExactly(FindingCode.CHAIN_NOT_FOUND);
    assertThat(chainFindings(r).get(0).message()).contains("acme/zzz");
    assertThat(r.verified()).isFalse();
    assertThat(r.chains()).isEmpty();
  }

  @Test
  void verify_severalTampers_printsTextReport() throws Exception {
    List<byte[]> records = log.records();
    records.remove(4);
    records.set(6, flipIn(records.get(6), "payload"));
    records.add(records.get(0));

    String text = dev.custody.verify.report.TextReportRenderer.render(verify(records));

    assertThat(text.lines().filter(l -> l.startsWith("ERROR "))).satisfiesExactly(
        l -> assertThat(l).isEqualTo("ERROR SEQUENCE_GAP acme/a:3, log index 5, segments/" + TestLedgers.SEGMENT_0 + " line 6:"),
        l -> assertThat(l).isEqualTo("ERROR SIGNATURE_INVALID log index 6, segments/" + TestLedgers.SEGMENT_0 + " line 7:"),
        l -> assertThat(l).isEqualTo("ERROR DUPLICATE_ENTRY acme/a:0, log index 9, segments/" + TestLedgers.SEGMENT_0 + " line 10:"));
    // The key-less test ledger has no checkpoint: one WARNING says what that leaves undetected.
    assertThat(text.lines().filter(l -> l.startsWith("WARNING "))).containsExactly("WARNING NO_CHECKPOINT:");
    assertThat(text).contains("WARNING NO_CHECKPOINT:\n    the ledger has no log key").contains("truncation")
        .contains("cannot be excluded");
    assertThat(text).contains("  chains    3\n            acme/a: ").contains("\n            acme/b: ")
        .contains("\n            acme/c: ");
    assertThat(text).startsWith("FAILED: 3 errors, 1 warning in 10 entries (3 chains)\n")
        .endsWith("FAILED: 3 errors, 1 warning in 10 entries (3 chains)\n");
  }

  // ------------------------------------------------------------------ missing transparency state (issue 7, item 2)

  /** What an insider deletes from a ledger with a log identity and checkpoints at sizes 4 and 10. */
  enum Deletion {
    NOTHING, LOG_DIR, CHECKPOINT_FILE, CHECKPOINTS_DIR, BOTH_CHECKPOINT_FILES, ALL, ALL_AND_LAST_ENTRIES_CUT
  }

  static final TestLedgers.TestLog LOG = new TestLedgers.TestLog("example.org/models");

  private Path ledgerWithTransparency(Deletion d) throws IOException {
    List<byte[]> records = log.records();
    Path dir = TestLedgers.write(tmp.resolve("t-" + d), records);
    LOG.writeIdentity(dir);
    LOG.writeCheckpoints(dir, records, 4, 10);
    Files.createDirectories(dir.resolve("tile/0"));
    Files.write(dir.resolve("tile/0/000"), new byte[32 * 256]); // verifiers never read tiles
    boolean log = d == Deletion.LOG_DIR || d.compareTo(Deletion.ALL) >= 0;
    boolean cp = d == Deletion.CHECKPOINT_FILE || d == Deletion.BOTH_CHECKPOINT_FILES || d.compareTo(Deletion.ALL) >= 0;
    boolean cps = d == Deletion.CHECKPOINTS_DIR || d == Deletion.BOTH_CHECKPOINT_FILES || d.compareTo(Deletion.ALL) >= 0;
    if (log) {
      deleteTree(dir.resolve("log"));
    }
    if (cp) {
      Files.delete(dir.resolve("checkpoint"));
    }
    if (cps) {
      deleteTree(dir.resolve("checkpoints"));
    }
    if (d.compareTo(Deletion.ALL) >= 0) {
      deleteTree(dir.resolve("tile"));
    }
    if (d == Deletion.ALL_AND_LAST_ENTRIES_CUT) {
      TestLedgers.write(dir, records.subList(0, 7)); // rewrites the segment without a:4 and b:2, c:1
    }
    return dir;
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> deletions() {
    return java.util.Arrays.stream(Deletion.values()).flatMap(d -> java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(d, true), org.junit.jupiter.params.provider.Arguments.of(d, false)));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}, trusted log key {1}")
  @org.junit.jupiter.params.provider.MethodSource("deletions")
  void verifyTransparency_deletedState_errorWithTrustedLogKeyWarningWithout(Deletion d, boolean withLogKey)
      throws Exception {
    Path dir = ledgerWithTransparency(d);
    LedgerVerifier.Builder b = LedgerVerifier.builder(TRUST);
    if (withLogKey) {
      b.logKeys(List.of(LOG.vkey));
    }

    VerificationReport r = b.build().verify(dir);

    Set<FindingCode> errors = r.findings().stream().filter(Finding::isError).map(Finding::code)
        .collect(Collectors.toSet());
    Set<FindingCode> warnings = r.findings().stream().filter(f -> f.severity() == Severity.WARNING)
        .map(Finding::code).collect(Collectors.toSet());
    String why = d + (withLogKey ? " with" : " without") + " log key: " + r.findings();
    switch (d) {
      case NOTHING, CHECKPOINT_FILE, CHECKPOINTS_DIR -> {
        // One of the two copies of the newest checkpoint is left: it still commits to every entry.
        assertThat(errors).as(why).isEmpty();
        assertThat(warnings).as(why).isEqualTo(withLogKey ? Set.of() : Set.of(FindingCode.LOG_KEY_UNTRUSTED));
      }
      case LOG_DIR -> assertThat(errors).as(why).isEqualTo(withLogKey
          ? Set.of(FindingCode.LOG_IDENTITY_MISSING) // the checkpoints still verify with the trusted key
          : Set.of(FindingCode.CHECKPOINT_UNTRUSTED)); // nothing left to check them with
      case BOTH_CHECKPOINT_FILES -> {
        if (withLogKey) {
          assertThat(errors).as(why).isEqualTo(Set.of(FindingCode.NO_TRUSTED_CHECKPOINT));
        } else {
          assertThat(errors).as(why).isEmpty();
          assertThat(warnings).as(why).isEqualTo(Set.of(FindingCode.NO_CHECKPOINT));
        }
      }
      case ALL, ALL_AND_LAST_ENTRIES_CUT -> {
        if (withLogKey) {
          assertThat(errors).as(why).isEqualTo(Set.of(FindingCode.LOG_IDENTITY_MISSING,
              FindingCode.NO_TRUSTED_CHECKPOINT));
        } else {
          // Without a trusted log key nothing outside the files can show the cut: the report says so.
          assertThat(errors).as(why).isEmpty();
          assertThat(warnings).as(why).isEqualTo(Set.of(FindingCode.NO_CHECKPOINT));
        }
      }
      default -> throw new AssertionError(d);
    }
    assertThat(r.verified()).as(why).isEqualTo(errors.isEmpty());
    assertThat(r.entriesChecked()).isEqualTo(d == Deletion.ALL_AND_LAST_ENTRIES_CUT ? 7 : 10);
    r.findings().stream().filter(f -> f.code() == FindingCode.NO_CHECKPOINT).forEach(f -> assertThat(f.message())
        .contains("truncation").contains("cannot be excluded"));
    r.findings().stream().filter(f -> f.code() == FindingCode.NO_TRUSTED_CHECKPOINT).forEach(f ->
        assertThat(f.message()).contains("holds " + r.entriesChecked() + " entries").contains("cannot be excluded"));
  }

  @Test
  void verifyTransparency_logVkeyReplacedByAnotherLog_logIdentityMissing() throws Exception {
    Path dir = ledgerWithTransparency(Deletion.NOTHING);
    // The attacker's own log identity; its name carries a bidi override that must not reach the terminal raw.
    TestLedgers.TestLog attacker = new TestLedgers.TestLog("example.org/models\u202e");
    Files.writeString(dir.resolve("log/vkey"), attacker.vkey.encode() + "\n");

    VerificationReport r = LedgerVerifier.builder(TRUST).logKeys(List.of(LOG.vkey)).build().verify(dir);

    Finding f = r.findings().stream().filter(x -> x.code() == FindingCode.LOG_IDENTITY_MISSING).findFirst()
        .orElseThrow(() -> new AssertionError(r.findings()));
    assertThat(f.message()).contains("not a trusted log key").contains("\\u202E").doesNotContain("\u202e");
    assertThat(r.verified()).isFalse();
  }

  @Test
  void verifyTransparency_auditorsCheckpointButStoredOnesDeleted_noTrustedCheckpointNamesCoverage() throws Exception {
    List<byte[]> records = log.records();
    Path dir = ledgerWithTransparency(Deletion.BOTH_CHECKPOINT_FILES);
    byte[] auditors = LOG.checkpoint(records, 6);

    VerificationReport r = LedgerVerifier.builder(TRUST).logKeys(List.of(LOG.vkey)).checkpoint(auditors, "cp-6")
        .build().verify(dir);

    assertThat(r.findings()).filteredOn(Finding::isError).extracting(Finding::code)
        .containsExactly(FindingCode.NO_TRUSTED_CHECKPOINT);
    assertThat(r.findings()).filteredOn(Finding::isError).first().extracting(Finding::message).asString()
        .contains("the auditor's checkpoint covers its first 6 entries");
  }

  // ------------------------------------------------------------------ bounded findings (issue 7, item 6)

  @Test
  void verify_manyBadRecords_keepsFirstHundredPerCodeAndCountsTheRest() throws Exception {
    List<byte[]> records = log.records();
    for (int i = 0; i < 250; i++) {
      records.add(("junk " + i).getBytes(StandardCharsets.US_ASCII));
      records.add(("{\"protected\":" + i + "}").getBytes(StandardCharsets.US_ASCII));
    }

    VerificationReport r = verify(records);

    assertThat(r.findings()).filteredOn(f -> f.code() == FindingCode.RECORD_MALFORMED)
        .hasSize(VerificationReport.MAX_FINDINGS_PER_CODE)
        .extracting(f -> f.entry().get().logIndex()).startsWith(10L, 11L, 12L).endsWith(109L);
    assertThat(r.omitted()).containsExactly(Map.entry(FindingCode.RECORD_MALFORMED, 400L));
    assertThat(r.errorCount()).isEqualTo(500);
    assertThat(r.count(Severity.ERROR)).isEqualTo(500);
    assertThat(r.verified()).isFalse();
    assertThat(r.chains()).hasSize(3); // the genuine entries still form their chains
    String text = dev.custody.verify.report.TextReportRenderer.render(r);
    assertThat(text).contains("ERROR RECORD_MALFORMED: and 400 more RECORD_MALFORMED findings")
        .endsWith("FAILED: 500 errors, 1 warning in 510 entries (3 chains)\n");
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(dev.custody.verify.report.JsonReportRenderer.render(r));
    assertThat(json.get("errors").asLong()).isEqualTo(500);
    assertThat(json.get("omitted").get("RECORD_MALFORMED").asLong()).isEqualTo(400);
    // Appending more findings (e.g. a model check) keeps the bound and the count.
    VerificationReport more = r.withFindings(List.of(r.findings().get(0)));
    assertThat(more.omitted()).containsExactly(Map.entry(FindingCode.RECORD_MALFORMED, 401L));
    assertThat(more.errorCount()).isEqualTo(501);
  }

  @Test
  void verify_manyStrayFilesInSegments_firstHundredNamedRestCounted() throws Exception {
    Path dir = TestLedgers.write(tmp.resolve("stray"), log.records());
    for (int i = 0; i < 130; i++) {
      Files.writeString(dir.resolve("segments").resolve(String.format("stray-%03d.txt", i)), "x");
    }

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(dir);

    assertThat(r.findings()).filteredOn(f -> f.code() == FindingCode.SEGMENT_UNEXPECTED_FILE).hasSize(100)
        .first().extracting(Finding::message).asString().contains("stray-000.txt");
    assertThat(r.omitted()).containsEntry(FindingCode.SEGMENT_UNEXPECTED_FILE, 30L);
    assertThat(r.errorCount()).isEqualTo(130);
  }

  @Test
  void verify_segmentNameBeyondLongMax_unexpectedFile() throws Exception {
    // The store's own test of a segment name (LedgerLayout.isSegmentName): 20 digits above Long.MAX_VALUE
    // are no segment custody could write; the verifier's old copy of the pattern took them as one.
    Path dir = TestLedgers.write(tmp.resolve("overlong"), log.records());
    Files.writeString(dir.resolve("segments").resolve("99999999999999999999.jsonl"), "");

    VerificationReport r = LedgerVerifier.builder(TRUST).build().verify(dir);

    assertThat(r.findings()).filteredOn(f -> f.code() == FindingCode.SEGMENT_UNEXPECTED_FILE).singleElement()
        .extracting(Finding::message).asString().contains("99999999999999999999.jsonl");
  }

  @Test
  void verifyTransparency_manyJunkCheckpointFiles_readOneAtATimeFirstHundredNamed() throws Exception {
    Path dir = ledgerWithTransparency(Deletion.NOTHING);
    for (int i = 11; i < 311; i++) {
      Files.writeString(dir.resolve("checkpoints").resolve(Integer.toString(i)), "junk " + i + "\n");
    }

    VerificationReport r = LedgerVerifier.builder(TRUST).logKeys(List.of(LOG.vkey)).build().verify(dir);

    assertThat(r.findings()).filteredOn(f -> f.code() == FindingCode.CHECKPOINT_MALFORMED).hasSize(100);
    assertThat(r.omitted()).containsEntry(FindingCode.CHECKPOINT_MALFORMED, 200L);
    assertThat(r.verified()).isFalse();
  }

  @Test
  void verify_emptyLedger_verifiesWithInfo() throws Exception {
    VerificationReport r = verify(List.of());

    assertThat(codes(r)).containsExactly(FindingCode.LEDGER_EMPTY);
    assertThat(r.verified()).isTrue();
  }

  @Test
  void verify_notALedger_formatException() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("plain"));
    LedgerVerifier v = LedgerVerifier.builder(TRUST).build();

    assertThatThrownBy(() -> v.verify(dir)).isInstanceOf(FormatException.class).hasMessageContaining("ledger.json");
    assertThatThrownBy(() -> v.verify(tmp.resolve("missing"))).isInstanceOf(FormatException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void builder_badOptions_rejected() {
    assertThatThrownBy(() -> LedgerVerifier.builder(TRUST).chain("../etc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LedgerVerifier.builder(TRUST).parallelism(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_witnessesWithoutAuditorCheckpointOrBadThreshold_rejected() throws Exception {
    dev.custody.core.note.VerifierKey w = dev.custody.core.note.VerifierKey.of("w.example",
        dev.custody.core.note.SignatureType.ED25519, dev.custody.core.Bytes.copyOf(
            java.util.HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
    LedgerVerifier.Builder b = LedgerVerifier.builder(TRUST);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.witnesses(java.util.List.of(w), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    // The same witness as an Ed25519 and a cosignature/v1 key counts once.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.witnesses(java.util.List.of(w, w.asCosignatureV1()), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(1), got 2");
    b.witnesses(java.util.List.of(w), 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("checkpoint(...)");
    b.checkpoint(new byte[0], "cp");
    org.assertj.core.api.Assertions.assertThat(b.build()).isNotNull();
  }
}
