package dev.custody.core.intoto;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.FormatException;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.text.Untrusted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto Statement v1 (spec/v1/statement.md). Immutable (the predicate is copied in and out).
 *
 * <h2>Rules</h2>
 * {@code _type} is exactly {@value #TYPE}; {@code subject} is a non-empty array of valid
 * {@link ResourceDescriptor}s each with a non-empty {@code digest}; {@code predicateType} is a
 * non-empty string; {@code predicate} is a non-empty JSON object. Unknown members are ignored.
 * Two choices where the reference validators differ (vectors/in-toto/SOURCE.md): the legacy
 * {@code Statement/v0.1} type is rejected (Python's rule; Go accepts it), and a missing or empty
 * predicate is rejected (Python's rule; the spec text makes it optional). So every Statement custody
 * accepts — and every one it writes — is accepted by both reference validators.
 */
public record Statement(List<ResourceDescriptor> subjects, String predicateType, JsonNode predicate) {
  /** The Statement v1 {@code _type}. */
  public static final String TYPE = "https://in-toto.io/Statement/v1";
  /** The DSSE {@code payloadType} of an in-toto Statement (envelope.md in spec/v1). */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
  /** Largest Statement read: the DSSE payload of a large model's OMS signature. */
  public static final int MAX_BYTES = 64 << 20;
  /** Most subjects read. */
  public static final int MAX_SUBJECTS = 100_000;

  private static final ObjectMapper MAPPER = new ObjectMapper(StrictJson.factory());

  public Statement {
    subjects = List.copyOf(subjects);
    Objects.requireNonNull(predicateType, "predicateType");
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("a Statement needs at least one subject");
    }
    for (ResourceDescriptor s : subjects) {
      if (s.digest().isEmpty()) {
        throw new IllegalArgumentException("every subject needs a digest");
      }
    }
    if (predicateType.isEmpty() || predicate == null || !predicate.isObject() || predicate.isEmpty()) {
      throw new IllegalArgumentException("a Statement needs a predicate type and a non-empty predicate object");
    }
    predicate = predicate.deepCopy();
  }

  /** A copy of the predicate object. */
  @Override
  public JsonNode predicate() {
    return predicate.deepCopy();
  }

  /**
   * Parses and validates a Statement.
   *
   * @param what names it in errors, e.g. "model.sig statement"
   */
  public static Statement parse(byte[] json, String what) throws FormatException {
    return fromJson(StrictJson.parse(json, MAX_BYTES, what), what);
  }

  /** Validates a Statement tree (from {@link StrictJson}). */
  public static Statement fromJson(JsonNode node, String what) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(what + " must be a JSON object");
    }
    JsonNode type = node.get("_type");
    if (type == null || !type.isTextual() || !type.textValue().equals(TYPE)) {
      throw new FormatException(what + " _type is " + (type == null ? "absent" : Untrusted.quote(type.asText(), 80))
          + "; expected " + TYPE);
    }
    JsonNode subject = node.get("subject");
    if (subject == null || !subject.isArray() || subject.isEmpty()) {
      throw new FormatException(what + " has no subject; at least one is required");
    }
    if (subject.size() > MAX_SUBJECTS) {
      throw new FormatException(what + " has " + subject.size() + " subjects, over the limit of " + MAX_SUBJECTS);
    }
    List<ResourceDescriptor> subjects = new ArrayList<>();
    for (int i = 0; i < subject.size(); i++) {
      String at = what + " subject[" + i + "]";
      ResourceDescriptor rd = ResourceDescriptor.fromJson(subject.get(i), at);
      if (rd.digest().isEmpty()) {
        throw new FormatException(at + " has no digest; every subject needs one");
      }
      subjects.add(rd);
    }
    String predicateType = ResourceDescriptor.optionalString(node, "predicateType", what);
    if (predicateType.isEmpty()) {
      throw new FormatException(what + " has no predicateType");
    }
    JsonNode predicate = node.get("predicate");
    if (predicate == null || !predicate.isObject() || predicate.isEmpty()) {
      throw new FormatException(what + " has no predicate object (custody requires a non-empty one, as the"
          + " reference validators do)");
    }
    return new Statement(subjects, predicateType, predicate);
  }

  /** The Statement as compact UTF-8 JSON: {@code _type}, {@code subject}, {@code predicateType}, {@code predicate}. */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = StrictJson.factory().createGenerator(out, JsonEncoding.UTF8)) {
      g.setCodec(MAPPER);
      g.writeStartObject();
      g.writeStringField("_type", TYPE);
      g.writeArrayFieldStart("subject");
      for (ResourceDescriptor s : subjects) {
        g.writeStartObject();
        if (!s.name().isEmpty()) {
          g.writeStringField("name", s.name());
        }
        if (!s.uri().isEmpty()) {
          g.writeStringField("uri", s.uri());
        }
        g.writeObjectFieldStart("digest");
        for (Map.Entry<String, String> d : s.digest().entrySet()) {
          g.writeStringField(d.getKey(), d.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("predicateType", predicateType);
      g.writeFieldName("predicate");
      g.writeTree(predicate);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }
}
