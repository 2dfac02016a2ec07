package dev.custody.verify.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a policy file (YAML or JSON) into a small tree whose every node knows its line and column,
 * so that schema errors can point at the offending value. Package-private: the schema is read by
 * {@link PolicyParser}.
 *
 * <p>Strict and bounded, before any schema is applied:
 * <ul>
 *   <li>duplicate keys are errors (Jackson {@code STRICT_DUPLICATE_DETECTION}, in YAML too);
 *   <li>exactly one document whose top level is a mapping; nothing after it;
 *   <li>YAML anchors ({@code &a}), aliases ({@code *a}) and tags ({@code !t}, {@code !!str}) are
 *       refused: aliases are how "billion laughs" documents grow, and tags ask for custom types. A
 *       policy spells every value out. (Jackson does not expand aliases, it would read {@code *a}
 *       as the string {@code a}: refusing is what keeps the meaning exact);
 *   <li>nesting deeper than {@value #MAX_DEPTH}, more than {@value #MAX_ITEMS} items in one list or
 *       mapping, more than {@value #MAX_NODES} values in all, strings over {@value #MAX_STRING}
 *       characters are errors.
 * </ul>
 */
final class PolicyDocument {
  /** Deepest nesting the schema needs is 5 (rules[].approvals.identities[]); room for JWK objects. */
  static final int MAX_DEPTH = 12;
  /** Most items in one list or mapping: identities, roles, roots. */
  static final int MAX_ITEMS = 10_000;
  /** Most values in the whole document. */
  static final int MAX_NODES = 200_000;
  /** Longest string: an inline PEM certificate chain fits easily. */
  static final int MAX_STRING = 256 * 1024;

  /** Where a value is in the file: 1-based line and column. */
  record Location(int line, int column) {
    static Location of(JsonLocation l) {
      return l == null ? new Location(0, 0) : new Location(Math.max(0, l.getLineNr()), Math.max(0, l.getColumnNr()));
    }
  }

  /** A value of the document, with its location and its path from the top (e.g. {@code identities[2].keys[0]}). */
  sealed interface Node permits MapNode, ListNode, ScalarNode {
    Location at();

    String path();

    /** What kind of value this is, for "expected X, got Y" messages. */
    String describe();
  }

  /** A mapping; members keep the file's order. */
  record MapNode(Map<String, Member> members, Location at, String path) implements Node {
    MapNode {
      members = Collections.unmodifiableMap(members);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One key of a mapping, where the key itself is written, and its value. */
  record Member(String key, Location keyAt, Node value) {}

  record ListNode(List<Node> items, Location at, String path) implements Node {
    ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar: its token says how the parser typed it (string, integer, float, true, false, null)
   * and {@code text} is exactly as written.
   */
  record ScalarNode(JsonToken token, String text, Location at, String path) implements Node {
    @Override
    public String describe() {
      return switch (token) {
        case VALUE_STRING -> "the string " + Untrusted.quote(text, 40);
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + Untrusted.escape(text);
        case VALUE_TRUE, VALUE_FALSE -> "the boolean " + Untrusted.escape(text);
        case VALUE_NULL -> "null";
        default -> "the value " + Untrusted.quote(text, 40);
      };
    }
  }

  /** Which grammar the bytes are in. */
  enum Syntax {
    YAML,
    JSON
  }

  private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
      .maxNestingDepth(MAX_DEPTH)
      .maxStringLength(MAX_STRING)
      .maxNumberLength(64)
      .build();

  private final String source;
  private final JsonParser parser;
  private int nodes;

  private PolicyDocument(String source, JsonParser parser) {
    this.source = source;
    this.parser = parser;
  }

  /**
   * Reads {@code bytes} as one policy document.
   *
   * @param source names the file in errors
   * @throws PolicyException naming line and column of the first problem
   */
  static MapNode read(byte[] bytes, String source, Syntax syntax) throws PolicyException {
    try (JsonParser p = factory(syntax, bytes.length).createParser(bytes)) {
      PolicyDocument d = new PolicyDocument(source, p);
      JsonToken first = d.next();
      if (first == null) {
        throw new PolicyException(source, 1, 1, "the file is empty; a policy starts with 'version: custody/policy/v1'");
      }
      Node root = d.value("", 0);
      if (!(root instanceof MapNode m)) {
        throw d.error(root.at(), "the top level must be a mapping of policy members (version, organisations, ...), not "
            + root.describe());
      }
      JsonToken after = d.next();
      if (after != null) {
        throw d.error(Location.of(p.currentTokenLocation()), "content after the policy document (a second YAML"
            + " document or trailing JSON); a policy file holds exactly one document");
      }
      return m;
    } catch (StreamConstraintsException e) {
      throw new PolicyException(source, line(e.getLocation()), column(e.getLocation()),
          "a size limit was exceeded (nesting depth " + MAX_DEPTH + ", string length " + MAX_STRING
              + "): " + oneLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new PolicyException(source, line(e.getLocation()), column(e.getLocation()),
          "not valid " + syntax + ": " + oneLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new PolicyException(source, 0, 0, "cannot be read: " + oneLine(e.getMessage()), e);
    }
  }

  private static JsonFactory factory(Syntax syntax, int size) {
    if (syntax == Syntax.JSON) {
      return JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(LIMITS)
          .build();
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(0);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH + 1);
    // The file was already bounded by its byte size; this is SnakeYAML's own guard, set to match.
    options.setCodePointLimit(Math.max(size, 1));
    return YAMLFactory.builder()
        .loaderOptions(options)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(LIMITS)
        .build();
  }

  private JsonToken next() throws IOException, PolicyException {
    JsonToken t = parser.nextToken();
    if (t != null && parser instanceof YAMLParser y) {
      Location at = Location.of(parser.currentTokenLocation());
      if (y.isCurrentAlias()) {
        throw error(at, "YAML aliases (*" + Untrusted.escape(parser.getText()) + ") are not allowed in a policy;"
            + " write the value out in full");
      }
      if (y.getObjectId() != null) {
        throw error(at, "YAML anchors (&" + Untrusted.escape(String.valueOf(y.getObjectId()))
            + ") are not allowed in a policy; write each value out in full");
      }
      if (y.getTypeId() != null) {
        throw error(at, "YAML tags (" + Untrusted.escape(y.getTypeId()) + ") are not allowed in a policy;"
            + " remove the tag (quote the value if it must be a string)");
      }
    }
    return t;
  }

  /** Reads the value at the current token (already consumed by {@link #next}). */
  private Node value(String path, int depth) throws IOException, PolicyException {
    if (++nodes > MAX_NODES) {
      throw error(Location.of(parser.currentTokenLocation()), "more than " + MAX_NODES + " values in the policy");
    }
    Location at = Location.of(parser.currentTokenLocation());
    JsonToken t = parser.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Member> members = new LinkedHashMap<>();
        JsonToken k;
        while ((k = next()) == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Location keyAt = Location.of(parser.currentTokenLocation());
          if (members.size() == MAX_ITEMS) {
            throw error(keyAt, "more than " + MAX_ITEMS + " members in one mapping");
          }
          next();
          Node v = value(path.isEmpty() ? key : path + "." + key, depth + 1);
          if (members.putIfAbsent(key, new Member(key, keyAt, v)) != null) {
            // Jackson's duplicate detection catches this first; kept so that the tree can never hold two.
            throw error(keyAt, "duplicate key " + Untrusted.quote(key));
          }
        }
        return new MapNode(members, at, path);
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (next() != JsonToken.END_ARRAY) {
          if (items.size() == MAX_ITEMS) {
            throw error(Location.of(parser.currentTokenLocation()), "more than " + MAX_ITEMS + " items in one list");
          }
          items.add(value(path + "[" + items.size() + "]", depth + 1));
        }
        return new ListNode(items, at, path);
      }
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
      case VALUE_NULL:
        return new ScalarNode(t, parser.getText(), at, path);
      default:
        throw error(at, "unexpected " + t + " in a policy document");
    }
  }

  private PolicyException error(Location at, String message) {
    return new PolicyException(source, at.line(), at.column(), message);
  }

  private static int line(JsonLocation l) {
    return l == null ? 0 : Math.max(0, l.getLineNr());
  }

  private static int column(JsonLocation l) {
    return l == null ? 0 : Math.max(0, l.getColumnNr());
  }

  /** Parser messages quote the input; they are escaped like any text custody did not write. */
  private static String oneLine(@Nullable String s) {
    return s == null ? "" : Untrusted.escape(s.replace('\n', ' ').replace('\r', ' '));
  }
}
