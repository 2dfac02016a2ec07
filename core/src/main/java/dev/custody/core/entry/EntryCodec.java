package dev.custody.core.entry;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.FormatException;
import dev.custody.core.derivation.ComparisonSummary;
import dev.custody.core.derivation.ModelComparison;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.internal.text.Untrusted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON encoding of {@link EntryPayload}, format {@value #FORMAT}. Grammar (members in this
 * order when written; any order accepted when read; optional members omitted, never null):
 *
 * <pre>
 * payload  = { "format": "custody/entry/v1", "chain": string, "sequence": uint,
 *              ["prev": digest,] "keyId": hex64, "time": time, "event": event }
 * event    = { "type": kind, ["inputs": [artifact*],] ["outputs": [artifact*],]
 *              ["parameters": {string: string},] ["environment": {string: string},]
 *              ["startedAt": time,] ["finishedAt": time,] ["invocation": invocation,] details... }
 * invocation = { "command": [string+], "exitCode": int, "workingDirectory": string }
 *              (a step run as a process, e.g. by custody run; int: a JSON integer, optionally negative)
 * details  = evaluation: ["metrics": {string: number}]   conversion, merge: ["method": string]
 *            release: "version"   custody-transfer: "from", "to"   annotation: "text"
 *            approval, revocation: "subject": digest, "decision", ["reason"]
 *            comparison: "method": "custody/compare/v1", "architecture": "identical" | "renamed" | "different",
 *              "tensors": {"a", "b", "identical", "renamed", "changed", "dtypeChanged", "shapeChanged",
 *                          "onlyInA", "onlyInB": uint},
 *              "elements": {"a", "b", "identical": uint},
 *              ["cosine": {"tensors": uint, "elements": uint, "mean": figure, "min": figure, ["minTensor": string]},]
 *              ["equal": {"tensors": uint, "mean": figure}]
 *              (and inputs exactly "a" and "b" of kind model, no outputs; see ComparisonSummary)
 *            custom kind (a URI): ["body": {...}]
 * artifact = { "name", "kind", "digest", ["uri",] ["mediaType",] ["annotations": {string: string}] }
 * time     = RFC 3339 UTC with "Z", e.g. 2026-11-28T12:00:00.123Z
 * digest   = "sha256:" 64 lowercase hex
 * figure   = a JSON number with exactly 6 decimal places, e.g. 0.998712 (an exact decimal)
 * </pre>
 *
 * Decoding is strict: unknown members, an unknown format, wrong types and duplicate keys are
 * errors naming the member. Thread-safe.
 */
public final class EntryCodec {
  /** The payload format and version; a reader rejects any other. */
  public static final String FORMAT = "custody/entry/v1";
  private EntryCodec() {}

  /** Encodes {@code p}; the result is what the signer signs and the log stores inside the JWS. */
  public static byte[] encode(EntryPayload p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = StrictJson.factory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeStringField("chain", p.chain());
      g.writeNumberField("sequence", p.sequence());
      if (p.prev().isPresent()) {
        g.writeStringField("prev", p.prev().get().toString());
      }
      g.writeStringField("keyId", p.keyId());
      g.writeStringField("time", timeText(p.time()));
      g.writeFieldName("event");
      writeEvent(g, p.event());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  private static void writeEvent(JsonGenerator g, Event e) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", e.type().name());
    writeArtifacts(g, "inputs", e.inputs());
    writeArtifacts(g, "outputs", e.outputs());
    writeStringMap(g, "parameters", e.parameters());
    writeStringMap(g, "environment", e.environment());
    if (e.startedAt().isPresent()) {
      g.writeStringField("startedAt", timeText(e.startedAt().get()));
    }
    if (e.finishedAt().isPresent()) {
      g.writeStringField("finishedAt", timeText(e.finishedAt().get()));
    }
    if (e.invocation().isPresent()) {
      Invocation i = e.invocation().get();
      g.writeObjectFieldStart("invocation");
      g.writeArrayFieldStart("command");
      for (String a : i.command()) {
        g.writeString(a);
      }
      g.writeEndArray();
      g.writeNumberField("exitCode", i.exitCode());
      g.writeStringField("workingDirectory", i.workingDirectory());
      g.writeEndObject();
    }
    writeDetails(g, e.details());
    g.writeEndObject();
  }

  // Java 17 has no pattern matching for switch; the sealed hierarchy keeps this chain complete.
  private static void writeDetails(JsonGenerator g, EventDetails details) throws IOException {
    if (details instanceof EventDetails.Evaluation ev) {
      if (!ev.metrics().isEmpty()) {
        g.writeObjectFieldStart("metrics");
        for (Map.Entry<String, BigDecimal> m : ev.metrics().entrySet()) {
          g.writeNumberField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
    } else if (details instanceof EventDetails.Method m) {
      if (m.method().isPresent()) {
        g.writeStringField("method", m.method().get());
      }
    } else if (details instanceof EventDetails.Release r) {
      g.writeStringField("version", r.version());
    } else if (details instanceof EventDetails.Transfer t) {
      g.writeStringField("from", t.from());
      g.writeStringField("to", t.to());
    } else if (details instanceof EventDetails.Decision d) {
      g.writeStringField("subject", d.subject().toString());
      g.writeStringField("decision", d.decision());
      if (d.reason().isPresent()) {
        g.writeStringField("reason", d.reason().get());
      }
    } else if (details instanceof EventDetails.Annotation a) {
      g.writeStringField("text", a.text());
    } else if (details instanceof EventDetails.Comparison c) {
      writeComparison(g, c.summary());
    } else if (details instanceof EventDetails.Custom c) {
      if (!c.json().equals("{}")) {
        g.writeFieldName("body");
        g.writeRawValue(c.json());
      }
    }
    // EventDetails.None writes nothing.
  }

  /**
   * Writes the members of a comparison's details ({@code method}, {@code architecture},
   * {@code tensors}, {@code elements}, {@code cosine}, {@code equal}) into the object {@code g} is
   * writing, exactly as an entry holds them; for {@code custody compare --json}, which shows the
   * figures it signs.
   */
  public static void writeComparison(JsonGenerator g, ComparisonSummary s) throws IOException {
    g.writeStringField("method", s.method());
    g.writeStringField("architecture", s.architecture().label());
    ComparisonSummary.TensorCounts t = s.tensors();
    g.writeObjectFieldStart("tensors");
    g.writeNumberField("a", t.a());
    g.writeNumberField("b", t.b());
    g.writeNumberField("identical", t.identical());
    g.writeNumberField("renamed", t.renamed());
    g.writeNumberField("changed", t.changed());
    g.writeNumberField("dtypeChanged", t.dtypeChanged());
    g.writeNumberField("shapeChanged", t.shapeChanged());
    g.writeNumberField("onlyInA", t.onlyInA());
    g.writeNumberField("onlyInB", t.onlyInB());
    g.writeEndObject();
    g.writeObjectFieldStart("elements");
    g.writeNumberField("a", s.elements().a());
    g.writeNumberField("b", s.elements().b());
    g.writeNumberField("identical", s.elements().identical());
    g.writeEndObject();
    if (s.cosine().isPresent()) {
      ComparisonSummary.CosineFigures c = s.cosine().get();
      g.writeObjectFieldStart("cosine");
      g.writeNumberField("tensors", c.tensors());
      g.writeNumberField("elements", c.elements());
      g.writeNumberField("mean", c.mean());
      g.writeNumberField("min", c.min());
      if (c.minTensor().isPresent()) {
        g.writeStringField("minTensor", c.minTensor().get());
      }
      g.writeEndObject();
    }
    if (s.equal().isPresent()) {
      g.writeObjectFieldStart("equal");
      g.writeNumberField("tensors", s.equal().get().tensors());
      g.writeNumberField("mean", s.equal().get().mean());
      g.writeEndObject();
    }
  }

  private static void writeArtifacts(JsonGenerator g, String name, List<ArtifactRef> refs) throws IOException {
    if (refs.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(name);
    for (ArtifactRef r : refs) {
      g.writeStartObject();
      g.writeStringField("name", r.name());
      g.writeStringField("kind", r.kind().jsonName());
      g.writeStringField("digest", r.digest().toString());
      if (r.uri().isPresent()) {
        g.writeStringField("uri", r.uri().get());
      }
      if (r.mediaType().isPresent()) {
        g.writeStringField("mediaType", r.mediaType().get());
      }
      writeStringMap(g, "annotations", r.annotations());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeStringMap(JsonGenerator g, String name, Map<String, String> map) throws IOException {
    if (map.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : map.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  /**
   * Decodes payload bytes.
   *
   * @param what names the payload in errors
   * @throws FormatException naming the member and the problem
   */
  public static EntryPayload decode(byte[] json, String what) throws FormatException {
    JsonFields f = StrictJson.parseObject(json, EntryRecord.MAX_RECORD_BYTES, what);
    String format = f.string("format");
    if (!FORMAT.equals(format)) {
      throw new FormatException(what + ": unknown format " + Untrusted.quote(format) + " (this version of custody reads "
          + FORMAT + "; a newer custody may read it)");
    }
    try {
      String chain = f.string("chain");
      long sequence = f.unsigned("sequence");
      Optional<String> prevText = f.optString("prev");
      Optional<Digest> prev = prevText.isEmpty() ? Optional.empty() : Optional.of(digest(f, "prev"));
      String keyId = f.string("keyId");
      Instant time = time(f.string("time"), what + ".time");
      Event event = decodeEvent(f.object("event"), true);
      f.requireNoOthers();
      return new EntryPayload(chain, sequence, prev, keyId, time, event);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes an event object (as found in a payload, or in a file given to {@code custody record --event-json}).
   */
  @SuppressWarnings("exports") // JsonFields is internal on purpose: only custody's CLI (record --event-json) calls this
  public static Event decodeEvent(JsonFields e) throws FormatException {
    return decodeEvent(e, false);
  }

  /**
   * @param signed whether the event is read from a signed entry: then its times are taken as signed,
   *     even when finishedAt is before startedAt (a verifier reports that); an event about to be
   *     signed is refused for it
   */
  private static Event decodeEvent(JsonFields e, boolean signed) throws FormatException {
    try {
      EventType type = EventType.of(e.string("type"));
      Event.Builder b = Event.builder(type);
      for (JsonFields a : e.objects("inputs")) {
        b.input(decodeArtifact(a));
      }
      for (JsonFields a : e.objects("outputs")) {
        b.output(decodeArtifact(a));
      }
      e.stringMap("parameters").forEach(b::parameter);
      e.stringMap("environment").forEach(b::environment);
      Optional<String> startedText = e.optString("startedAt");
      Optional<Instant> started = startedText.isEmpty() ? Optional.empty()
          : Optional.of(time(startedText.get(), e.what() + ".startedAt"));
      Optional<String> finishedText = e.optString("finishedAt");
      Optional<Instant> finished = finishedText.isEmpty() ? Optional.empty()
          : Optional.of(time(finishedText.get(), e.what() + ".finishedAt"));
      if (!signed) {
        started.ifPresent(b::startedAt); // the builder refuses finishedAt before startedAt
        finished.ifPresent(b::finishedAt);
      }
      Optional<JsonFields> inv = e.optObject("invocation");
      if (inv.isPresent()) {
        b.invocation(decodeInvocation(inv.get()));
      }
      decodeDetails(type, e).ifPresent(b::details);
      e.requireNoOthers();
      Event event = b.build();
      return signed ? new Event(event.type(), event.inputs(), event.outputs(), event.parameters(),
          event.environment(), started, finished, event.details(), event.invocation()) : event;
    } catch (IllegalArgumentException ex) {
      throw new FormatException(e.what() + ": " + ex.getMessage(), ex);
    }
  }

  private static Invocation decodeInvocation(JsonFields i) throws FormatException {
    List<String> command = i.strings("command");
    int exitCode = i.integer("exitCode");
    String dir = i.string("workingDirectory");
    i.requireNoOthers();
    try {
      return new Invocation(command, exitCode, dir);
    } catch (IllegalArgumentException ex) {
      throw new FormatException(i.what() + ": " + ex.getMessage(), ex);
    }
  }

  private static Optional<EventDetails> decodeDetails(EventType type, JsonFields e) throws FormatException {
    if (!type.isBuiltIn()) {
      return e.has("body") ? Optional.of(new EventDetails.Custom(e.rawObject("body").toString())) : Optional.empty();
    }
    return switch (type.name()) {
      case "evaluation" -> Optional.of(new EventDetails.Evaluation(e.decimalMap("metrics")));
      case "conversion", "merge" -> Optional.of(new EventDetails.Method(e.optString("method")));
      case "release" -> Optional.of(new EventDetails.Release(e.string("version")));
      case "custody-transfer" -> Optional.of(new EventDetails.Transfer(e.string("from"), e.string("to")));
      case "approval", "revocation" -> Optional.of(new EventDetails.Decision(
          digest(e, "subject"), e.string("decision"), e.optString("reason")));
      case "annotation" -> Optional.of(new EventDetails.Annotation(e.string("text")));
      case "comparison" -> Optional.of(new EventDetails.Comparison(decodeComparison(e)));
      default -> Optional.empty();
    };
  }

  private static ComparisonSummary decodeComparison(JsonFields e) throws FormatException {
    String method = e.string("method");
    ModelComparison.Architecture architecture = ModelComparison.Architecture.fromLabel(e.string("architecture"));
    JsonFields t = e.object("tensors");
    ComparisonSummary.TensorCounts tensors = new ComparisonSummary.TensorCounts(t.unsigned("a"), t.unsigned("b"),
        t.unsigned("identical"), t.unsigned("renamed"), t.unsigned("changed"), t.unsigned("dtypeChanged"),
        t.unsigned("shapeChanged"), t.unsigned("onlyInA"), t.unsigned("onlyInB"));
    t.requireNoOthers();
    JsonFields n = e.object("elements");
    ComparisonSummary.ElementCounts elements =
        new ComparisonSummary.ElementCounts(n.unsigned("a"), n.unsigned("b"), n.unsigned("identical"));
    n.requireNoOthers();
    Optional<ComparisonSummary.CosineFigures> cosine = Optional.empty();
    Optional<JsonFields> c = e.optObject("cosine");
    if (c.isPresent()) {
      JsonFields f = c.get();
      cosine = Optional.of(new ComparisonSummary.CosineFigures(f.unsigned("tensors"), f.unsigned("elements"),
          f.decimal("mean"), f.decimal("min"), f.optString("minTensor")));
      f.requireNoOthers();
    }
    Optional<ComparisonSummary.EqualFigures> equal = Optional.empty();
    Optional<JsonFields> q = e.optObject("equal");
    if (q.isPresent()) {
      equal = Optional.of(new ComparisonSummary.EqualFigures(q.get().unsigned("tensors"), q.get().decimal("mean")));
      q.get().requireNoOthers();
    }
    return new ComparisonSummary(method, architecture, tensors, elements, cosine, equal);
  }

  private static ArtifactRef decodeArtifact(JsonFields a) throws FormatException {
    try {
      ArtifactRef r = new ArtifactRef(a.string("name"), ArtifactKind.fromJson(a.string("kind")),
          digest(a, "digest"), a.optString("uri"), a.optString("mediaType"), a.stringMap("annotations"));
      a.requireNoOthers();
      return r;
    } catch (IllegalArgumentException ex) {
      throw new FormatException(a.what() + ": " + ex.getMessage(), ex);
    }
  }

  /** A required digest member; the error names the member. */
  private static Digest digest(JsonFields f, String name) throws FormatException {
    String text = f.string(name);
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException ex) {
      throw new FormatException(f.what() + ": member '" + name + "': " + ex.getMessage(), ex);
    }
  }

  /** Seconds from the epoch to 0000-01-01T00:00:00Z and to 10000-01-01T00:00:00Z: the years written with four digits. */
  private static final long FIRST_FOUR_DIGIT_SECOND = -62_167_219_200L;
  private static final long FIRST_FIVE_DIGIT_SECOND = 253_402_300_800L;

  /**
   * {@code time.toString()} — RFC 3339 in UTC with "Z" and 0, 3, 6 or 9 fraction digits, the spelling
   * entries carry — written without a {@code DateTimeFormatter}, which costs a signer or a lister more
   * than the rest of an entry's time fields ({@code EntryCodecTimeTest} checks the two agree).
   */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // the nanosecond of the second is what toString writes
  public static String timeText(Instant time) {
    long s = time.getEpochSecond();
    if (s < FIRST_FOUR_DIGIT_SECOND || s >= FIRST_FIVE_DIGIT_SECOND) {
      return time.toString(); // a sign or a fifth year digit
    }
    long day = Math.floorDiv(s, 86_400L);
    int secondOfDay = (int) Math.floorMod(s, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(day);
    int nanos = time.getNano();
    int fraction = CanonicalPayloadDecoder.instantFractionDigits(nanos);
    char[] out = new char[fraction == 0 ? 20 : 21 + fraction];
    put(out, 0, date.getYear(), 4);
    out[4] = '-';
    put(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    put(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    put(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    put(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    put(out, 17, secondOfDay % 60, 2);
    if (fraction > 0) {
      out[19] = '.';
      put(out, 20, nanos / (fraction == 3 ? 1_000_000 : fraction == 6 ? 1_000 : 1), fraction);
    }
    out[out.length - 1] = 'Z';
    return new String(out);
  }

  /** Writes {@code value} as exactly {@code digits} decimal digits at {@code at}. */
  private static void put(char[] out, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Parses an RFC 3339 §5.6 date-time in UTC with "Z", hours 00-23 and seconds 00-59, exactly
   * {@code [0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?Z} with a valid
   * date: the instant {@link Instant#parse} gives, but {@link Instant#parse} would also take 24:00 and the
   * leap second :60 and fold them onto another instant, giving one time two spellings. One pass over the
   * characters, without a regex or a {@code DateTimeFormatter}: it runs two or three times for every
   * entry read ({@code EntryCodecTimeTest} checks it against that regex and {@link Instant#parse}).
   */
  public static Instant time(String text, String what) throws FormatException {
    int n = text.length();
    boolean ok = (n == 20 || n >= 22 && n <= 30) && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(n - 1) == 'Z'
        && (n == 20 || text.charAt(19) == '.');
    int year = ok ? digits(text, 0, 4) : -1;
    int month = ok ? digits(text, 5, 7) : -1;
    int day = ok ? digits(text, 8, 10) : -1;
    int hour = ok ? digits(text, 11, 13) : -1;
    int minute = ok ? digits(text, 14, 16) : -1;
    int second = ok ? digits(text, 17, 19) : -1;
    int fraction = ok && n > 20 ? digits(text, 20, n - 1) : 0;
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59 || fraction < 0) {
      throw new FormatException(what + ": " + Untrusted.quote(text) + " is not a UTC time like 2026-11-28T12:00:00Z");
    }
    int nanos = fraction;
    for (int i = n > 20 ? n - 21 : 9; i < 9; i++) {
      nanos *= 10; // "12:00:00.5Z" is 500,000,000 ns
    }
    try {
      return Instant.ofEpochSecond(LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3600L
          + minute * 60L + second, nanos);
    } catch (DateTimeException ex) {
      throw new FormatException(what + ": " + Untrusted.quote(text) + " is not a valid time", ex);
    }
  }

  /** The decimal value of {@code text[from, to)} (at most nine ASCII digits), or -1 if any is not a digit. */
  private static int digits(String text, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

}
