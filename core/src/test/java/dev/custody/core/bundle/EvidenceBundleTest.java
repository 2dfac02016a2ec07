package dev.custody.core.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bundle reader on the fuzz seeds: what parses writes back identically; what is wrong is named. */
class EvidenceBundleTest {
  private static byte[] seed(String name) throws Exception {
    try (InputStream in = EvidenceBundleTest.class.getResourceAsStream(
        "EvidenceBundleFuzzTestInputs/parse_anyBytes_bundleThatRoundTripsOrFormatException/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void parse_seedWithEveryMember_roundTrips() throws Exception {
    EvidenceBundle b = EvidenceBundle.parse(seed("two-entries"), "seed");
    assertThat(b.entries()).hasSize(2);
    assertThat(b.logKey()).isPresent();
    assertThat(b.checkpoints().get(0).timestamp()).isPresent();
    assertThat(b.manifests()).hasSize(1);
    assertThat(b.certificates()).hasSize(1);
    assertThat(EvidenceBundle.parse(b.toBytes(), "written")).isEqualTo(b);
  }

  @Test
  void parse_entriesOutOfLogOrder_refusedNamingTheEntry() {
    assertThatThrownBy(() -> EvidenceBundle.parse(seed("reordered"), "seed")).isInstanceOf(FormatException.class)
        .hasMessageContaining("entries[1]").hasMessageContaining("reordered");
  }

  @Test
  void parse_unknownMember_refused() throws Exception {
    String text = new String(seed("empty"), StandardCharsets.UTF_8).replace("\"entries\"", "\"extra\":1,\"entries\"");
    assertThatThrownBy(() -> EvidenceBundle.parse(text.getBytes(StandardCharsets.UTF_8), "seed"))
        .isInstanceOf(FormatException.class).hasMessageContaining("extra");
  }

  @Test
  void parse_proofWithTooManyHashes_refused() throws Exception {
    String hashes = ("\"" + "A".repeat(43) + "=\",").repeat(EvidenceBundle.MAX_PROOF_HASHES + 1);
    String text = new String(seed("empty"), StandardCharsets.UTF_8).replace("\"entries\":[]",
        "\"entries\":[{\"index\":0,\"record\":\"x\",\"inclusion\":[" + hashes.substring(0, hashes.length() - 1) + "]}]");
    assertThatThrownBy(() -> EvidenceBundle.parse(text.getBytes(StandardCharsets.UTF_8), "seed"))
        .isInstanceOf(FormatException.class).hasMessageContaining("entries[0].inclusion");
  }

  @Test
  void parse_notePrivateKey_refused() throws Exception {
    String text = new String(seed("empty"), StandardCharsets.UTF_8).replace("\"checkpoints\":[]",
        "\"checkpoints\":[{\"note\":\"PRIVATE+KEY+example.org/log+00000000+AAAA\"}]");
    assertThatThrownBy(() -> EvidenceBundle.parse(text.getBytes(StandardCharsets.UTF_8), "seed"))
        .isInstanceOf(FormatException.class).hasMessageContaining("private key material");
  }
}
