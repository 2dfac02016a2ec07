package dev.custody.core.sigstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.FormatException;
import dev.custody.core.Fuzz;
import dev.custody.core.dsse.EnvelopeKey;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the readers of outside signatures: a Sigstore bundle parses or is a
 * {@link FormatException}; an OMS signature checked with the reference publisher's key verifies or is
 * an {@link OmsException} (never another exception, never a hang). Seeds: the reference OMS and
 * Sigstore bundles.
 */
class SigstoreBundleFuzzTest {
  private static final EnvelopeKey OMS_KEY;

  static {
    try {
      Path pem = Path.of(System.getProperty("custody.vectors"))
          .resolve("openssf-model-signing/keys/signing-key-pub.pem");
      OMS_KEY = EnvelopeKey.fromPem(Files.readString(pem), "signing-key-pub.pem");
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest
  void parse_anyBytes_bundleOrFormatException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(FormatException.class, () -> SigstoreBundle.parse(data, "fuzz"), b -> {
      assertThat(SigstoreBundle.MEDIA_TYPES).contains(b.mediaType());
      assertThat(b.tlogEntries()).isBetween(0, SigstoreBundle.MAX_CERTIFICATES);
    });
  }

  @FuzzTest
  void verify_anyBytes_verifiedOrOmsException(byte[] data) throws Exception {
    Fuzz.valueOrRejected(OmsException.class, () -> OmsSignature.verify(data, new OmsSignature.PublicKey(OMS_KEY),
        "fuzz"), v -> {
          assertThat(v.statement().predicateType()).isEqualTo(OmsSignature.PREDICATE_TYPE);
          assertThat(v.statement().subjects().get(0).digestOf("sha256"))
              .contains(v.manifest().rootDigest().value().hex());
        });
  }
}
