package dev.custody.core.dsse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE's pre-authentication encoding, the exact bytes a DSSE signature covers (DSSE v1.0.2,
 * protocol.md "Signature definition"):
 *
 * <pre>
 * PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
 * SP = 0x20; LEN(s) = ASCII decimal byte length of s, no leading zeros
 * </pre>
 *
 * {@code type} is UTF-8 encoded before its length is taken. Thread-safe (stateless).
 */
public final class Pae {
  /** The PAE prefix, protocol.md. */
  private static final String PREFIX = "DSSEv1";

  private Pae() {}

  /** {@code PAE(payloadType, payload)}. */
  public static byte[] encode(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes((PREFIX + " " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
