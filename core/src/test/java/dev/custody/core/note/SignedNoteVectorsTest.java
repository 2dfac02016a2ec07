package dev.custody.core.note;

import static dev.custody.core.note.NoteVectors.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Known-answer signed-note vectors written by others (C2SP, Go sumdb/note, transparency-dev, sigsum, sum.golang.org). */
class SignedNoteVectorsTest {

  private static NoteVerifiers verifiers(JsonNode vkeys) throws FormatException {
    List<VerifierKey> keys = new ArrayList<>();
    for (JsonNode v : vkeys) {
      keys.add(VerifierKey.parse(v.asText()));
    }
    return NoteVerifiers.of(keys);
  }

  private static List<String> signers(List<? extends Object> sigs) {
    List<String> out = new ArrayList<>();
    for (Object o : sigs) {
      out.add(o instanceof VerifiedSignature v ? v.signature().signer() : ((NoteSignature) o).signer());
    }
    return out;
  }

  // --- C2SP spec examples ---

  @Test
  void open_c2spSpecExample_verifiesWithPublishedVkey() throws Exception {
    JsonNode ex = NoteVectors.c2sp().get("signedNote").get(0);
    VerifierKey key = VerifierKey.parse(ex.get("vkey").asText());
    assertThat(key.keyId().hex()).isEqualTo(ex.get("keyIdHex").asText());
    assertThat(key.name()).isEqualTo(ex.get("keyName").asText());
    assertThat(key.type()).isEqualTo(SignatureType.ED25519);
    assertThat(key.encode()).isEqualTo(ex.get("vkey").asText());

    VerifiedNote note = SignedNote.open(utf8(ex.get("note")), NoteVerifiers.of(key));
    assertThat(note.text()).isEqualTo(ex.get("signedText").asText());
    assertThat(note.verified()).hasSize(1);
    assertThat(note.unverified()).isEmpty();
    assertThat(note.note().encoded()).isEqualTo(utf8(ex.get("note")));
  }

  @Test
  void parse_c2spQuasimodoExample_splitsAtLastBlankLine() throws Exception {
    JsonNode ex = NoteVectors.c2sp().get("signedNote").get(1);
    SignedNote note = SignedNote.parse(utf8(ex.get("note")));
    assertThat(note.unverifiedText()).isEqualTo(ex.get("signedText").asText());
    assertThat(note.signatures()).singleElement()
        .satisfies(s -> assertThat(s.keyId().hex()).isEqualTo(ex.get("signatureKeyIdHex").asText()));
    assertThat(note.encoded()).isEqualTo(utf8(ex.get("note")));
  }

  @Test
  void parse_c2spCosignatureExampleLine_decodesKeyIdTimestampAndLength() throws Exception {
    JsonNode ex = NoteVectors.c2sp().get("cosignatureV1").get(1);
    NoteSignature sig = NoteSignature.parseLine(ex.get("line").asText());
    assertThat(sig.keyId().hex()).isEqualTo(ex.get("keyIdHex").asText());
    assertThat(4 + sig.signature().length()).isEqualTo(ex.get("decodedLength").asInt());
    assertThat(CosignatureV1.timestamp(sig)).isEqualTo(ex.get("timestamp").asLong());
    assertThat(sig.line()).isEqualTo(ex.get("line").asText());
  }

  @Test
  void signedMessage_c2spCosignatureExample_isByteExact() {
    JsonNode ex = NoteVectors.c2sp().get("cosignatureV1").get(0);
    assertThat(CosignatureV1.signedMessage(ex.get("timestamp").asLong(), utf8(ex.get("checkpointBody"))))
        .isEqualTo(utf8(ex.get("signedMessage")));
  }

  @Test
  void parse_c2spWitnessResponseLines_parseAsSignatures() throws Exception {
    // The tlog-witness example lines are placeholders (their "timestamps" exceed 2^63), so only
    // the line grammar and the 4 + 72 byte shape are checked.
    for (String line : (Iterable<String>) NoteVectors.c2sp().get("witnessAddCheckpoint").get("responseBody").asText()
        .lines()::iterator) {
      NoteSignature s = NoteSignature.parseLine(line);
      assertThat(s.signature().length()).isEqualTo(SignatureType.COSIGNATURE_V1.signatureLength());
      assertThat(s.line()).isEqualTo(line);
    }
  }

  // --- Go sumdb/note ---

  @Test
  void parse_goTestKeys_roundTripAndKeyIds() throws Exception {
    for (JsonNode k : (Iterable<JsonNode>) () -> NoteVectors.goNote().get("keys").elements()) {
      VerifierKey key = VerifierKey.parse(k.get("vkey").asText());
      assertThat(key.keyId().hex()).isEqualTo(k.get("keyIdHex").asText());
      assertThat(key.encode()).isEqualTo(k.get("vkey").asText());
    }
  }

  @TestFactory
  Stream<DynamicTest> open_goOpenCases_matchGo() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : NoteVectors.goNote().get("open")) {
      tests.add(dynamicTest(c.get("desc").asText(), () -> {
        byte[] msg = utf8(c.get("msg"));
        NoteVerifiers trusted = verifiers(c.get("verifiers"));
        if (c.get("wantErr").asBoolean()) {
          String want = c.get("wantErrText").asText();
          Class<? extends Exception> type = switch (want) {
            case "note has no verifiable signatures" -> UnverifiedNoteException.class;
            case "malformed note" -> FormatException.class;
            default -> InvalidNoteSignatureException.class;
          };
          assertThatThrownBy(() -> SignedNote.open(msg, trusted)).isInstanceOf(type).hasMessageContaining(want);
          return;
        }
        VerifiedNote n = SignedNote.open(msg, trusted);
        if (c.has("wantText")) {
          assertThat(n.text()).isEqualTo(c.get("wantText").asText());
        }
        if (c.has("wantVerified")) {
          List<String> want = new ArrayList<>();
          c.get("wantVerified").forEach(x -> want.add(x.asText()));
          assertThat(signers(n.verified())).containsExactlyElementsOf(want);
          List<String> wantU = new ArrayList<>();
          c.get("wantUnverified").forEach(x -> wantU.add(x.asText()));
          assertThat(signers(n.unverified())).containsExactlyElementsOf(wantU);
        }
        if (c.has("wantVerifiedCount")) {
          assertThat(n.verified()).hasSize(c.get("wantVerifiedCount").asInt());
          assertThat(n.unverified()).hasSize(c.get("wantUnverifiedCount").asInt());
        }
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> parse_goMalformedNotes_rejected() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : NoteVectors.goNote().get("malformed")) {
      tests.add(dynamicTest(c.get("desc").asText(), () -> {
        byte[] msg;
        if (c.has("msgHexPrefix")) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.writeBytes(HexFormat.of().parseHex(c.get("msgHexPrefix").asText()));
          b.writeBytes(utf8(c.get("msgRest")));
          msg = b.toByteArray();
        } else {
          msg = utf8(c.get("msg"));
        }
        assertThatThrownBy(() -> SignedNote.parse(msg)).isInstanceOf(FormatException.class)
            .hasMessageContaining("malformed note");
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> parse_goBadVerifierKeys_rejected() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : NoteVectors.goNote().get("badVerifierKeys")) {
      if (!c.has("vkey")) {
        continue;
      }
      tests.add(dynamicTest(c.get("why").asText(), () ->
          assertThatThrownBy(() -> VerifierKey.parse(c.get("vkey").asText())).isInstanceOf(FormatException.class)));
    }
    return tests.stream();
  }

  /** TestNewVerifier's rule: every proper substring and every single-byte +1 mutation is rejected. */
  @Test
  void parse_everySubstringAndByteMutationOfGoVkey_rejected() {
    String vkey = NoteVectors.goNote().get("keys").get("PeterNeumann").get("vkey").asText();
    for (int i = 0; i <= vkey.length(); i++) {
      for (int j = i; j <= vkey.length(); j++) {
        if (i == 0 && j == vkey.length()) {
          continue;
        }
        String sub = vkey.substring(i, j);
        assertThatThrownBy(() -> VerifierKey.parse(sub)).as("substring [%d,%d) '%s'", i, j, sub)
            .isInstanceOf(FormatException.class);
      }
    }
    for (int i = 0; i < vkey.length(); i++) {
      char[] c = vkey.toCharArray();
      c[i]++;
      String mutated = new String(c);
      assertThatThrownBy(() -> VerifierKey.parse(mutated)).as("mutation at %d '%s'", i, mutated)
          .isInstanceOf(FormatException.class);
    }
  }

  @Test
  void find_trustedKeys_matchOnlyExactNameAndKeyId() throws Exception {
    VerifierKey enoch = VerifierKey.parse(NoteVectors.goNote().get("keys").get("EnochRoot").get("vkey").asText());
    assertThat(NoteVerifiers.of(enoch, enoch).keys()).hasSize(1); // the same key twice is harmless
    // A different public key under the same name and key ID (a forged collision).
    VerifierKey other = VerifierKey.parse(NoteVectors.goNote().get("keys").get("PeterNeumann").get("vkey").asText());
    assertThat(other.keyId()).isNotEqualTo(enoch.keyId());
    assertThat(NoteVerifiers.of(enoch).find("EnochRoot", enoch.keyId())).contains(enoch);
    assertThat(NoteVerifiers.of(enoch).find("EnochRoot", other.keyId())).isEmpty();
    assertThat(NoteVerifiers.of(enoch).find("Enoch", enoch.keyId())).isEmpty();
  }

  // --- real sum.golang.org notes and transparency-dev's multi-signature note ---

  @Test
  void open_realSumGolangOrgLookupNote_verifies() throws Exception {
    JsonNode v = NoteVectors.sumdbLookup();
    VerifierKey key = VerifierKey.parse(v.get("vkey").asText());
    assertThat(key.keyId().hex()).isEqualTo("033de0ae");
    VerifiedNote n = SignedNote.open(utf8(v.get("signedTreeNote")), NoteVerifiers.of(key));
    assertThat(n.text()).startsWith(v.get("origin").asText() + "\n" + v.get("size").asLong() + "\n");
  }

  @Test
  void parse_vkeyFromTheBriefThatIsNotGosKey_rejectedForKeyIdMismatch() {
    // SOURCE.md: "...+s3Ry18zpbN+ekQ5Gp6" under key ID 033de0ae is not Go's key (its ID would be ae725a63).
    assertThatThrownBy(() -> VerifierKey.parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ry18zpbN+ekQ5Gp6"))
        .isInstanceOf(FormatException.class);
  }

  @Test
  void open_sumdbMultiSigNote_logAndEachExtraSignerVerify_randomOnesUnverified() throws Exception {
    JsonNode v = NoteVectors.formats().get("sumdbCheckpointMultiSig");
    VerifierKey log = VerifierKey.parse(v.get("logVkey").asText());
    assertThat(SignedNote.open(utf8(v.get("note")), NoteVerifiers.of(log)).verified()).hasSize(1);
    byte[] all = utf8(v.get("noteWithAllSigs"));
    for (JsonNode extra : (Iterable<JsonNode>) () -> v.get("extraVkeys").elements()) {
      VerifierKey k = VerifierKey.parse(extra.asText());
      VerifiedNote n = SignedNote.open(all, NoteVerifiers.of(k));
      assertThat(signers(n.verified())).containsExactly(k.name() + "+" + k.keyId().hex());
      assertThat(n.unverified()).hasSize(5);
    }
    List<VerifierKey> every = new ArrayList<>(List.of(log));
    for (JsonNode extra : (Iterable<JsonNode>) () -> v.get("extraVkeys").elements()) {
      every.add(VerifierKey.parse(extra.asText()));
    }
    VerifiedNote n = SignedNote.open(all, NoteVerifiers.of(every));
    assertThat(n.verified()).hasSize(4);
    assertThat(signers(n.unverified())).extracting(s -> s.substring(0, s.indexOf('+')))
        .containsExactly("random1", "random2");
  }

  @Test
  void open_sigsumRealSumdbCheckpoint_verifies() throws Exception {
    JsonNode v = NoteVectors.sigsum().get("sumdbCheckpoint");
    assertThat(SignedNote.open(utf8(v.get("note")), NoteVerifiers.of(VerifierKey.parse(v.get("vkey").asText())))
        .verified()).hasSize(1);
  }

  // --- sigsum ---

  @Test
  void open_sigsumCheckpoint_verifiesWithDerivedLogKey() throws Exception {
    JsonNode v = NoteVectors.sigsum();
    VerifierKey key = VerifierKey.parse(v.get("key17").get("logVkeyDerived").asText());
    assertThat(key.publicKey().hex()).isEqualTo(v.get("key17").get("publicKeyHex").asText());
    SignedNote.open(utf8(v.get("checkpointSigned").get("note")), NoteVerifiers.of(key));
  }

  @TestFactory
  Stream<DynamicTest> open_sigsumExtraSignatureCases_matchSigsumExceptAlienSig() throws Exception {
    JsonNode v = NoteVectors.sigsum();
    JsonNode cs = v.get("checkpointSigned");
    JsonNode lines = cs.get("extraSignatureCases");
    String note = cs.get("note").asText();
    String body = note.substring(0, note.lastIndexOf("\n\n") + 2);
    NoteVerifiers trusted = NoteVerifiers.of(VerifierKey.parse(v.get("key17").get("logVkeyDerived").asText()));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : lines.get("cases")) {
      StringBuilder sb = new StringBuilder(body);
      List<String> names = new ArrayList<>();
      c.get("lines").forEach(l -> {
        names.add(l.asText());
        sb.append(lines.get(l.asText()).asText()).append('\n');
      });
      byte[] msg = utf8(sb.toString());
      // Decision: "— example.org/log DEAD" decodes to 3 bytes, shorter than the 4-byte key ID the
      // grammar requires; sigsum-go ignores it, Go's sumdb/note and custody reject the note.
      boolean ok = c.get("ok").asBoolean() && !names.contains("alienSig");
      tests.add(dynamicTest(String.join("+", names) + (ok ? " accepted" : " rejected"), () -> {
        if (ok) {
          assertThat(SignedNote.open(msg, trusted).verified()).hasSize(1);
        } else {
          assertThatThrownBy(() -> SignedNote.open(msg, trusted)).isInstanceOf(FormatException.class);
        }
      }));
    }
    return tests.stream();
  }

  @Test
  void parse_signatureShorterThanKeyIdPlusOneByte_rejected() {
    assertThatThrownBy(() -> NoteSignature.parseLine("— example.org/log DEAD")).isInstanceOf(FormatException.class)
        .hasMessageContaining("3 bytes");
    assertThatThrownBy(() -> NoteSignature.parseLine("— example.org/log DEADBQ==")).isInstanceOf(FormatException.class)
        .hasMessageContaining("4 bytes");
  }

  // --- tessera ---

  @TestFactory
  Stream<DynamicTest> open_tesseraCheckpointFiles_verifyWithVkey() throws Exception {
    JsonNode t = NoteVectors.tessera();
    NoteVerifiers trusted = NoteVerifiers.of(VerifierKey.parse(t.get("vkey").asText()));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode s : t.get("sizes")) {
      tests.add(dynamicTest("checkpoint." + s.get("size").asInt(), () -> {
        byte[] file = NoteVectors.bytes("tessera-testdata/" + s.get("checkpointFile").asText());
        assertThat(file).isEqualTo(utf8(s.get("checkpoint")));
        VerifiedNote n = SignedNote.open(file, trusted);
        assertThat(n.note().encoded()).isEqualTo(file);
      }));
    }
    return tests.stream();
  }
}
