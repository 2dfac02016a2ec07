package dev.custody.core.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custody.core.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryLocatorTest {
  private static final String HASH = "sha256:" + "ab".repeat(32);

  @Test
  void parse_chainAndSequence_position() {
    assertEquals(new EntryLocator.Position("acme/falcon-7b", 3), EntryLocator.parse("acme/falcon-7b:3"));
    assertEquals(new EntryLocator.Position("a", 0), EntryLocator.parse("a:0"));
  }

  @Test
  void parse_entryHash_hash() {
    assertEquals(new EntryLocator.Hash(Digest.parse(HASH)), EntryLocator.parse(HASH));
  }

  @Test
  void parse_longMaxSequence_accepted() {
    // 19 digits: ShowCommand accepted them (and overflowed past Long.MAX_VALUE), ModelCheck stopped at 18.
    assertEquals(Long.MAX_VALUE, ((EntryLocator.Position) EntryLocator.parse("c:" + Long.MAX_VALUE)).sequence());
    assertEquals(EntryLocator.MAX_SEQUENCE_TEXT, Long.toString(Long.MAX_VALUE));
    assertEquals(999_999_999_999_999_999L,
        ((EntryLocator.Position) EntryLocator.parse("c:999999999999999999")).sequence());
  }

  @Test
  void toString_position_roundTrips() {
    assertEquals("acme/falcon:12", EntryLocator.parse("acme/falcon:12").toString());
    assertEquals(HASH, EntryLocator.parse(HASH).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "acme", ":3", "acme:", "acme:-1", "acme:+1", "acme:01", "acme:00", "acme:1.0",
      "acme: 1", "acme:1 ", "acme:9223372036854775808", "acme:9999999999999999999", "acme:12345678901234567890",
      "acme:٣", "sha256:ab", "SHA256:" + "ab", "../x:1", "acme//x:1", "acme:x:1", "a\u0000b:1"})
  void parse_malformed_rejectedNamingTheText(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryLocator.parse(text));
    assertTrue(e.getMessage().contains("is neither CHAIN:SEQ"), e.getMessage());
    assertTrue(e.getMessage().contains(EntryLocator.MAX_SEQUENCE_TEXT), e.getMessage());
  }

  @Test
  void parse_controlCharacters_quotedInMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EntryLocator.parse("evil\u001b[31m:1"));
    assertTrue(!e.getMessage().contains("\u001b"), e.getMessage());
  }

  @Test
  void position_negativeSequence_rejected() {
    assertThrows(IllegalArgumentException.class, () -> new EntryLocator.Position("c", -1));
    assertThrows(IllegalArgumentException.class, () -> new EntryLocator.Position("../c", 1));
  }
}
