package dev.custody.attest.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.attest.Ledger;
import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DirectoryArtifacts#putOmsFile}: a publisher's OpenSSF signature file in {@code oms-signatures/}
 * of a ledger directory, content-addressed, written once; and {@code Ledger.keepPublisherSignature} over it.
 */
class DirectoryArtifactsOmsTest {
  private static final byte[] SIG = "{\"mediaType\":\"sig\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PEM = "-----BEGIN PUBLIC KEY-----\n".getBytes(StandardCharsets.US_ASCII);
  private static final String SIG_NAME = OmsSignatureFiles.signatureName(Digest.sha256(SIG));

  @TempDir Path tmp;
  private Path ledger;

  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    Ledger.create(ledger);
  }

  private Path stored(String name) {
    return ledger.resolve(OmsSignatureFiles.DIR).resolve(name);
  }

  private long files() throws Exception {
    try (Stream<Path> s = Files.list(ledger.resolve(OmsSignatureFiles.DIR))) {
      return s.count();
    }
  }

  @Test
  void putOmsFile_sameFileTwice_oneFileWithTheExactBytes() throws Exception {
    DirectoryArtifacts artifacts = DirectoryArtifacts.of(ledger);

    artifacts.putOmsFile(SIG_NAME, SIG);
    artifacts.putOmsFile(SIG_NAME, SIG.clone());

    assertThat(Files.readAllBytes(stored(SIG_NAME))).isEqualTo(SIG);
    assertThat(files()).isEqualTo(1);
  }

  @Test
  void putOmsFile_damagedCopyStored_replacedByTheBytesItsNameGives() throws Exception {
    DirectoryArtifacts artifacts = DirectoryArtifacts.of(ledger);
    artifacts.putOmsFile(SIG_NAME, SIG);
    Files.writeString(stored(SIG_NAME), "{}");

    artifacts.putOmsFile(SIG_NAME, SIG);

    assertThat(Files.readAllBytes(stored(SIG_NAME))).isEqualTo(SIG);
  }

  @Test
  void putOmsFile_bytesNotTheNamesDigestOrNotAName_refusedBeforeAnythingIsWritten() throws Exception {
    DirectoryArtifacts artifacts = DirectoryArtifacts.of(ledger);

    assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME, PEM)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not have the digest");
    assertThatThrownBy(() -> artifacts.putOmsFile("../" + SIG_NAME, SIG)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not the name");
    assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME.replace(".json", ".sh"), SIG))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the name");
    assertThat(ledger.resolve(OmsSignatureFiles.DIR)).doesNotExist();
    assertThat(tmp.resolve(SIG_NAME)).doesNotExist();
  }

  @Test
  void putOmsFile_readOnlyStore_refusedSayingReadOnlyAndNothingWritten() throws Exception {
    DirectoryArtifacts artifacts = DirectoryArtifacts.of(ledger, false);

    assertThatThrownBy(() -> artifacts.putOmsFile(SIG_NAME, SIG)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OpenSSF signatures").hasMessageContaining("read-only");
    assertThat(ledger.resolve(OmsSignatureFiles.DIR)).doesNotExist();
  }

  @Test
  void omsSignatures_put_bothFilesStoredUnderTheDigestsTheAnnotationsName() throws Exception {
    ArtifactRef base = ArtifactRef.of("base", ArtifactKind.MODEL, Digest.sha256(new byte[] {1}));

    ArtifactRef signed;
    try (Ledger l = Ledger.open(ledger)) {
      signed = l.keepPublisherSignature(base, SIG, PEM, "key");
    }

    Digest sig = Digest.parse(signed.annotations().get(OmsSignatureFiles.SIGNATURE_ANNOTATION));
    Digest trust = Digest.parse(signed.annotations().get(OmsSignatureFiles.TRUST_ANNOTATION));
    assertThat(signed.annotations()).containsEntry(OmsSignatureFiles.METHOD_ANNOTATION, "key");
    assertThat(Files.readAllBytes(OmsSignatureFiles.signaturePath(ledger, sig))).isEqualTo(SIG);
    assertThat(Files.readAllBytes(OmsSignatureFiles.trustPath(ledger, trust))).isEqualTo(PEM);
    assertThat(files()).isEqualTo(2);
  }
}
