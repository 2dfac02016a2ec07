package dev.custody.core.jws;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.custody.core.FormatException;
import dev.custody.core.Bytes;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A JWS in flattened JSON serialization (RFC 7515 §7.2.2) as custody stores it:
 *
 * <pre>{"protected":"&lt;b64url header&gt;","payload":"&lt;b64url payload&gt;","signature":"&lt;b64url&gt;"}</pre>
 *
 * <p>Exactly these three members; no unprotected {@code header}. The protected header may hold
 * only {@code alg}, {@code kid} and {@code typ}: embedded keys ({@code jwk}, {@code x5c}),
 * key URLs ({@code jku}, {@code x5u}), {@code crit} and {@code b64} are rejected (DESIGN.md §5).
 * Parsing does not verify; {@link #verify} does, with a key the caller trusts.
 */
public record JwsEnvelope(String protectedB64, JWSHeader header, String payloadB64, Bytes payload, Bytes signature) {
  /** The {@code typ} of custody entries. */
  public static final String ENTRY_TYPE = "custody-entry+jws";
  /** Largest protected header accepted: it holds three short strings. */
  private static final int MAX_HEADER_BYTES = 1024;

  /**
   * Parses a flattened JWS JSON object.
   *
   * @param what names the input in errors, e.g. "segment 0, line 17"
   */
  public static JwsEnvelope parse(byte[] json, int maxBytes, String what) throws FormatException {
    if (json.length <= maxBytes) {
      String[] parts = storedForm(json);
      if (parts != null) {
        return fromParts(parts[0], parts[1], parts[2], true, what);
      }
    }
    return parseStrict(json, maxBytes, what);
  }

  /**
   * {@link #parse} of {@code json} if it is exactly the form {@link #serialize} writes (three members
   * in this order, no whitespace, base64url strings), else empty. With the decoders' canonical
   * base64url, that form is the one spelling of a stored record: a record parses here exactly when
   * {@link #serialize} of its parts gives back its bytes.
   *
   * @throws FormatException if it is in that form but its parts are not a valid custody JWS
   */
  public static Optional<JwsEnvelope> parseStored(byte[] json, int maxBytes, String what)
      throws FormatException {
    String[] parts = json.length <= maxBytes ? storedForm(json) : null;
    return parts == null ? Optional.empty()
        : Optional.of(fromParts(parts[0], parts[1], parts[2], true, what));
  }

  private static final byte[] STORED_PROTECTED = "{\"protected\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORED_PAYLOAD = "\",\"payload\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORED_SIGNATURE = "\",\"signature\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORED_END = "\"}".getBytes(StandardCharsets.US_ASCII);

  /**
   * The three members of {@code json} if it is exactly the form {@link #serialize} writes — these
   * three members in this order, no whitespace, strings of base64url characters only — else null, and
   * the strict parser decides. Every input this accepts is valid JSON that the strict parser reads as
   * the same three strings (no escapes, duplicates or other members can occur in it), so it only saves
   * building a tree for each stored entry read ({@code JwsEnvelopeTest} checks the two agree).
   */
  private static String @Nullable [] storedForm(byte[] json) {
    int h0 = literal(json, 0, STORED_PROTECTED);
    int hEnd = base64url(json, h0);
    int p0 = literal(json, hEnd, STORED_PAYLOAD);
    int pEnd = base64url(json, p0);
    int s0 = literal(json, pEnd, STORED_SIGNATURE);
    int sEnd = base64url(json, s0);
    if (literal(json, sEnd, STORED_END) != json.length) {
      return null;
    }
    return new String[] {new String(json, h0, hEnd - h0, StandardCharsets.US_ASCII),
        new String(json, p0, pEnd - p0, StandardCharsets.US_ASCII),
        new String(json, s0, sEnd - s0, StandardCharsets.US_ASCII)};
  }

  /** The index after {@code lit} if {@code json} holds it at {@code at}, else -1 (also for {@code at} of -1). */
  private static int literal(byte[] json, int at, byte[] lit) {
    if (at < 0 || json.length - at < lit.length) {
      return -1;
    }
    for (int i = 0; i < lit.length; i++) {
      if (json[at + i] != lit[i]) {
        return -1;
      }
    }
    return at + lit.length;
  }

  /** The index of the first byte at or after {@code at} outside the base64url alphabet (RFC 4648 §5). */
  private static int base64url(byte[] json, int at) {
    if (at < 0) {
      return -1;
    }
    while (at < json.length && BASE64URL[json[at] & 0xff]) {
      at++;
    }
    return at;
  }

  /** Whether each byte value is in the base64url alphabet (RFC 4648 §5): one look-up per byte of a stored entry. */
  private static final boolean[] BASE64URL = new boolean[256];

  static {
    for (int b = 0; b < 256; b++) {
      BASE64URL[b] = b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_';
    }
  }

  /** {@link #parse} through the strict JSON reader only (package-private for the test that compares the two). */
  static JwsEnvelope parseStrict(byte[] json, int maxBytes, String what) throws FormatException {
    // A JSON object begins with '{', after optional whitespace or an encoding mark (which the strict
    // parser reads or names). Anything else is rejected here without building a parser and its
    // exception: a hostile ledger of millions of junk lines costs the verifier little time per line.
    if (json.length > 0 && !mayBeginJson(json[0])) {
      throw new FormatException(what + " is not a JSON object (it begins with byte 0x"
          + String.format("%02x", json[0] & 0xff) + ")");
    }
    JsonFields f = StrictJson.parseObject(json, maxBytes, what);
    String protectedB64 = f.string("protected");
    String payloadB64 = f.string("payload");
    String signatureB64 = f.string("signature");
    f.requireNoOthers();
    return fromParts(protectedB64, payloadB64, signatureB64, true, what);
  }

  /** '{', JSON whitespace, or the first byte of a UTF-8 BOM or of UTF-16/32 text, which Jackson detects. */
  private static boolean mayBeginJson(byte b) {
    return b == '{' || b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == (byte) 0xEF || b == (byte) 0xFE
        || b == (byte) 0xFF || b == 0;
  }

  /**
   * Builds an envelope from the three parts of a JWS compact serialization (RFC 7515 §7.1),
   * {@code header.payload.signature}, with the same strict checks as {@link #parse} except that
   * {@code kid} may be absent. For interoperability and known-answer tests (RFC 7515/8037,
   * Wycheproof), whose headers carry no key id; stored entries always go through {@link #parse}.
   */
  static JwsEnvelope fromCompact(String compact, String what) throws FormatException {
    String[] parts = compact.split("\\.", -1);
    if (parts.length != 3) {
      throw new FormatException(what + ": a compact JWS has 3 '.'-separated parts, got " + parts.length);
    }
    return fromParts(parts[0], parts[1], parts[2], false, what);
  }

  /**
   * A protected header (base64url text) that {@link #parse} decoded, with the text
   * {@link #canonicalProtectedB64} gives for it. Stored entries signed by one key share one header,
   * so decoding it (base64url, the strict JSON reader, Nimbus's builder) and spelling it canonically
   * are done once per distinct text instead of once per entry. Both are functions of the text alone
   * and {@link JWSHeader} is immutable, so a header taken from here is the one decoding would give.
   * Only headers that decoded are kept (an error is raised again, naming its input, every time).
   */
  private record DecodedHeader(JWSHeader header, String canonicalB64) {}

  /** At most this many distinct headers are kept (a ledger holds one per signing key); later ones are decoded each time. */
  static final int MAX_DECODED_HEADERS = 256;
  private static final ConcurrentHashMap<String, DecodedHeader> DECODED_HEADERS = new ConcurrentHashMap<>();

  /** Forgets the decoded headers (tests compare decoding with and without them). */
  static void forgetDecodedHeaders() {
    DECODED_HEADERS.clear();
  }

  private static JwsEnvelope fromParts(String protectedB64, String payloadB64, String signatureB64,
      boolean requireKid, String what) throws FormatException {
    DecodedHeader known = requireKid ? DECODED_HEADERS.get(protectedB64) : null;
    JWSHeader header = known != null ? known.header() : decodeHeader(protectedB64, requireKid, what);
    if (known == null && requireKid && DECODED_HEADERS.size() < MAX_DECODED_HEADERS) {
      DECODED_HEADERS.putIfAbsent(protectedB64, new DecodedHeader(header, canonicalProtectedB64(header)));
    }
    byte[] payload = Base64Url.decode(payloadB64, what + ": payload");
    byte[] sig = Base64Url.decode(signatureB64, what + ": signature");
    return new JwsEnvelope(protectedB64, header, payloadB64, Bytes.copyOf(payload), Bytes.copyOf(sig));
  }

  private static JWSHeader decodeHeader(String protectedB64, boolean requireKid, String what) throws FormatException {
    byte[] headerBytes = Base64Url.decode(protectedB64, what + ": protected header");
    if (headerBytes.length > MAX_HEADER_BYTES) {
      throw new FormatException(what + ": protected header is over " + MAX_HEADER_BYTES + " bytes");
    }
    JsonFields h = StrictJson.parseObject(headerBytes, MAX_HEADER_BYTES, what + ": protected header");
    String alg = h.string("alg");
    String kid = requireKid ? h.string("kid") : h.optString("kid").orElse(null);
    Optional<String> typ = h.optString("typ");
    h.requireNoOthers();
    // The strict reader above already admitted only alg, kid and typ; build Nimbus's header from
    // them instead of letting Nimbus parse the JSON a second time (this runs for every replayed entry).
    JWSHeader header;
    try {
      JWSHeader.Builder b = new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID(kid);
      typ.ifPresent(t -> b.type(new JOSEObjectType(t)));
      header = b.build();
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + ": invalid JWS header: " + e.getMessage(), e);
    }
    return header;
  }

  /**
   * The protected header of an entry exactly as custody's signer writes it, and the only spelling a
   * verifier accepts: {@code {"alg":ALG,"kid":KID,"typ":"custody-entry+jws"}} — members in this
   * order, no whitespace, strings escaped only where JSON requires it.
   */
  public static String entryHeader(String alg, String kid) {
    return canonicalHeader(alg, kid, ENTRY_TYPE);
  }

  /**
   * The protected header (base64url) as {@link #entryHeader} would spell this envelope's members
   * ({@code kid} and {@code typ} left out when absent). A stored entry whose {@link #protectedB64()}
   * differs was re-spelled: reordered members, whitespace, a JSON escape of a character that needs
   * none (backslash, {@code u0041} for {@code A}). Since base64url is canonical ({@link Base64Url}), equal text means equal bytes.
   */
  public String canonicalProtectedB64() {
    DecodedHeader known = DECODED_HEADERS.get(protectedB64);
    return known != null && known.header() == header ? known.canonicalB64() : canonicalProtectedB64(header);
  }

  private static String canonicalProtectedB64(JWSHeader header) {
    String typ = header.getType() == null ? null : header.getType().getType();
    return Base64Url.encode(canonicalHeader(header.getAlgorithm().getName(), header.getKeyID(), typ)
        .getBytes(StandardCharsets.UTF_8));
  }

  private static String canonicalHeader(String alg, @Nullable String kid, @Nullable String typ) {
    StringBuilder sb = new StringBuilder(128).append("{\"alg\":");
    jsonString(sb, alg);
    if (kid != null) {
      jsonString(sb.append(",\"kid\":"), kid);
    }
    if (typ != null) {
      jsonString(sb.append(",\"typ\":"), typ);
    }
    return sb.append('}').toString();
  }

  /** A JSON string with Jackson's escaping, the same as every custody JSON writer. */
  private static void jsonString(StringBuilder sb, String s) {
    sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
  }

  /** The {@code kid} of the protected header (unverified until {@link #verify} returns). */
  public String keyId() {
    return header.getKeyID();
  }

  /** {@code ASCII(BASE64URL(header) || '.' || BASE64URL(payload))}, RFC 7515 §5.1. */
  public byte[] signingInput() {
    return (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Verifies the signature with {@code key}. The algorithm comes from the key; a header naming a
   * different algorithm fails before any cryptography.
   *
   * @throws SignatureException saying which check failed
   */
  public void verify(VerificationKey key) throws SignatureException {
    if (!key.algorithm().jwsAlgorithm().equals(header.getAlgorithm())) {
      throw new SignatureException("header alg " + header.getAlgorithm() + " does not match the "
          + key.algorithm().cliName() + " key " + key.keyId());
    }
    boolean ok;
    try {
      ok = key.jwsVerifier().verify(header, signingInput(), Base64URL.encode(signature.toByteArray()));
    } catch (JOSEException e) {
      throw new SignatureException("signature check failed with key " + key.keyId() + ": " + e.getMessage(), e);
    }
    if (!ok) {
      throw new SignatureException("signature does not verify with key " + key.keyId());
    }
  }

  /** Serializes parts already encoded (by a signer) into the stored form. */
  public static byte[] serialize(String protectedB64, String payloadB64, String signatureB64) {
    return ("{\"protected\":\"" + protectedB64 + "\",\"payload\":\"" + payloadB64 + "\",\"signature\":\""
        + signatureB64 + "\"}").getBytes(StandardCharsets.US_ASCII);
  }
}
