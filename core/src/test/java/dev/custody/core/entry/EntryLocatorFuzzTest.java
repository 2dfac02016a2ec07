package dev.custody.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the one reader of {@code CHAIN:SEQ|HASH}: a locator whose text reads back as itself, or
 * an {@link IllegalArgumentException}.
 */
class EntryLocatorFuzzTest {

  @FuzzTest
  void parse_anyText_locatorThatRoundTripsOrIllegalArgument(byte[] data) throws Exception {
    String text = new String(data, StandardCharsets.UTF_8);
    Fuzz.valueOrRejected(IllegalArgumentException.class, () -> EntryLocator.parse(text), l -> {
      assertThat(l.toString()).isEqualTo(text);
      assertThat(EntryLocator.parse(l.toString())).isEqualTo(l);
    });
  }
}
