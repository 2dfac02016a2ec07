package dev.custody.core.entry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.core.internal.json.StrictJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The fast path of {@link EntryRecord#payload}: decodes payload bytes in one pass of Jackson's
 * streaming parser (no tree, no re-encoding) and accepts them only if they are exactly the bytes
 * {@link EntryCodec#encode} writes for the payload read. For anything else — another spelling of the
 * same payload, an invalid one, or a kind it does not cover (comparison, custom kinds) — it gives
 * up, and the caller takes the strict path ({@link EntryCodec#decode}, then {@link EntryCodec#encode}
 * and a byte comparison), which stays the reference and says what is wrong. So this class never
 * rejects anything and never explains anything: it can only be faster at accepting.
 *
 * <p>Why "accepted" means "the bytes encode writes for this value", member by member:
 * <ul>
 *   <li>members are read in exactly the order encode writes them, each at most once, and an optional
 *       one only where encode writes it (a collection only when non-empty, an optional only when
 *       present);
 *   <li>map keys must be strictly increasing ({@link String#compareTo}): the order of encode's sorted
 *       maps, which also rules out duplicate keys;
 *   <li>each number's text is encode's text of the value read ({@link Long#toString}, {@link
 *       Integer#toString}, {@link BigDecimal#toString}); each time's fraction has the 0, 3, 6 or 9
 *       digits {@link Instant#toString} writes;
 *   <li>no string holds a character encode escapes (a control character, {@code "} or {@code \}) or a
 *       surrogate (Jackson writes a character beyond the Basic Multilingual Plane as two
 *       {@code \\uXXXX} escapes), so encode writes each string as its UTF-8 bytes, its shortest spelling;
 *   <li>and the input is exactly as long as encode's output, counted while reading: every other
 *       spelling of the same tokens (whitespace, a byte-order mark, an escape, a longer UTF-8 form,
 *       trailing content) is longer.
 * </ul>
 * The values are built by the same validating constructors as the strict decoder's, so a value
 * they refuse also falls back. {@code CanonicalPayloadDecoderTest} checks all of this against the
 * strict path (property test and a corpus of intact, altered, truncated and re-spelled payloads).
 *
 * <p>Stateless apart from one parse; a new instance per payload. Thread-safe as a whole.
 */
final class CanonicalPayloadDecoder {
  private final JsonParser p;
  /** Bytes {@link EntryCodec#encode} writes for what has been read so far. */
  private long length;

  /** Leaves the fast path; never escapes this class (no stack trace: it is cheap to throw). */
  private static final class NotCanonical extends Exception {
    private static final long serialVersionUID = 1L;

    NotCanonical() {
      super(null, null, false, false);
    }
  }

  private CanonicalPayloadDecoder(JsonParser p) {
    this.p = p;
  }

  /**
   * The payload {@code json} holds, if {@code json} is exactly its canonical encoding and of a kind
   * this decoder covers; empty otherwise (then the strict path decides).
   */
  static Optional<EntryPayload> decode(byte[] json) {
    if (json.length > EntryRecord.MAX_RECORD_BYTES) {
      return Optional.empty();
    }
    try (JsonParser parser = StrictJson.factory().createParser(json)) {
      CanonicalPayloadDecoder d = new CanonicalPayloadDecoder(parser);
      EntryPayload payload = d.payload();
      if (parser.nextToken() != null || d.length != json.length) {
        return Optional.empty();
      }
      return Optional.of(payload);
    } catch (NotCanonical | IOException | FormatException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private EntryPayload payload() throws IOException, NotCanonical, FormatException {
    start(JsonToken.START_OBJECT);
    int i = 0;
    require(next(i++), "format");
    if (!EntryCodec.FORMAT.equals(string())) {
      throw new NotCanonical();
    }
    require(next(i++), "chain");
    String chain = string();
    require(next(i++), "sequence");
    long sequence = unsigned();
    String n = next(i++);
    Optional<Digest> prev = Optional.empty();
    if ("prev".equals(n)) {
      prev = Optional.of(digest());
      n = next(i++);
    }
    require(n, "keyId");
    String keyId = string();
    require(next(i++), "time");
    Instant time = time();
    require(next(i++), "event");
    Event event = event();
    require(next(i), null);
    return new EntryPayload(chain, sequence, prev, keyId, time, event);
  }

  private Event event() throws IOException, NotCanonical, FormatException {
    start(JsonToken.START_OBJECT);
    int i = 0;
    require(next(i++), "type");
    EventType type = EventType.of(string());
    if (!type.isBuiltIn() || type.equals(EventType.COMPARISON)) {
      throw new NotCanonical(); // custom bodies and comparisons are rare: the strict path reads them
    }
    Event.Builder b = Event.builder(type);
    String n = next(i++);
    if ("inputs".equals(n)) {
      artifacts().forEach(b::input);
      n = next(i++);
    }
    if ("outputs".equals(n)) {
      artifacts().forEach(b::output);
      n = next(i++);
    }
    if ("parameters".equals(n)) {
      stringMap().forEach(b::parameter);
      n = next(i++);
    }
    if ("environment".equals(n)) {
      stringMap().forEach(b::environment);
      n = next(i++);
    }
    // A signed event keeps its times even when finishedAt is before startedAt (a verifier reports
    // that); the builder refuses such times, and then the strict path decodes the entry.
    if ("startedAt".equals(n)) {
      b.startedAt(time());
      n = next(i++);
    }
    if ("finishedAt".equals(n)) {
      b.finishedAt(time());
      n = next(i++);
    }
    if ("invocation".equals(n)) {
      b.invocation(invocation());
      n = next(i++);
    }
    switch (type.name()) {
      case "evaluation" -> {
        if ("metrics".equals(n)) {
          b.details(new EventDetails.Evaluation(decimalMap()));
          n = next(i++);
        }
      }
      case "conversion", "merge" -> {
        if ("method".equals(n)) {
          b.details(new EventDetails.Method(Optional.of(string())));
          n = next(i++);
        }
      }
      case "release" -> {
        require(n, "version");
        b.details(new EventDetails.Release(string()));
        n = next(i++);
      }
      case "custody-transfer" -> {
        require(n, "from");
        String from = string();
        require(next(i++), "to");
        b.details(new EventDetails.Transfer(from, string()));
        n = next(i++);
      }
      case "approval", "revocation" -> {
        require(n, "subject");
        Digest subject = digest();
        require(next(i++), "decision");
        String decision = string();
        Optional<String> reason = Optional.empty();
        n = next(i++);
        if ("reason".equals(n)) {
          reason = Optional.of(string());
          n = next(i++);
        }
        b.details(new EventDetails.Decision(subject, decision, reason));
      }
      case "annotation" -> {
        require(n, "text");
        b.details(new EventDetails.Annotation(string()));
        n = next(i++);
      }
      default -> {
        // the other built-in kinds have no details of their own
      }
    }
    require(n, null);
    return b.build();
  }

  private Invocation invocation() throws IOException, NotCanonical {
    start(JsonToken.START_OBJECT);
    require(next(0), "command");
    start(JsonToken.START_ARRAY);
    List<String> command = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_STRING) {
        throw new NotCanonical();
      }
      length += command.isEmpty() ? 0 : 1;
      command.add(stringValue());
    }
    length += 1;
    require(next(1), "exitCode");
    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new NotCanonical();
    }
    int exitCode = p.getIntValue();
    number(Integer.toString(exitCode));
    require(next(2), "workingDirectory");
    String dir = string();
    require(next(3), null);
    return new Invocation(command, exitCode, dir);
  }

  private List<ArtifactRef> artifacts() throws IOException, NotCanonical, FormatException {
    start(JsonToken.START_ARRAY);
    List<ArtifactRef> refs = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        throw new NotCanonical();
      }
      length += refs.isEmpty() ? 1 : 2; // the separator and the '{'
      refs.add(artifact());
    }
    if (refs.isEmpty()) {
      throw new NotCanonical(); // encode omits an empty list
    }
    length += 1;
    return refs;
  }

  /** An artifact whose '{' has been read. */
  private ArtifactRef artifact() throws IOException, NotCanonical {
    int i = 0;
    require(next(i++), "name");
    String name = string();
    require(next(i++), "kind");
    String kindText = string();
    ArtifactKind kind = ArtifactKind.fromJson(kindText);
    require(next(i++), "digest");
    Digest digest = digest();
    String n = next(i++);
    Optional<String> uri = Optional.empty();
    if ("uri".equals(n)) {
      uri = Optional.of(string());
      n = next(i++);
    }
    Optional<String> mediaType = Optional.empty();
    if ("mediaType".equals(n)) {
      mediaType = Optional.of(string());
      n = next(i++);
    }
    SortedMap<String, String> annotations = new TreeMap<>();
    if ("annotations".equals(n)) {
      annotations = stringMap();
      n = next(i);
    }
    require(n, null);
    return new ArtifactRef(name, kind, digest, uri, mediaType, annotations);
  }

  /** A non-empty object of strings, keys in encode's (sorted) order. */
  private SortedMap<String, String> stringMap() throws IOException, NotCanonical {
    start(JsonToken.START_OBJECT);
    SortedMap<String, String> map = new TreeMap<>();
    String last = null;
    for (String key = next(0); key != null; key = next(map.size())) {
      if (last != null && last.compareTo(key) >= 0) {
        throw new NotCanonical();
      }
      map.put(key, string());
      last = key;
    }
    if (map.isEmpty()) {
      throw new NotCanonical();
    }
    return map;
  }

  /** A non-empty object of numbers read as exact decimals, keys in encode's (sorted) order. */
  private SortedMap<String, BigDecimal> decimalMap() throws IOException, NotCanonical {
    start(JsonToken.START_OBJECT);
    SortedMap<String, BigDecimal> map = new TreeMap<>();
    String last = null;
    for (String key = next(0); key != null; key = next(map.size())) {
      if (last != null && last.compareTo(key) >= 0) {
        throw new NotCanonical();
      }
      JsonToken t = p.nextToken();
      if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new NotCanonical();
      }
      BigDecimal value = p.getDecimalValue();
      number(value.toString());
      map.put(key, value);
      last = key;
    }
    if (map.isEmpty()) {
      throw new NotCanonical();
    }
    return map;
  }

  /** Reads the token that opens an object or array. */
  private void start(JsonToken token) throws IOException, NotCanonical {
    if (p.nextToken() != token) {
      throw new NotCanonical();
    }
    length += 1;
  }

  /**
   * The next member's name, counted with the separator before it (when {@code index > 0}), or null at
   * the end of the object (its '}' counted).
   */
  private @Nullable String next(int index) throws IOException, NotCanonical {
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_OBJECT) {
      length += 1;
      return null;
    }
    if (t != JsonToken.FIELD_NAME) {
      throw new NotCanonical();
    }
    String name = p.currentName();
    length += (index > 0 ? 1 : 0) + utf8Length(name) + 3; // "name":
    return name;
  }

  /** Requires the member name read to be {@code expected} (null: the end of the object). */
  private static void require(@Nullable String name, @Nullable String expected) throws NotCanonical {
    if (expected == null ? name != null : !expected.equals(name)) {
      throw new NotCanonical();
    }
  }

  private String string() throws IOException, NotCanonical {
    if (p.nextToken() != JsonToken.VALUE_STRING) {
      throw new NotCanonical();
    }
    return stringValue();
  }

  /** The current string token, counted. */
  private String stringValue() throws IOException, NotCanonical {
    String s = p.getText();
    length += utf8Length(s) + 2;
    return s;
  }

  /** The current number token, which must be spelled {@code canonical}; counted. */
  private void number(String canonical) throws IOException, NotCanonical {
    if (!canonical.equals(p.getText())) {
      throw new NotCanonical();
    }
    length += canonical.length();
  }

  private long unsigned() throws IOException, NotCanonical {
    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new NotCanonical();
    }
    long v = p.getLongValue();
    if (v < 0) {
      throw new NotCanonical();
    }
    number(Long.toString(v));
    return v;
  }

  private Digest digest() throws IOException, NotCanonical {
    return Digest.parse(string()); // its one text form: "sha256:" and 64 lowercase hex digits
  }

  @SuppressWarnings("JavaInstantGetSecondsGetNano") // the nanosecond of the second is what toString writes
  private Instant time() throws IOException, NotCanonical, FormatException {
    String text = string();
    Instant t = EntryCodec.time(text, "time");
    if (fractionDigits(text) != instantFractionDigits(t.getNano())) {
      throw new NotCanonical();
    }
    return t;
  }

  /** Digits after the '.' of a time {@link EntryCodec#time} accepted ("…:00Z" or "…:00.123Z"). */
  private static int fractionDigits(String time) {
    return time.length() == 20 ? 0 : time.length() - 21;
  }

  /** Fraction digits {@link Instant#toString} writes for {@code nanos}: 0, 3, 6 or 9. */
  static int instantFractionDigits(int nanos) {
    if (nanos == 0) {
      return 0;
    }
    if (nanos % 1_000_000 == 0) {
      return 3;
    }
    return nanos % 1_000 == 0 ? 6 : 9;
  }

  /**
   * The bytes encode writes for {@code s} between its quotes: its UTF-8 length, when it holds no
   * character encode escapes (control characters, {@code "}, {@code \}, surrogates).
   */
  private static int utf8Length(String s) throws NotCanonical {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
          throw new NotCanonical();
        }
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        // Jackson's generator writes a character beyond the BMP as two \\uXXXX escapes, longer than its
        // UTF-8 form: the length count below only holds where encode writes the shortest spelling.
        throw new NotCanonical();
      } else {
        n += 3;
      }
    }
    return n;
  }
}
