package dev.custody.bench.micro;

import dev.custody.attest.SigningKey;
import dev.custody.attest.EntrySigner;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Base64Url;
import dev.custody.core.jws.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-entry costs behind the two scale targets, one operation each: signing and verifying an
 * entry through the project's code against the bare primitives (Bouncy Castle's RFC 8032 code and
 * the JDK provider), plus the parse and encode steps that surround them. Compare with
 * {@code openssl speed ed25519}. Run: {@code java -cp bench/target/custody-bench.jar
 * org.openjdk.jmh.Main EntryCryptoBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EntryCryptoBench {
  private SigningKey key;
  private EntryPayload payload;
  private byte[] record;
  private EntryRecord parsed;
  private byte[] signingInput;
  private byte[] bcSignature;
  private byte[] bcSeed;
  private byte[] bcPublic;
  private Ed25519.PublicPoint bcPoint;
  private KeyPair jdkKeys;
  private byte[] jdkSignature;

  @Setup
  public void setup() throws Exception {
    key = SigningKey.generate(KeyAlgorithm.ED25519);
    byte[] d = new byte[32];
    Event event = Event.builder(EventType.TRAINING)
        .input(ArtifactRef.of("train-data", ArtifactKind.DATASET, Digest.ofSha256(d)))
        .input(ArtifactRef.of("base-model", ArtifactKind.MODEL, Digest.ofSha256(d)))
        .output(ArtifactRef.of("model", ArtifactKind.MODEL, Digest.ofSha256(d)))
        .parameter("learning-rate", "3e-4").parameter("epochs", "3").parameter("seed", "42")
        .environment("accelerator", "8xH100").build();
    payload = new EntryPayload("acme/model", 7, Optional.of(Digest.ofSha256(d)), key.keyId(),
        Instant.parse("2025-01-01T00:00:00Z"), event);
    record = EntrySigner.sign(payload, key);
    parsed = EntryRecord.parse(record, "bench");
    // The JWS signing input, "<protected>.<payload>" as EntrySigner builds it, for the raw primitives.
    String header = "{\"alg\":\"EdDSA\",\"kid\":\"" + key.keyId() + "\",\"typ\":\"custody-entry+jws\"}";
    signingInput = (Base64Url.encode(header.getBytes(StandardCharsets.US_ASCII)) + "."
        + Base64Url.encode(EntryCodec.encode(payload))).getBytes(StandardCharsets.US_ASCII);
    bcSeed = new byte[Ed25519.SECRET_KEY_SIZE];
    new java.security.SecureRandom().nextBytes(bcSeed);
    bcPublic = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(bcSeed, 0, bcPublic, 0);
    bcPoint = Ed25519.validatePublicKeyPartialExport(bcPublic, 0);
    bcSignature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(bcSeed, 0, bcPublic, 0, signingInput, 0, signingInput.length, bcSignature, 0);
    jdkKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkKeys.getPrivate());
    s.update(signingInput);
    jdkSignature = s.sign();
  }

  /** What the committer does per append before writing: encode, sign, serialize. */
  @Benchmark
  public byte[] entrySign() throws Exception {
    return EntrySigner.sign(payload, key);
  }

  /** The store's re-parse of each record it is handed (FileLogStore.checkRecord). */
  @Benchmark
  public Object entryParseWithPayload() throws Exception {
    return EntryRecord.parse(record, "bench").payload("bench");
  }

  /** Envelope parse only (includes the SHA-256 entry hash). */
  @Benchmark
  public Object entryParse() throws Exception {
    return EntryRecord.parse(record, "bench");
  }

  /** Signature check through the project's verifier, on an already parsed record. */
  @Benchmark
  public void entryVerifySignature() throws Exception {
    parsed.verifySignature(key.publicKey());
  }

  /** Per-record work of a replay worker: parse, verify, then parse the payload. */
  @Benchmark
  public Object entryReplayCheck() throws Exception {
    EntryRecord rec = EntryRecord.parse(record, "bench");
    rec.verifySignature(key.publicKey());
    return rec.payload("bench");
  }

  @Benchmark
  public byte[] bcSign() {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(bcSeed, 0, bcPublic, 0, signingInput, 0, signingInput.length, sig, 0);
    return sig;
  }

  @Benchmark
  public boolean bcVerify() {
    return Ed25519.verify(bcSignature, 0, bcPoint, signingInput, 0, signingInput.length);
  }

  @Benchmark
  public byte[] jdkSign() throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkKeys.getPrivate());
    s.update(signingInput);
    return s.sign();
  }

  @Benchmark
  public boolean jdkVerify() throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(jdkKeys.getPublic());
    s.update(signingInput);
    return s.verify(jdkSignature);
  }
}
