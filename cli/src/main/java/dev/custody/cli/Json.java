package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.attest.ledger.EntryRef;
import dev.custody.core.json.StrictJson;
import dev.custody.core.text.Untrusted;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON output of the commands ({@code --json}, and the payload {@code show} prints). Values are
 * exact — a reader gets back every string as it was — but no character a terminal or a viewer
 * would act on is written raw: besides what JSON itself escapes, DEL, every non-ASCII character
 * {@link Untrusted} would escape (C1 controls, bidi and other format characters, U+2028/U+2029,
 * private-use and unassigned code points) and every character outside the BMP (its surrogates are
 * judged one at a time, so it is escaped as a surrogate pair) are written as {@code \}{@code uXXXX}.
 * Jackson's default escapes only C0 controls, and U+2028/U+2029 break JavaScript that embeds JSON.
 *
 * <p>Only for output: stored formats (entries, manifests) are written by their own codecs, byte for
 * byte, and are never passed through this.
 */
final class Json {
  private Json() {}

  /** The escapes applied to every generator made here; stateless, so shared. */
  static final CharacterEscapes ESCAPES = new SafeEscapes();

  private static final class SafeEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    SafeEscapes() {
      ascii = standardAsciiEscapesForJSON();
      ascii[0x7F] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      // Called for non-ASCII characters, one UTF-16 unit at a time.
      if (Character.isSurrogate((char) ch) || Untrusted.needsEscaping(String.valueOf((char) ch))) {
        return new SerializedString(String.format("\\u%04X", ch));
      }
      return null;
    }
  }

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static JsonGenerator generator(StringWriter w) throws IOException {
    JsonGenerator g = StrictJson.factory().createGenerator(w);
    g.setCharacterEscapes(ESCAPES);
    return g;
  }

  /** One compact JSON object built by {@code body}. */
  static String object(Body body) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = generator(w)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** {@code node}, indented for people (Jackson's default pretty printer). */
  static String pretty(JsonNode node) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = generator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeTree(node);
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
