package dev.custody.core.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;

/**
 * The one way custody reads JSON: duplicate keys, trailing content, excessive nesting and oversize
 * input are errors, and numbers keep their exact decimal value, scale included ({@code 0.50} stays
 * {@code 0.50}). The integer {@code -0} is rejected: it is not the canonical form of any integer and
 * would let {@code "sequence":-0} read as 0. Errors name the JSON Pointer (RFC 6901) of the offending
 * member. Thread-safe.
 */
public final class StrictJson {
  /** Deepest nesting accepted; custody's own formats need 6, custom bodies get some room. */
  public static final int MAX_DEPTH = 32;
  /** Longest JSON string accepted: 1 MiB, the record limit. */
  public static final int MAX_STRING_LENGTH = 1 << 20;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(MAX_STRING_LENGTH)
          .maxNumberLength(100)
          .build())
      .build();

  private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      // Jackson strips trailing zeros of decimals in trees by default, which changes a metric's scale.
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  private StrictJson() {}

  /** The configured factory, for streaming writers. */
  public static JsonFactory factory() {
    return FACTORY;
  }

  /**
   * Parses exactly one JSON value.
   *
   * @param what names the input in error messages, e.g. "entry 12 payload"
   * @param maxBytes the size limit for this input
   * @throws FormatException naming {@code what}, the line/column and the problem
   */
  public static JsonNode parse(byte[] json, int maxBytes, String what) throws FormatException {
    if (json.length > maxBytes) {
      throw new FormatException(what + " is " + json.length + " bytes, over the limit of " + maxBytes);
    }
    try (JsonParser p = new NoNegativeZero(FACTORY.createParser(json))) {
      JsonNode node;
      try {
        node = MAPPER.readTree(p);
      } catch (StreamConstraintsException e) {
        throw new FormatException(what + " exceeds a JSON limit (nesting depth " + MAX_DEPTH
            + ", string length " + MAX_STRING_LENGTH + ") at " + location(p) + ": " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new FormatException(what + " is not valid JSON at " + location(p) + ": " + detail(e), e);
      } catch (NumberFormatException e) {
        // Jackson parses a decimal when the tree is built; an exponent beyond an int is not an error
        // of the grammar it reports as one.
        throw new FormatException(what + " has a number out of range at " + location(p) + ": "
            + Untrusted.escape(String.valueOf(e.getMessage())), e);
      }
      if (node == null || node.isMissingNode()) {
        throw new FormatException(what + " is empty (expected a JSON value)");
      }
      return node;
    } catch (IOException e) {
      throw new FormatException(what + " cannot be read: " + detail(e), e);
    }
  }

  /** Where the parser stopped, as a JSON Pointer, so errors name the member (e.g. {@code /event/body/a}). */
  private static String location(JsonParser p) {
    com.fasterxml.jackson.core.JsonStreamContext ctx = p.getParsingContext();
    if (ctx.inRoot() && ctx.getCurrentIndex() > 0) {
      return "trailing content after the JSON value";
    }
    String pointer = ctx.pathAsPointer().toString();
    // Member names are the input's own text: quoted, so that a hostile name cannot pass as ours.
    return pointer.isEmpty() ? "the top level" : Untrusted.quote(pointer);
  }

  /** Rejects the integer {@code -0}, which Jackson would read as {@code 0}. */
  private static final class NoNegativeZero extends JsonParserDelegate {
    NoNegativeZero(JsonParser p) {
      super(p);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = super.nextToken();
      if (t == JsonToken.VALUE_NUMBER_INT && getTextLength() == 2 && "-0".equals(getText())) {
        throw new JsonParseException(this, "negative zero (-0) is not a valid integer here");
      }
      return t;
    }
  }

  /**
   * The parser's own words without its location (given above as a JSON Pointer), escaped: they
   * repeat input text (an unrecognized token), which may hold control or bidi characters.
   */
  private static String detail(IOException e) {
    String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return Untrusted.escape(m == null ? e.getClass().getSimpleName() : m);
  }

  /**
   * Requires that every member name and string value in {@code node} is well-formed Unicode. JSON
   * escapes can spell a lone surrogate ({@code "\\uD800"}), which is no character: UTF-8 cannot
   * hold it, so text meant to be signed would not survive as given. For input custody is about to
   * sign; reading what was signed does not need it.
   *
   * @throws FormatException naming {@code what} and the JSON Pointer of the string
   */
  public static void requireWellFormedText(JsonNode node, String what) throws FormatException {
    requireWellFormedText(node, "", what);
  }

  private static void requireWellFormedText(JsonNode node, String pointer, String what) throws FormatException {
    if (node.isTextual()) {
      requireNoLoneSurrogate(node.textValue(), pointer, what);
    } else if (node.isObject()) {
      for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        java.util.Map.Entry<String, JsonNode> e = it.next();
        String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        requireNoLoneSurrogate(e.getKey(), child + " (the member name)", what);
        requireWellFormedText(e.getValue(), child, what);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        requireWellFormedText(node.get(i), pointer + "/" + i, what);
      }
    }
  }

  private static void requireNoLoneSurrogate(String s, String pointer, String what) throws FormatException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new FormatException(what + ": the string at " + Untrusted.quote(pointer.isEmpty() ? "/" : pointer)
            + String.format(" holds a lone surrogate \\u%04X (character %d), which is not text; write the character"
            + " itself", (int) c, i));
      }
    }
  }

  /** Parses a JSON object no larger than {@link #MAX_STRING_LENGTH} bytes and returns its tree. */
  public static JsonNode parseObjectNode(byte[] json, String what) throws FormatException {
    JsonNode n = parse(json, MAX_STRING_LENGTH, what);
    if (!n.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
    return n;
  }

  /** Parses a JSON value that must be an object. */
  public static JsonFields parseObject(byte[] json, int maxBytes, String what) throws FormatException {
    return JsonFields.of(parse(json, maxBytes, what), what);
  }
}
