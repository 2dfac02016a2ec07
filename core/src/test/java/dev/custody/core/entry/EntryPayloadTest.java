package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.TestEntries;
import dev.custody.core.Digest;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryPayloadTest {
  private static final String KEY_ID = "a".repeat(64);
  private static final Instant T = Instant.parse("2026-11-28T12:00:00Z");
  private static final Event E = Event.builder(EventType.TRAINING).build();
  private static final Optional<Digest> PREV = Optional.of(TestEntries.DIGEST_A);

  @ParameterizedTest
  @ValueSource(strings = {"a", "acme/falcon-7b", "Acme.Corp/llm_v2/ft-3", "0/1/2/3/4/5/6/7",
      "x123456789012345678901234567890123456789012345678901234567890123"})
  void requireChainId_validIds_accepted(String chain) {
    assertThat(EntryPayload.requireChainId(chain)).isEqualTo(chain);
    assertThat(new EntryPayload(chain, 0, Optional.empty(), KEY_ID, T, E).chain()).isEqualTo(chain);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "/acme", "acme/", "acme//x", ".", "..", "acme/..", "acme/.hidden", "-acme",
      "acme falcon", "acme\\falcon", "acme/falcon\n", "ácme", "0/1/2/3/4/5/6/7/8",
      "x1234567890123456789012345678901234567890123456789012345678901234"})
  void requireChainId_invalidIds_rejectedWithExample(String chain) {
    assertThatThrownBy(() -> EntryPayload.requireChainId(chain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid chain id")
        .hasMessageContaining("acme/falcon-7b");
  }

  @Test
  void constructor_firstEntryWithPrev_rejected() {
    assertThatThrownBy(() -> new EntryPayload("acme/x", 0, PREV, KEY_ID, T, E))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence 0) has no prev");
  }

  @Test
  void constructor_laterEntryWithoutPrev_rejected() {
    assertThatThrownBy(() -> new EntryPayload("acme/x", 5, Optional.empty(), KEY_ID, T, E))
        .hasMessageContaining("entry 5 of a chain needs the hash of entry 4 as prev");
  }

  @Test
  void constructor_prevIffSequencePositive_accepted() {
    assertThat(new EntryPayload("acme/x", 0, Optional.empty(), KEY_ID, T, E).prev()).isEmpty();
    assertThat(new EntryPayload("acme/x", Long.MAX_VALUE, PREV, KEY_ID, T, E).prev()).isEqualTo(PREV);
  }

  @Test
  void constructor_negativeSequence_rejected() {
    assertThatThrownBy(() -> new EntryPayload("acme/x", -1, PREV, KEY_ID, T, E))
        .hasMessageContaining("sequence must be >= 0, got -1");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "aaaa",
      "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"})
  void constructor_badKeyId_rejectedNamingKeyId(String keyId) {
    assertThatThrownBy(() -> new EntryPayload("acme/x", 0, Optional.empty(), keyId, T, E))
        .hasMessageContaining("keyId must be 64 lowercase hex digits");
  }

  @Test
  void constructor_keyIdWithSha256Prefix_rejected() {
    assertThatThrownBy(() -> new EntryPayload("acme/x", 0, Optional.empty(), "sha256:" + KEY_ID, T, E))
        .hasMessageContaining("keyId");
    assertThatThrownBy(() -> new EntryPayload("acme/x", 0, Optional.empty(), KEY_ID + "a", T, E))
        .hasMessageContaining("keyId");
  }

  @Test
  void constructor_nulls_rejectedNamingField() {
    assertThatThrownBy(() -> new EntryPayload(null, 0, Optional.empty(), KEY_ID, T, E)).hasMessage("chain");
    assertThatThrownBy(() -> new EntryPayload("a", 0, null, KEY_ID, T, E)).hasMessage("prev");
    assertThatThrownBy(() -> new EntryPayload("a", 0, Optional.empty(), null, T, E)).hasMessage("keyId");
    assertThatThrownBy(() -> new EntryPayload("a", 0, Optional.empty(), KEY_ID, null, E)).hasMessage("time");
    assertThatThrownBy(() -> new EntryPayload("a", 0, Optional.empty(), KEY_ID, T, null)).hasMessage("event");
  }

  @Test
  void constructor_timeAfterYear9999_rejectedBecauseUnencodable() {
    Instant t = Instant.parse("9999-12-31T23:59:59Z").plusSeconds(1);
    assertThatThrownBy(() -> new EntryPayload("acme/x", 0, Optional.empty(), KEY_ID, t, E))
        .hasMessageContaining("time").hasMessageContaining("0000-9999");
  }
}
