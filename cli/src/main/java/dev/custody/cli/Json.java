package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.attest.ledger.EntryRef;
import dev.custody.core.json.StrictJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Small JSON output helpers for the commands' {@code --json} modes. */
final class Json {
  private Json() {}

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** One compact JSON object built by {@code body}. */
  static String object(Body body) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = StrictJson.factory().createGenerator(w)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
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
