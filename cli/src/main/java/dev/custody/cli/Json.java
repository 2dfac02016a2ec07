package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Bytes;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryRef;
import dev.custody.core.internal.json.JsonOutput;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON output of the commands ({@code --json}, and the payload {@code show} prints), written with
 * {@link JsonOutput}: exact values, and no character a terminal would act on written raw. Only for
 * output: stored formats (entries, manifests) are written by their own codecs, byte for byte.
 *
 * <p><b>One encoding for hashes.</b> Every SHA-256 value a command prints in JSON — entry hashes,
 * artifact and manifest digests, Merkle leaf and tree hashes, proof hashes — is written as
 * {@code sha256:<64 lowercase hex>}, the encoding of the verification report
 * ({@code custody/report/v1}); see {@link #hash}. Key ids are 64 lowercase hex, times RFC 3339 UTC.
 */
final class Json {
  private Json() {}

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** One compact JSON object built by {@code body}. */
  static String object(Body body) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** {@code node} as compact JSON on one line. */
  static String compact(JsonNode node) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.writeTree(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** {@code node}, indented for people (Jackson's default pretty printer). */
  static String pretty(JsonNode node) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JsonOutput.generator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeTree(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** A SHA-256 value (a Merkle tree or leaf hash, a proof hash) as {@code sha256:<64 lowercase hex>}. */
  static String hash(Bytes sha256) {
    return Digest.ofSha256(sha256.toByteArray()).toString();
  }

  static void refFields(JsonGenerator g, EntryRef ref) throws IOException {
    g.writeStringField("chain", ref.chain());
    g.writeNumberField("sequence", ref.sequence());
    g.writeNumberField("logIndex", ref.logIndex());
    g.writeStringField("hash", ref.hash().toString());
  }

  /** {@code {"chain","sequence","logIndex","hash"}}. */
  static String ref(EntryRef ref) {
    return object(g -> refFields(g, ref));
  }
}
