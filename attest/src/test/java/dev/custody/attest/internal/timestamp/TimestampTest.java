package dev.custody.attest.internal.timestamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.CheckpointSigner;
import dev.custody.attest.Ed25519NoteSigner;
import dev.custody.core.Bytes;
import dev.custody.core.merkle.MerkleHash;
import dev.custody.core.note.SignedNote;
import dev.custody.core.timestamp.TimestampException;
import dev.custody.core.timestamp.TimestampException.Reason;
import dev.custody.core.timestamp.TimestampToken;
import dev.custody.core.timestamp.TimestampVerifier;
import dev.custody.core.timestamp.VerifiedTimestamp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** RFC 3161 end to end against a real TSA on loopback ({@link TestTsa}): client, token storage, verifier. */
class TimestampTest {
  @AutoClose
  static final TestTsa tsa = TestTsa.started();
  static final TimestampClient CLIENT = TimestampClient.create();
  static final byte[] DATA = "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".getBytes(StandardCharsets.UTF_8);


  TimestampVerifier trusting(TestTsa t) {
    return TimestampVerifier.forRoots(List.of(t.root.cert()));
  }

  @Test
  void timestamp_realTsa_verifiesWithGenTimeAndTsa() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    TimestampToken token = CLIENT.timestamp(tsa.uri(), DATA);
    VerifiedTimestamp v = trusting(tsa).verify(token, DATA);
    assertThat(v.genTime()).isBetween(before, Instant.now().plusSeconds(1));
    assertThat(v.tsaCertificate()).isEqualTo(tsa.tsa.cert());
    assertThat(v.policy()).isEqualTo(TestTsa.POLICY.getId());
    // Static convenience, and the stored bytes parse back to the same token.
    TimestampToken reread = TimestampToken.parse(token.encoded().toByteArray());
    assertThat(reread).isEqualTo(token);
    assertThat(TimestampVerifier.verify(reread, DATA, List.of(tsa.root.cert())).genTime()).isEqualTo(v.genTime());
  }

  @Test
  void timestampCheckpoint_coversNoteText_survivesAddedCosignatures() throws Exception {
    Ed25519NoteSigner logKey = Ed25519NoteSigner.fromSeed("example.com/log", Bytes.copyOf(new byte[32]));
    SignedNote cp = new CheckpointSigner("example.com/log", logKey).sign(5, MerkleHash.EMPTY_ROOT);
    TimestampToken token = CLIENT.timestampCheckpoint(tsa.uri(), cp);
    Ed25519NoteSigner w = Ed25519NoteSigner.fromSeed("w", Bytes.copyOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
        12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}));
    SignedNote cosigned = cp.addSignatures(List.of(w.cosigner(java.time.Clock.systemUTC())));
    assertThat(trusting(tsa).verifyCheckpoint(token, cosigned).genTime()).isNotNull();
    // The whole note file is not what is timestamped.
    assertReason(() -> trusting(tsa).verify(token, cp.encoded()), Reason.IMPRINT_MISMATCH);
  }

  @Test
  void sidecar_isCheckpointFileNamePlusTsr() {
    assertThat(TimestampToken.sidecar(Path.of("/l/checkpoints/00012"))).isEqualTo(Path.of("/l/checkpoints/00012.tsr"));
  }

  @Test
  void verify_wrongData_imprintMismatch() throws Exception {
    TimestampToken token = CLIENT.timestamp(tsa.uri(), DATA);
    assertReason(() -> trusting(tsa).verify(token, "other".getBytes(StandardCharsets.UTF_8)), Reason.IMPRINT_MISMATCH);
  }

  @Test
  void verify_untrustedRoot_untrustedChain() throws Exception {
    TimestampToken token = CLIENT.timestamp(tsa.uri(), DATA);
    TimestampVerifier otherRoot = TimestampVerifier.forRoots(List.of(TestTsa.root("CN=someone else").cert()));
    assertReason(() -> otherRoot.verify(token, DATA), Reason.UNTRUSTED_CHAIN);
  }

  @Test
  void verify_expiredTsaCertificate_certificateNotValid() throws Exception {
    try (TestTsa expired = TestTsa.startExpired()) {
      TimestampToken token = CLIENT.timestamp(expired.uri(), DATA);
      assertReason(() -> trusting(expired).verify(token, DATA), Reason.CERTIFICATE_NOT_VALID);
    }
  }

  @Test
  void verify_certificateWithoutTimestampingUsage_notATsaCertificate() throws Exception {
    try (TestTsa plain = TestTsa.startWithoutTimestampingUsage()) {
      TimestampToken token = CLIENT.timestamp(plain.uri(), DATA);
      assertReason(() -> trusting(plain).verify(token, DATA), Reason.NOT_A_TSA_CERTIFICATE);
    }
  }

  @Test
  void verify_tamperedSignature_badSignature() throws Exception {
    byte[] der = CLIENT.timestamp(tsa.uri(), DATA).encoded().toByteArray();
    // The ECDSA signature is the last element of the token: flip a byte inside it.
    der[der.length - 5] ^= 0x01;
    TimestampToken tampered = TimestampToken.parse(der);
    assertReason(() -> trusting(tsa).verify(tampered, DATA), Reason.BAD_SIGNATURE);
  }

  @Test
  void verify_tamperedGenTime_badSignature() throws Exception {
    TimestampToken token = CLIENT.timestamp(tsa.uri(), DATA);
    byte[] der = token.encoded().toByteArray();
    // GeneralizedTime "YYYYMMDDHHMMSS...Z" (tag 0x18, length, text): move the minute by one inside
    // the signed TSTInfo, which keeps genTime inside the TSA certificate's validity, so that only
    // the signature can fail (changing the year would fail the validity check first).
    String year = Integer.toString(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).getYear());
    int at = indexOf(der, ("\u0018").getBytes(StandardCharsets.ISO_8859_1), year.getBytes(StandardCharsets.US_ASCII));
    int minuteDigit = at + "YYYYMMDDHHM".length(); // indexOf returns where the text starts
    der[minuteDigit] = (byte) (der[minuteDigit] == '9' ? '8' : der[minuteDigit] + 1);
    TimestampToken tampered = TimestampToken.parse(der);
    assertThat(tampered.unverifiedGenTime()).isNotEqualTo(token.unverifiedGenTime());
    assertReason(() -> trusting(tsa).verify(tampered, DATA), Reason.BAD_SIGNATURE);
  }

  @Test
  void timestamp_tsaRejects_statusNotGranted() throws Exception {
    tsa.mode.set(TestTsa.Mode.REJECT);
    try {
      assertThatThrownBy(() -> CLIENT.timestamp(tsa.uri(), DATA))
          .isInstanceOfSatisfying(TimestampException.class, e -> assertThat(e.reason()).isEqualTo(Reason.STATUS_NOT_GRANTED))
          .hasMessageContaining("test TSA says no");
    } finally {
      tsa.mode.set(TestTsa.Mode.GRANT);
    }
  }

  @Test
  void timestamp_replayedResponse_nonceMismatch() throws Exception {
    tsa.mode.set(TestTsa.Mode.WRONG_NONCE);
    try {
      assertReason(() -> CLIENT.timestamp(tsa.uri(), DATA), Reason.NONCE_MISMATCH);
    } finally {
      tsa.mode.set(TestTsa.Mode.GRANT);
    }
  }

  @Test
  void timestamp_urlIsNotATsa_httpError() throws Exception {
    tsa.mode.set(TestTsa.Mode.NOT_A_TSA);
    try {
      assertReason(() -> CLIENT.timestamp(tsa.uri(), DATA), Reason.HTTP_ERROR);
    } finally {
      tsa.mode.set(TestTsa.Mode.GRANT);
    }
  }

  @Test
  void parse_garbageOrTrailingBytes_malformed() throws Exception {
    assertReason(() -> TimestampToken.parse(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}), Reason.MALFORMED);
    byte[] der = CLIENT.timestamp(tsa.uri(), DATA).encoded().toByteArray();
    byte[] trailing = java.util.Arrays.copyOf(der, der.length + 1);
    assertReason(() -> TimestampToken.parse(trailing), Reason.MALFORMED);
  }

  @Test
  void forRoots_noRoots_throws() {
    assertThatThrownBy(() -> TimestampVerifier.forRoots(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  static void assertReason(Executable call, Reason reason) {
    try {
      call.execute();
    } catch (TimestampException e) {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e.getMessage()).isNotBlank();
      return;
    } catch (Throwable t) {
      throw new AssertionError("expected TimestampException " + reason + ", got " + t, t);
    }
    throw new AssertionError("expected TimestampException " + reason + ", nothing thrown");
  }

  static int indexOf(byte[] hay, byte[] tag, byte[] needle) {
    outer:
    for (int i = 0; i + 2 + needle.length <= hay.length; i++) {
      if (hay[i] != tag[0]) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + 2 + j] != needle[j]) {
          continue outer;
        }
      }
      return i + 2;
    }
    throw new AssertionError("GeneralizedTime not found");
  }

}
