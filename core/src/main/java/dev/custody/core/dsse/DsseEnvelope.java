package dev.custody.core.dsse;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.AnyBase64;
import dev.custody.core.Bytes;
import dev.custody.core.internal.text.StrictBase64;
import dev.custody.core.jws.SignatureException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A DSSE envelope (envelope.md, JSON form): {@code payloadType}, {@code payload} and
 * {@code signatures}, each {@code {"keyid"?, "sig"}}. Immutable and thread-safe.
 *
 * <h2>Reading (envelope.md rules)</h2>
 * {@code payload}, {@code payloadType}, {@code signatures} and each {@code sig} are required (they
 * may be empty); {@code keyid} may be absent, {@code null} or a string; unknown members are ignored;
 * {@code payload} and {@code sig} are accepted in standard and URL-safe base64, padded or not. The
 * base64 spelling is not signed (the signature covers {@link Pae} of the decoded bytes), so this
 * leniency cannot change what is verified.
 *
 * <h2>Verifying</h2>
 * {@link #verifyOne} returns the payload bytes it verified; callers parse those, never the
 * envelope again (protocol.md).
 */
public record DsseEnvelope(String payloadType, Bytes payload, List<DsseSignature> signatures) {
  /** Most signatures read from one envelope. */
  public static final int MAX_SIGNATURES = 16;

  public DsseEnvelope {
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(payload, "payload");
    signatures = List.copyOf(signatures);
  }

  /**
   * Reads an envelope object from a tree parsed by {@link dev.custody.core.internal.json.StrictJson}.
   *
   * @param what names the envelope in errors, e.g. "model.sig dsseEnvelope"
   */
  public static DsseEnvelope fromJson(JsonNode node, String what) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
    String type = requiredString(node, "payloadType", what);
    byte[] payload = AnyBase64.decode(requiredString(node, "payload", what), what + ".payload");
    JsonNode sigs = node.get("signatures");
    if (sigs == null || !sigs.isArray()) {
      throw new FormatException(what + ".signatures is required and must be an array");
    }
    if (sigs.size() > MAX_SIGNATURES) {
      throw new FormatException(what + " has " + sigs.size() + " signatures, over the limit of " + MAX_SIGNATURES);
    }
    List<DsseSignature> out = new ArrayList<>();
    for (int i = 0; i < sigs.size(); i++) {
      String at = what + ".signatures[" + i + "]";
      JsonNode s = sigs.get(i);
      if (!s.isObject()) {
        throw new FormatException(at + " must be a JSON object");
      }
      byte[] sig = AnyBase64.decode(requiredString(s, "sig", at), at + ".sig");
      JsonNode keyId = s.get("keyid");
      String id;
      if (keyId == null || keyId.isNull()) {
        id = "";
      } else if (keyId.isTextual()) {
        id = keyId.textValue();
      } else {
        throw new FormatException(at + ".keyid must be a string");
      }
      out.add(new DsseSignature(id, Bytes.copyOf(sig)));
    }
    return new DsseEnvelope(type, Bytes.copyOf(payload), out);
  }

  /** {@link Pae} of this envelope: the bytes each signature covers. */
  public byte[] pae() {
    return Pae.encode(payloadType, payload.toByteArray());
  }

  /**
   * Checks that the envelope has exactly one signature (what a Sigstore bundle requires) and that it
   * verifies with {@code key}, and returns the payload it covers.
   *
   * @throws SignatureException naming the key if there is not exactly one signature or it does not verify
   */
  public Bytes verifyOne(EnvelopeKey key) throws SignatureException {
    if (signatures.size() != 1) {
      throw new SignatureException("the DSSE envelope has " + signatures.size()
          + " signatures; exactly one is required (Sigstore bundle rule)");
    }
    try {
      key.verify(pae(), signatures.get(0).sig().toByteArray());
    } catch (SignatureException e) {
      throw new SignatureException("the DSSE signature over payload type " + Untrusted.quote(payloadType, 120)
          + " does not verify: " + e.getMessage(), e);
    }
    return payload;
  }

  /** Writes the envelope (standard padded base64, {@code keyid} only when non-empty). */
  public void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("payload", StrictBase64.encode(payload.toByteArray()));
    g.writeStringField("payloadType", payloadType);
    g.writeArrayFieldStart("signatures");
    for (DsseSignature s : signatures) {
      g.writeStartObject();
      if (!s.keyId().isEmpty()) {
        g.writeStringField("keyid", s.keyId());
      }
      g.writeStringField("sig", StrictBase64.encode(s.sig().toByteArray()));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static String requiredString(JsonNode node, String name, String what) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual()) {
      throw new FormatException(what + "." + name + " is required and must be a string");
    }
    return v.textValue();
  }
}
