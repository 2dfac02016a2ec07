package dev.custody.core.sigstore;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.AnyBase64;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.dsse.DsseEnvelope;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.text.Untrusted;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Sigstore bundle (sigstore_bundle.proto, JSON form with camelCase names). Immutable.
 *
 * <h2>What is read</h2>
 * <ul>
 *   <li>{@code mediaType}: one of {@link #MEDIA_TYPES} (v0.1 to v0.3, both spellings of v0.3);
 *   <li>{@code verificationMaterial}: exactly one of {@code publicKey} ({@code hint}; or, as OMS
 *       1.0.x writes it, {@code rawBytes} and {@code keyDetails}), {@code x509CertificateChain}
 *       ({@code certificates[].rawBytes}) or {@code certificate} ({@code rawBytes}, v0.3); and the
 *       counts of {@code tlogEntries} and RFC 3161 timestamps;
 *   <li>exactly one of {@code dsseEnvelope} and {@code messageSignature}.
 * </ul>
 * Other members are ignored (protobuf JSON). Nothing in a bundle is trusted: the verification
 * material only says what the signer claims; the caller brings the key or the roots.
 */
public record SigstoreBundle(String mediaType, Material material, Optional<DsseEnvelope> dsseEnvelope,
    Optional<MessageSignature> messageSignature, List<TlogEntry> tlog, int rfc3161Timestamps) {
  /** The v0.3 media type custody writes. */
  public static final String MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  /** Media types read. */
  public static final Set<String> MEDIA_TYPES = Set.of(MEDIA_TYPE_V03,
      "application/vnd.dev.sigstore.bundle+json;version=0.3",
      "application/vnd.dev.sigstore.bundle+json;version=0.2",
      "application/vnd.dev.sigstore.bundle+json;version=0.1");
  /** Largest bundle read. */
  public static final int MAX_BYTES = 16 << 20;
  /** Most certificates in a chain. */
  public static final int MAX_CERTIFICATES = 10;

  public SigstoreBundle {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(dsseEnvelope, "dsseEnvelope");
    Objects.requireNonNull(messageSignature, "messageSignature");
    if (dsseEnvelope.isPresent() == messageSignature.isPresent()) {
      throw new IllegalArgumentException("a bundle holds exactly one of a DSSE envelope and a message signature");
    }
    tlog = List.copyOf(tlog);
  }

  /**
   * {@code messageSignature}: a signature over an artifact's bytes (not a DSSE envelope).
   *
   * @param algorithm {@code messageDigest.algorithm}, e.g. {@code SHA2_256}
   * @param digest {@code messageDigest.digest}, the artifact's digest as the signer states it
   * @param signature the signature over the artifact's bytes
   */
  public record MessageSignature(String algorithm, Bytes digest, Bytes signature) {
    public MessageSignature {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(signature, "signature");
    }

    /**
     * Checks that {@code artifact} has the stated SHA-256 digest and that the signature over it
     * verifies with {@code key} (whose algorithm fixes the hash).
     *
     * @throws SignatureException naming what failed
     */
    public void verify(dev.custody.core.dsse.EnvelopeKey key, byte[] artifact) throws SignatureException {
      if (!algorithm.equals("SHA2_256") || !digest.equals(Digest.sha256(artifact).value())) {
        throw new SignatureException("the artifact's SHA-256 is not the message digest the bundle states ("
            + Untrusted.quote(algorithm, 40) + ")");
      }
      key.verify(artifact, signature.toByteArray());
    }
  }

  /** How many transparency-log entries the bundle carries. */
  public int tlogEntries() {
    return tlog.size();
  }

  /**
   * A transparency-log entry as the bundle states it — unverified: its inclusion proof and signed
   * timestamp need the log's key from Sigstore's trust root.
   *
   * @param kind {@code kindVersion.kind}, e.g. {@code dsse}, {@code hashedrekord}, {@code intoto}
   * @param version {@code kindVersion.version}
   * @param canonicalizedBody the decoded {@code canonicalizedBody} (the log's JSON entry body)
   */
  public record TlogEntry(String kind, String version, Bytes canonicalizedBody) {
    public TlogEntry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(canonicalizedBody, "canonicalizedBody");
    }
  }

  /** What the bundle says verifies it. */
  public sealed interface Material permits PublicKeyHint, Certificates {}

  /**
   * {@code publicKey}: a hint naming a key the verifier must already have.
   *
   * @param hint {@code ""} when absent
   * @param embeddedKey the {@code rawBytes} OMS 1.0.x puts there (a PEM public key), untrusted
   */
  public record PublicKeyHint(String hint, Optional<Bytes> embeddedKey) implements Material {
    public PublicKeyHint {
      Objects.requireNonNull(hint, "hint");
      Objects.requireNonNull(embeddedKey, "embeddedKey");
    }
  }

  /** {@code certificate} or {@code x509CertificateChain}: the leaf first, then its issuers as given. */
  public record Certificates(List<X509Certificate> chain) implements Material {
    public Certificates {
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("a certificate chain needs at least the leaf");
      }
    }

    public X509Certificate leaf() {
      return chain.get(0);
    }
  }

  /**
   * Checks, offline, that each transparency-log entry describes this bundle's DSSE envelope: for
   * {@code dsse/0.0.1} and {@code intoto/0.0.2} the entry's {@code payloadHash} is the SHA-256 of the
   * payload, and for {@code dsse/0.0.1} its signatures are the envelope's; for {@code hashedrekord/0.0.2}
   * (Rekor v2's encoding of DSSE) its digest is the SHA-256 of the PAE and its signature the envelope's.
   * This catches a bundle whose envelope was swapped after logging (sigstore-conformance
   * {@code dsse-mismatch-*_fail}); it does not verify that the log holds the entry (inclusion proof,
   * signed timestamp), which needs the log's key from Sigstore's trust root.
   *
   * @throws SignatureException naming the entry and what differs; also for an entry kind it cannot compare
   */
  public void requireTlogMatchesEnvelope() throws SignatureException {
    if (dsseEnvelope.isEmpty()) {
      throw new SignatureException("the bundle holds no DSSE envelope to compare with its log entries");
    }
    DsseEnvelope env = dsseEnvelope.get();
    String payloadSha256 = Digest.sha256(env.payload().toByteArray()).value().hex();
    String paeSha256 = Digest.sha256(env.pae()).value().hex();
    Set<Bytes> sigs = new HashSet<>();
    env.signatures().forEach(x -> sigs.add(x.sig()));
    for (int i = 0; i < tlog.size(); i++) {
      TlogEntry e = tlog.get(i);
      String at = "tlog entry " + i + " (" + Untrusted.quote(e.kind() + "/" + e.version(), 60) + ")";
      try {
        JsonNode spec = StrictJson.parse(e.canonicalizedBody().toByteArray(), MAX_BYTES, at + " body").path("spec");
        switch (e.kind() + "/" + e.version()) {
          case "dsse/0.0.1" -> {
            expect(at, "payloadHash", spec.path("payloadHash").path("value").asText(), payloadSha256);
            Set<Bytes> logged = new HashSet<>();
            for (JsonNode sig : spec.path("signatures")) {
              logged.add(Bytes.copyOf(AnyBase64.decode(sig.path("signature").asText(), at + " signature")));
            }
            if (!logged.equals(sigs)) {
              throw new SignatureException(at + ": the DSSE signature in the bundle is not the one logged");
            }
          }
          case "intoto/0.0.2" ->
              expect(at, "payloadHash", spec.path("content").path("payloadHash").path("value").asText(), payloadSha256);
          case "hashedrekord/0.0.2" -> {
            JsonNode v2 = spec.path("hashedRekordV002");
            byte[] digest = AnyBase64.decode(v2.path("data").path("digest").asText(), at + " digest");
            expect(at, "digest of the PAE", Bytes.copyOf(digest).hex(), paeSha256);
            Bytes logged = Bytes.copyOf(AnyBase64.decode(v2.path("signature").path("content").asText(), at + " signature"));
            if (!sigs.equals(Set.of(logged))) {
              throw new SignatureException(at + ": the DSSE signature in the bundle is not the one logged");
            }
          }
          default -> throw new SignatureException(at + ": custody cannot compare this log entry kind with the envelope");
        }
      } catch (FormatException ex) {
        throw new SignatureException(at + ": unreadable entry body: " + ex.getMessage(), ex);
      }
    }
  }

  private static void expect(String at, String field, String logged, String actual) throws SignatureException {
    if (!logged.equals(actual)) {
      throw new SignatureException(at + ": the logged " + field + " " + Untrusted.quote(logged, 80)
          + " is not the envelope's " + actual + " (the envelope does not match the log entry)");
    }
  }

  /**
   * Parses a bundle.
   *
   * @param source names it in errors, e.g. the file
   */
  public static SigstoreBundle parse(byte[] json, String source) throws FormatException {
    JsonNode root = StrictJson.parse(json, MAX_BYTES, source);
    if (!root.isObject()) {
      throw new FormatException(source + ": a Sigstore bundle must be a JSON object");
    }
    JsonNode mt = root.get("mediaType");
    if (mt == null || !mt.isTextual() || !MEDIA_TYPES.contains(mt.textValue())) {
      throw new FormatException(source + ": mediaType " + (mt == null ? "is absent" : Untrusted.quote(mt.asText(), 100))
          + "; expected a Sigstore bundle v0.1 to v0.3 (" + MEDIA_TYPE_V03 + ")");
    }
    JsonNode vm = root.get("verificationMaterial");
    if (vm == null || !vm.isObject()) {
      throw new FormatException(source + ": verificationMaterial is required");
    }
    Material material = material(vm, source + " verificationMaterial");
    List<TlogEntry> tlog = tlogEntries(vm, source + " verificationMaterial.tlogEntries");
    JsonNode tsv = vm.get("timestampVerificationData");
    int timestamps = tsv == null || tsv.isNull() ? 0 : count(tsv, "rfc3161Timestamps", source);
    JsonNode dsse = root.get("dsseEnvelope");
    JsonNode message = root.get("messageSignature");
    if ((dsse == null) == (message == null)) {
      throw new FormatException(source + ": a bundle holds exactly one of dsseEnvelope and messageSignature");
    }
    Optional<DsseEnvelope> envelope = dsse == null ? Optional.empty()
        : Optional.of(DsseEnvelope.fromJson(dsse, source + " dsseEnvelope"));
    Optional<MessageSignature> signature = message == null ? Optional.empty()
        : Optional.of(messageSignature(message, source + " messageSignature"));
    return new SigstoreBundle(mt.textValue(), material, envelope, signature, tlog, timestamps);
  }

  private static MessageSignature messageSignature(JsonNode node, String what) throws FormatException {
    if (!node.isObject()) {
      throw new FormatException(what + " must be an object");
    }
    JsonNode md = node.get("messageDigest");
    if (md == null || !md.isObject()) {
      throw new FormatException(what + ".messageDigest is required");
    }
    return new MessageSignature(text(md, "algorithm", what + ".messageDigest"),
        Bytes.copyOf(AnyBase64.decode(text(md, "digest", what + ".messageDigest"), what + ".messageDigest.digest")),
        Bytes.copyOf(AnyBase64.decode(text(node, "signature", what), what + ".signature")));
  }

  private static Material material(JsonNode vm, String what) throws FormatException {
    JsonNode pk = vm.get("publicKey");
    JsonNode chain = vm.get("x509CertificateChain");
    JsonNode cert = vm.get("certificate");
    int present = (pk == null ? 0 : 1) + (chain == null ? 0 : 1) + (cert == null ? 0 : 1);
    if (present != 1) {
      throw new FormatException(what + " holds " + present + " of publicKey, x509CertificateChain and certificate;"
          + " exactly one is required");
    }
    if (pk != null) {
      if (!pk.isObject()) {
        throw new FormatException(what + ".publicKey must be an object");
      }
      String hint = text(pk, "hint", what + ".publicKey");
      String raw = text(pk, "rawBytes", what + ".publicKey");
      Optional<Bytes> embedded = raw.isEmpty() ? Optional.empty()
          : Optional.of(Bytes.copyOf(AnyBase64.decode(raw, what + ".publicKey.rawBytes")));
      return new PublicKeyHint(hint, embedded);
    }
    List<X509Certificate> certs = new ArrayList<>();
    if (cert != null) {
      certs.add(certificate(cert, what + ".certificate"));
    } else {
      JsonNode list = chain.isObject() ? chain.get("certificates") : null;
      if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_CERTIFICATES) {
        throw new FormatException(what + ".x509CertificateChain.certificates must be an array of 1 to "
            + MAX_CERTIFICATES + " certificates");
      }
      for (int i = 0; i < list.size(); i++) {
        certs.add(certificate(list.get(i), what + ".x509CertificateChain.certificates[" + i + "]"));
      }
    }
    return new Certificates(certs);
  }

  private static X509Certificate certificate(JsonNode node, String what) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(what + " must be an object with rawBytes");
    }
    byte[] der = AnyBase64.decode(text(node, "rawBytes", what), what + ".rawBytes");
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      if (c.getEncoded().length != der.length) {
        throw new FormatException(what + " has bytes after its DER certificate");
      }
      return c;
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new FormatException(what + " is not an X.509 certificate: " + Untrusted.escape(String.valueOf(e.getMessage())), e);
    }
  }

  private static List<TlogEntry> tlogEntries(JsonNode vm, String what) throws FormatException {
    JsonNode list = vm.get("tlogEntries");
    List<TlogEntry> out = new ArrayList<>();
    if (list == null || list.isNull()) {
      return out;
    }
    if (!list.isArray() || list.size() > MAX_CERTIFICATES) {
      throw new FormatException(what + " must be an array of at most " + MAX_CERTIFICATES + " entries");
    }
    for (int i = 0; i < list.size(); i++) {
      String at = what + "[" + i + "]";
      JsonNode e = list.get(i);
      if (!e.isObject()) {
        throw new FormatException(at + " must be an object");
      }
      JsonNode kv = e.get("kindVersion");
      if (kv == null || !kv.isObject()) {
        throw new FormatException(at + ".kindVersion is required");
      }
      out.add(new TlogEntry(text(kv, "kind", at + ".kindVersion"), text(kv, "version", at + ".kindVersion"),
          Bytes.copyOf(AnyBase64.decode(text(e, "canonicalizedBody", at), at + ".canonicalizedBody"))));
    }
    return out;
  }

  private static int count(JsonNode parent, String field, String source) throws FormatException {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isArray()) {
      throw new FormatException(source + ": " + field + " must be an array");
    }
    return v.size();
  }

  private static String text(JsonNode node, String field, String what) throws FormatException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new FormatException(what + "." + field + " must be a string");
    }
    return v.textValue();
  }

  /**
   * A v0.3 bundle of {@code envelope} verified by the key named {@code hint}, with no transparency-log
   * entry and no timestamp (custody's exports are signed offline, at export time).
   */
  public static byte[] writeDsse(DsseEnvelope envelope, String hint) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = StrictJson.factory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("mediaType", MEDIA_TYPE_V03);
      g.writeObjectFieldStart("verificationMaterial");
      g.writeObjectFieldStart("publicKey");
      g.writeStringField("hint", hint);
      g.writeEndObject();
      g.writeArrayFieldStart("tlogEntries");
      g.writeEndArray();
      g.writeEndObject();
      g.writeFieldName("dsseEnvelope");
      envelope.writeJson(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }
}
