package dev.custody.verify;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.CanonicalSignature;
import dev.custody.core.jws.JwsEnvelope;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.VerificationKey;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Test fixture: signs entries the way a custody signer does (without depending on attest) and
 * writes ledger directories. Ed25519 through Bouncy Castle's RFC 8032 code, ES256 through the JDK
 * in P1363 (R||S) form as JWS requires, normalised to low S as custody's signer does.
 */
final class TestLedgers {
  static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  static final String SEGMENT_0 = "00000000000000000000.jsonl";

  private TestLedgers() {}

  /** A signing key for tests. */
  static final class TestKey {
    private final KeyAlgorithm algorithm;
    private final byte[] ed25519Private;
    private final PrivateKey ecPrivate;
    private final VerificationKey publicKey;

    private TestKey(KeyAlgorithm algorithm, byte[] ed25519Private, PrivateKey ecPrivate, VerificationKey publicKey) {
      this.algorithm = algorithm;
      this.ed25519Private = ed25519Private;
      this.ecPrivate = ecPrivate;
      this.publicKey = publicKey;
    }

    /** A deterministic Ed25519 key derived from {@code seed}. */
    static TestKey ed25519(String seed) {
      byte[] sk = Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)).value().toByteArray();
      byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
      Ed25519.generatePublicKey(sk, 0, pk, 0);
      try {
        return new TestKey(KeyAlgorithm.ED25519, sk, null, VerificationKey.ed25519(pk));
      } catch (FormatException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The JDK's ECDSA signature over {@code message} as it comes, high S or low. */
    byte[] signAnyS(byte[] message) {
      try {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(ecPrivate);
        s.update(message);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** A fresh P-256 key. */
    static TestKey es256() {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair kp = g.generateKeyPair();
        return new TestKey(KeyAlgorithm.ES256, null, kp.getPrivate(),
            VerificationKey.fromSpki(kp.getPublic().getEncoded(), "test P-256 key"));
      } catch (GeneralSecurityException | FormatException e) {
        throw new IllegalStateException(e);
      }
    }

    VerificationKey publicKey() {
      return publicKey;
    }

    String keyId() {
      return publicKey.keyId();
    }

    String jwsAlg() {
      return algorithm.jwsAlgorithm().getName();
    }

    byte[] sign(byte[] message) {
      if (algorithm == KeyAlgorithm.ED25519) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(ed25519Private, 0, message, 0, message.length, sig, 0);
        return sig;
      }
      try {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(ecPrivate);
        s.update(message);
        // As custody's signer does: the JDK returns either S; entries carry the low one.
        return CanonicalSignature.lowS(KeyAlgorithm.ES256, s.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A payload for entry {@code sequence} of {@code chain}, signed by {@code keyId}. */
  static EntryPayload payload(String chain, long sequence, Optional<Digest> prev, String keyId, String note) {
    Event event = Event.builder(EventType.TRAINING).parameter("note", note).build();
    return new EntryPayload(chain, sequence, prev, keyId, T0.plusSeconds(sequence), event);
  }

  /** Signs {@code payload} with {@code signer}, naming {@code alg} and {@code kid} in the protected header. */
  static byte[] sign(TestKey signer, String alg, String kid, String typ, EntryPayload payload) {
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\"" + (typ == null ? "" : ",\"typ\":\"" + typ + "\"")
        + "}";
    String protectedB64 = Base64Url.encode(header.getBytes(StandardCharsets.UTF_8));
    String payloadB64 = Base64Url.encode(EntryCodec.encode(payload));
    byte[] sig = signer.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
    return JwsEnvelope.serialize(protectedB64, payloadB64, Base64Url.encode(sig));
  }

  /**
   * Signs exactly {@code headerJson} and {@code payload} (no re-encoding), as a signer that spells
   * them its own way would; returns the stored record bytes.
   */
  static byte[] signRaw(TestKey signer, String headerJson, byte[] payload) {
    String protectedB64 = Base64Url.encode(headerJson.getBytes(StandardCharsets.UTF_8));
    String payloadB64 = Base64Url.encode(payload);
    byte[] sig = signer.sign((protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII));
    return JwsEnvelope.serialize(protectedB64, payloadB64, Base64Url.encode(sig));
  }

  /** Signs {@code payload} as a custody signer does. */
  static byte[] sign(TestKey signer, EntryPayload payload) {
    return sign(signer, signer.jwsAlg(), signer.keyId(), JwsEnvelope.ENTRY_TYPE, payload);
  }

  /** Builds a well-formed log: each append extends its chain (next sequence, prev = chain head). */
  static final class Log {
    private final List<byte[]> records = new ArrayList<>();
    private final Map<String, Digest> heads = new HashMap<>();
    private final Map<String, Long> next = new HashMap<>();

    /** Appends the next entry of {@code chain} signed by {@code key}; returns its record. */
    byte[] append(String chain, TestKey key) {
      return append(chain, key, "entry " + records.size());
    }

    byte[] append(String chain, TestKey key, String note) {
      long seq = next.getOrDefault(chain, 0L);
      byte[] rec = sign(key, payload(chain, seq, Optional.ofNullable(heads.get(chain)), key.keyId(), note));
      records.add(rec);
      heads.put(chain, Digest.sha256(rec));
      next.put(chain, seq + 1);
      return rec;
    }

    /** The next sequence number and prev of {@code chain}, for hand-made entries. */
    long nextSequence(String chain) {
      return next.getOrDefault(chain, 0L);
    }

    Optional<Digest> head(String chain) {
      return Optional.ofNullable(heads.get(chain));
    }

    /** Adds a hand-made record and makes it the head of {@code chain}. */
    void add(String chain, byte[] rec) {
      records.add(rec);
      heads.put(chain, Digest.sha256(rec));
      next.merge(chain, 1L, Long::sum);
    }

    /** A mutable copy of the records so far, in log order. */
    List<byte[]> records() {
      List<byte[]> out = new ArrayList<>();
      records.forEach(r -> out.add(r.clone()));
      return out;
    }
  }

  /** Writes a ledger at {@code dir} with {@code records} as '\n'-terminated lines of one segment. */
  static Path write(Path dir, List<byte[]> records) {
    return writeSegments(dir, Map.of(SEGMENT_0, records), null);
  }

  /**
   * Writes a ledger whose segments are {@code segments} (file name to lines); {@code tornTail}, if
   * not null, is appended without a newline to the last segment.
   */
  static Path writeSegments(Path dir, Map<String, List<byte[]>> segments, byte[] tornTail) {
    try {
      Files.createDirectories(dir.resolve("segments"));
      Files.writeString(dir.resolve("ledger.json"), "{\"format\":\"custody/ledger/v1\"}");
      List<String> names = new ArrayList<>(segments.keySet());
      names.sort(null);
      for (int i = 0; i < names.size(); i++) {
        try (OutputStream out = Files.newOutputStream(dir.resolve("segments").resolve(names.get(i)))) {
          for (byte[] r : segments.get(names.get(i))) {
            out.write(r);
            out.write('\n');
          }
          if (tornTail != null && i == names.size() - 1) {
            out.write(tornTail);
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A transparency log identity for test ledgers, as {@code custody init} and the writer make it:
   * {@code log/config.json}, {@code log/vkey}, and C2SP checkpoints ({@code checkpoints/N} and
   * {@code checkpoint}) signed with a deterministic Ed25519 note key over BC's RFC 8032 code.
   */
  static final class TestLog implements dev.custody.core.note.NoteSigner {
    final String origin;
    private final byte[] seed;
    private final byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
    final dev.custody.core.note.VerifierKey vkey;

    TestLog(String origin) {
      this.origin = origin;
      this.seed = Digest.sha256(("log " + origin).getBytes(StandardCharsets.UTF_8)).value().toByteArray();
      Ed25519.generatePublicKey(seed, 0, pub, 0);
      try {
        this.vkey = dev.custody.core.note.VerifierKey.of(origin, dev.custody.core.note.SignatureType.ED25519,
            dev.custody.core.Bytes.copyOf(pub));
      } catch (FormatException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String keyName() {
      return origin;
    }

    @Override
    public dev.custody.core.note.KeyId keyId() {
      return vkey.keyId();
    }

    @Override
    public dev.custody.core.note.SignatureType type() {
      return dev.custody.core.note.SignatureType.ED25519;
    }

    @Override
    public byte[] sign(byte[] message) {
      byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
      Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, sig, 0);
      return sig;
    }

    /** Writes {@code log/config.json} and {@code log/vkey} into {@code ledger}. */
    void writeIdentity(Path ledger) {
      try {
        Files.createDirectories(ledger.resolve("log"));
        Files.write(ledger.resolve(dev.custody.core.internal.ledger.LedgerLayout.LOG_CONFIG),
            new dev.custody.core.checkpoint.LogConfig(origin, Optional.of(1000L)).toBytes());
        Files.writeString(ledger.resolve(dev.custody.core.internal.ledger.LedgerLayout.LOG_VKEY), vkey.encode() + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A signed checkpoint of the first {@code size} of {@code records}. */
    byte[] checkpoint(List<byte[]> records, int size) {
      dev.custody.core.merkle.CompactRange range = new dev.custody.core.merkle.CompactRange();
      for (byte[] r : records.subList(0, size)) {
        range.append(dev.custody.core.merkle.MerkleHash.leafHash(r));
      }
      try {
        return dev.custody.core.note.SignedNote.sign(dev.custody.core.checkpoint.Checkpoint.format(origin, size,
            range.root()), List.of(this)).encoded();
      } catch (FormatException | dev.custody.core.note.NoteSigningException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Writes {@code checkpoints/N} for every size in {@code sizes} and {@code checkpoint} as a copy of
     * the largest, as the writer does.
     */
    void writeCheckpoints(Path ledger, List<byte[]> records, int... sizes) {
      try {
        Files.createDirectories(ledger.resolve(dev.custody.core.internal.ledger.LedgerLayout.CHECKPOINTS));
        byte[] newest = null;
        for (int size : sizes) {
          newest = checkpoint(records, size);
          Files.write(ledger.resolve(dev.custody.core.internal.ledger.LedgerLayout.CHECKPOINTS).resolve(Integer.toString(size)),
              newest);
        }
        if (newest != null) {
          Files.write(ledger.resolve(dev.custody.core.internal.ledger.LedgerLayout.CHECKPOINT), newest);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
