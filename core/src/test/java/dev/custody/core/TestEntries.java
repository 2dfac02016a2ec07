package dev.custody.core;

import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Test fixtures: a fixed Ed25519 key (the RFC 8037 A.1 private key, so signatures are
 * reproducible) and a signer that produces stored entry records the way a custody signer does.
 */
public final class TestEntries {
  /** RFC 8037 A.1 private key d. */
  private static final byte[] SEED = Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
  public static final Instant TIME = Instant.parse("2026-11-28T12:00:00Z");
  public static final Digest DIGEST_A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
  public static final Digest DIGEST_B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));

  private TestEntries() {}

  private static byte[] Base64UrlDecode(String s) {
    return java.util.Base64.getUrlDecoder().decode(s);
  }

  public static byte[] publicKeyRaw() {
    byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(SEED, 0, pk, 0);
    return pk;
  }

  public static VerificationKey key() {
    try {
      return VerificationKey.ed25519(publicKeyRaw());
    } catch (FormatException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(SEED, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** A protected header JSON for an entry signed with {@link #key()}. */
  public static String header() {
    return "{\"alg\":\"EdDSA\",\"kid\":\"" + key().keyId() + "\",\"typ\":\"" + JwsEnvelope.ENTRY_TYPE + "\"}";
  }

  /** Signs {@code payload} under {@code headerJson} and returns the stored record bytes. */
  public static byte[] record(String headerJson, byte[] payload) {
    String h = Base64Url.encode(headerJson.getBytes(StandardCharsets.UTF_8));
    String p = Base64Url.encode(payload);
    String s = Base64Url.encode(sign((h + "." + p).getBytes(StandardCharsets.US_ASCII)));
    return JwsEnvelope.serialize(h, p, s);
  }

  /** A signed record of a simple training entry at {@code sequence}. */
  public static byte[] record(long sequence) {
    return record(header(), EntryCodec.encode(payload(sequence)));
  }

  public static EntryPayload payload(long sequence) {
    Event e = Event.builder(EventType.TRAINING)
        .input(ArtifactRef.of("base", ArtifactKind.MODEL, DIGEST_A))
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, DIGEST_B))
        .build();
    return new EntryPayload("acme/falcon-7b", sequence, sequence == 0 ? Optional.empty() : Optional.of(DIGEST_A),
        key().keyId(), TIME, e);
  }

  /** RFC 8032 §5.1: the order L of the Ed25519 base point. */
  public static final java.math.BigInteger ED25519_L = java.math.BigInteger.ONE.shiftLeft(252)
      .add(new java.math.BigInteger("27742317777372353535851937790883648493"));

  /** The Ed25519 signature with its little-endian S replaced by S + L. */
  public static byte[] ed25519SPlusL(byte[] sig) {
    byte[] le = java.util.Arrays.copyOfRange(sig, 32, 64);
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = le[31 - i];
    }
    java.math.BigInteger s = new java.math.BigInteger(1, be).add(ED25519_L);
    byte[] raw = s.toByteArray();
    byte[] fixed = new byte[32];
    System.arraycopy(raw, Math.max(0, raw.length - 32), fixed, 32 - Math.min(32, raw.length), Math.min(32, raw.length));
    byte[] out = sig.clone();
    for (int i = 0; i < 32; i++) {
      out[32 + i] = fixed[31 - i];
    }
    return out;
  }
}
