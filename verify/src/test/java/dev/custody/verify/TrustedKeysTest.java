package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.verify.TestLedgers.TestKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedKeysTest {
  static final TestKey A = TestKey.ed25519("key A");
  static final TestKey C = TestKey.es256();

  @TempDir Path tmp;

  @Test
  void of_sameKeyTwice_countsOnce() {
    TrustedKeys t = TrustedKeys.of(List.of(A.publicKey(), A.publicKey()));

    assertThat(t.size()).isEqualTo(1);
    assertThat(t.byKeyId(A.keyId())).contains(A.publicKey());
    assertThat(t.byKeyId(C.keyId())).isEmpty();
    assertThat(t.byKeyId(null)).isEmpty();
  }

  @Test
  void load_pemFile_trustsThatKey() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.pub"), A.publicKey().toPem());

    TrustedKeys t = TrustedKeys.load(f);

    assertThat(t.size()).isEqualTo(1);
    assertThat(t.byKeyId(A.keyId())).contains(A.publicKey());
  }

  @Test
  void load_directory_trustsEveryPubFileAndIgnoresOthers() throws Exception {
    Files.writeString(tmp.resolve("a.pub"), A.publicKey().toPem());
    Files.writeString(tmp.resolve("c.pub"), C.publicKey().toPem());
    Files.writeString(tmp.resolve("README.md"), "not a key");

    TrustedKeys t = TrustedKeys.load(tmp);

    assertThat(t.size()).isEqualTo(2);
    assertThat(t.byKeyId(C.keyId())).contains(C.publicKey());
  }

  @Test
  void load_missingPath_formatExceptionNamesPath() {
    Path missing = tmp.resolve("no-such-dir");

    assertThatThrownBy(() -> TrustedKeys.load(missing)).isInstanceOf(FormatException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void load_directoryWithoutPubFiles_formatExceptionNamesDirectory() throws Exception {
    Files.writeString(tmp.resolve("key.pem"), A.publicKey().toPem());

    assertThatThrownBy(() -> TrustedKeys.load(tmp)).isInstanceOf(FormatException.class)
        .hasMessageContaining(tmp.toString()).hasMessageContaining("*.pub");
  }

  @Test
  void load_badPem_formatExceptionNamesFile() throws Exception {
    Files.writeString(tmp.resolve("a.pub"), A.publicKey().toPem());
    Path bad = Files.writeString(tmp.resolve("b.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

    assertThatThrownBy(() -> TrustedKeys.load(tmp)).isInstanceOf(FormatException.class)
        .hasMessageContaining(bad.toString());
    assertThatThrownBy(() -> TrustedKeys.load(bad)).isInstanceOf(FormatException.class)
        .hasMessageContaining(bad.toString());
  }
}
