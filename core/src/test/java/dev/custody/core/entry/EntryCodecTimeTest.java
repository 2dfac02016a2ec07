package dev.custody.core.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custody.core.FormatException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EntryCodec#time}, a one-pass parser (it runs for every entry read), against the naive
 * reference it replaced: the grammar as a regular expression, then {@link Instant#parse}.
 */
class EntryCodecTimeTest {
  /** The grammar, as the reference spells it. */
  private static final Pattern TIME = Pattern.compile(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z");

  /** The reference: empty if the text is refused. */
  private static Optional<Instant> reference(String text) {
    if (!TIME.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> fast(String text) {
    try {
      return Optional.of(EntryCodec.time(text, "t"));
    } catch (FormatException e) {
      return Optional.empty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-28T12:00:00Z", "2026-11-28T12:00:00.5Z", "2026-11-28T12:00:00.123456789Z",
      "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T00:00:00Z", "1970-01-01T00:00:00.000Z",
      "2026-01-31T23:59:59.01Z"})
  void time_validText_sameInstantAsInstantParse(String text) throws FormatException {
    assertEquals(Instant.parse(text), EntryCodec.time(text, "t"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Z", "2026-11-28T24:00:00Z", "2026-11-28T23:59:60Z", "2026-11-28T23:60:00Z",
      "2026-11-28T12:00:00", "2026-11-28T12:00:00.Z", "2026-11-28T12:00:00.1234567890Z", "2026-11-28t12:00:00Z",
      "2026-11-28T12:00:00z", "2026-11-28 12:00:00Z", "2026-11-28T12:00:00+00:00", "+2026-11-28T12:00:00Z",
      "2026-1-28T12:00:00Z", "2026-11-28T1:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
      "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-28T12:00:00.-1Z",
      "2026-11-28T12:00:00.1.2Z", "2026-11-28T12:00:00.12345678ZZ", "２026-11-28T12:00:00Z", "2026-11-28T12:00:0٠Z",
      "20261-11-28T12:00:00Z", "2026-11-28T12:00:00.12345678Z ", " 2026-11-28T12:00:00Z"})
  void time_textOutsideTheGrammar_refused(String text) {
    assertTrue(reference(text).isEmpty(), "the reference refuses it too");
    assertThrows(FormatException.class, () -> EntryCodec.time(text, "t"));
  }

  /** Seeded: valid times with every fraction length, and each mutated one character at a time. */
  @Test
  void time_randomAndMutatedText_agreesWithReference() {
    SplittableRandom r = new SplittableRandom(20261205L);
    String alphabet = "0123456789-:TZ.+ z";
    List<String> cases = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      long seconds = r.nextLong(-62_167_219_200L, 253_402_300_800L); // years 0000 to 9999
      int digits = r.nextInt(10);
      String t = Instant.ofEpochSecond(seconds).toString();
      if (digits > 0) {
        StringBuilder f = new StringBuilder(".");
        for (int d = 0; d < digits; d++) {
          f.append((char) ('0' + r.nextInt(10)));
        }
        t = t.substring(0, t.length() - 1) + f + "Z";
      }
      cases.add(t);
      StringBuilder m = new StringBuilder(t);
      int at = r.nextInt(m.length());
      switch (r.nextInt(3)) {
        case 0 -> m.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
        case 1 -> m.deleteCharAt(at);
        default -> m.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
      }
      cases.add(m.toString());
    }
    int valid = 0;
    for (String c : cases) {
      Optional<Instant> want = reference(c);
      assertEquals(want, fast(c), c);
      valid += want.isPresent() ? 1 : 0;
    }
    assertTrue(valid > 20_000 && valid < cases.size(), "both accepted and refused cases were tried: " + valid);
  }
  /** {@link EntryCodec#timeText} writes what {@link Instant#toString} writes, for every kind of instant. */
  @Test
  void timeText_anyInstant_sameAsInstantToString() {
    SplittableRandom r = new SplittableRandom(20261206);
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2000-02-29T12:00:00.000001Z"),
        Instant.parse("2026-11-28T12:00:00.120Z")));
    for (int i = 0; i < 20_000; i++) {
      long second = r.nextLong(-70_000_000_000L, 260_000_000_000L);
      int nanos = switch (r.nextInt(4)) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1_000;
        default -> r.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(second, nanos));
    }
    for (Instant t : instants) {
      assertEquals(t.toString(), EntryCodec.timeText(t), () -> t.getEpochSecond() + "s " + t.getNano() + "ns");
    }
  }
}
