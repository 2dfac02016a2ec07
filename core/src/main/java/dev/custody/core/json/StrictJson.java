package dev.custody.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.custody.core.FormatException;
import java.io.IOException;

/**
 * The one way custody reads JSON: duplicate keys, trailing content, excessive nesting and oversize
 * input are errors, and numbers keep their exact decimal value. Thread-safe.
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
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonNode node = MAPPER.readTree(p);
      if (node == null || node.isMissingNode()) {
        throw new FormatException(what + " is empty (expected a JSON value)");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new FormatException(what + " exceeds a JSON limit (nesting depth " + MAX_DEPTH
          + ", string length " + MAX_STRING_LENGTH + "): " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new FormatException(what + " is not valid JSON: " + oneLine(e.getMessage()), e);
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
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
