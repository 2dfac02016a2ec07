package dev.custody.core.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.Writer;
import org.jspecify.annotations.Nullable;

/**
 * JSON written for people and programs to read — command output, reports — as opposed to stored
 * formats, which their codecs write byte for byte. Values stay exact (a reader gets every string
 * back as it was), but no character a terminal or viewer would act on is written raw: besides what
 * JSON itself escapes, DEL and every non-ASCII character {@link Untrusted} would escape (C1 controls,
 * bidi and other format characters, U+2028/U+2029, private-use and unassigned code points) are
 * written as {@code \}{@code uXXXX}, and so is every character outside the BMP (the escapes see one
 * UTF-16 unit at a time, so it becomes a surrogate pair of escapes). Jackson by default escapes only
 * C0 controls, and a raw U+2028/U+2029 ends a line in JavaScript that embeds the JSON.
 */
public final class JsonOutput {
  private JsonOutput() {}

  private static final CharacterEscapes ESCAPES = new SafeEscapes();

  /** A generator over {@code w} with {@link StrictJson}'s factory and the escapes above. */
  public static JsonGenerator generator(Writer w) throws IOException {
    JsonGenerator g = StrictJson.factory().createGenerator(w);
    g.setCharacterEscapes(ESCAPES);
    return g;
  }

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
    public @Nullable SerializableString getEscapeSequence(int ch) {
      // Called for non-ASCII characters, one UTF-16 unit at a time.
      if (Character.isSurrogate((char) ch) || Untrusted.needsEscaping(String.valueOf((char) ch))) {
        return new SerializedString(String.format("\\u%04X", ch));
      }
      return null; // no escape: Jackson writes the character as it is
    }
  }
}
