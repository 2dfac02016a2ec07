package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The event's {@code invocation} member (issue 9: {@code custody run} records typed values). */
class InvocationCodecTest {
  private static final String KEY_ID = "ab".repeat(32);

  private static EntryPayload payload(Event e) {
    return new EntryPayload("acme/m", 0, Optional.empty(), KEY_ID, Instant.parse("2026-12-01T00:00:00Z"), e);
  }

  @Test
  void encode_invocation_writesArrayAndNumberAndDecodesBackEqual() throws Exception {
    Invocation inv = new Invocation(List.of("python", "train.py", "--lr", "3e-4", "é \"quoted\""), 0, "/work/run");
    Event e = Event.builder(EventType.TRAINING).invocation(inv).build();
    byte[] bytes = EntryCodec.encode(payload(e));
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertThat(json).contains("\"invocation\":{\"command\":[\"python\",\"train.py\",\"--lr\",\"3e-4\",")
        .contains("\"exitCode\":0,\"workingDirectory\":\"/work/run\"}");
    EntryPayload back = EntryCodec.decode(bytes, "test");
    assertThat(back.event().invocation()).contains(inv);
    assertThat(EntryCodec.encode(back)).isEqualTo(bytes);
  }

  @Test
  void encode_noInvocation_writesNoMember() {
    String json = new String(EntryCodec.encode(payload(Event.builder(EventType.TRAINING).build())),
        StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("invocation");
  }

  @Test
  void decode_negativeExitCode_accepted() throws Exception {
    Event e = Event.builder(EventType.TRAINING).invocation(new Invocation(List.of("x"), -1073741819, "C:\\w")).build();
    assertThat(EntryCodec.decode(EntryCodec.encode(payload(e)), "test").event().invocation().orElseThrow().exitCode())
        .isEqualTo(-1073741819);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"command\":[\"x\"],\"exitCode\":\"0\",\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":0.0,\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":1e0,\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":-0,\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":01,\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":4294967296,\"workingDirectory\":\"/\"}",
      "{\"command\":\"x\",\"exitCode\":0,\"workingDirectory\":\"/\"}",
      "{\"command\":[],\"exitCode\":0,\"workingDirectory\":\"/\"}",
      "{\"command\":[1],\"exitCode\":0,\"workingDirectory\":\"/\"}",
      "{\"command\":[\"x\"],\"exitCode\":0}",
      "{\"command\":[\"x\"],\"exitCode\":0,\"workingDirectory\":\"/\",\"extra\":1}",
      "[\"x\"]",
      "null"})
  void decode_malformedInvocation_formatExceptionNamingIt(String invocation) {
    byte[] good = EntryCodec.encode(payload(Event.builder(EventType.TRAINING)
        .invocation(new Invocation(List.of("x"), 0, "/")).build()));
    String json = new String(good, StandardCharsets.UTF_8).replace(
        "{\"command\":[\"x\"],\"exitCode\":0,\"workingDirectory\":\"/\"}", invocation);
    assertThat(json).isNotEqualTo(new String(good, StandardCharsets.UTF_8));
    assertThatThrownBy(() -> EntryCodec.decode(json.getBytes(StandardCharsets.UTF_8), "test"))
        .isInstanceOf(FormatException.class).hasMessageContaining("invocation");
  }
}
