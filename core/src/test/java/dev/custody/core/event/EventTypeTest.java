package dev.custody.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTypeTest {

  @Test
  void builtIn_listsTheElevenKindsOfTheDesignThenComparison_inOrder() {
    assertThat(EventType.BUILT_IN).extracting(EventType::name).containsExactly("dataset-ingest", "training",
        "fine-tune", "evaluation", "conversion", "merge", "release", "custody-transfer", "approval", "revocation",
        "annotation", "comparison");
    assertThat(EventType.BUILT_IN).allMatch(EventType::isBuiltIn);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dataset-ingest", "training", "fine-tune", "evaluation", "conversion", "merge", "release",
      "custody-transfer", "approval", "revocation", "annotation", "comparison"})
  void of_builtInName_equalsConstantAndIsBuiltIn(String name) {
    EventType t = EventType.of(name);
    assertThat(t.isBuiltIn()).isTrue();
    assertThat(EventType.BUILT_IN).contains(t);
    assertThat(t).hasToString(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dataset-ingest", "training", "fine-tune", "evaluation", "conversion", "merge", "release",
      "custody-transfer", "approval", "revocation", "annotation", "comparison"})
  void of_builtInNameBuiltFromFreshString_returnsTheConstantInstance(String name) {
    EventType t = EventType.of(new String(name.toCharArray()));
    assertThat(t).isSameAs(EventType.BUILT_IN.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow());
  }

  @Test
  void of_customUriTwice_equalWithSameHash() {
    EventType a = EventType.of("urn:acme:custody:red-team");
    EventType b = EventType.of(new String("urn:acme:custody:red-team".toCharArray()));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(EventType.RELEASE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com/custody/red-team/v1", "https://acme.example/kinds#distil",
      "urn:acme:custody:red-team", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"})
  void of_customAbsoluteUri_acceptedAsCustom(String uri) {
    EventType t = EventType.of(uri);
    assertThat(t.isBuiltIn()).isFalse();
    assertThat(t.name()).isEqualTo(uri);
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "Training", "TRAINING", "train", "training ", " training", "dataset_ingest",
      "ftp://example.com/kind", "file:///etc/passwd", "javascript:alert(1)", "example.com/kind", "/relative/kind",
      "https://exa mple.com/kind", "urn", "http://example.com/kind"})
  void of_junk_rejectedListingBuiltInKinds(String name) {
    assertThatThrownBy(() -> EventType.of(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown event kind")
        .hasMessageContaining("custody-transfer")
        .hasMessageContaining("https: or urn:");
  }

  @Test
  void of_uriLongerThan512Characters_rejected() {
    String base = "https://example.com/";
    String ok = base + "a".repeat(512 - base.length());
    assertThat(EventType.of(ok).name()).hasSize(512);
    assertThatThrownBy(() -> EventType.of(ok + "a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_null_rejected() {
    assertThatThrownBy(() -> EventType.of(null)).isInstanceOf(NullPointerException.class);
  }
}
