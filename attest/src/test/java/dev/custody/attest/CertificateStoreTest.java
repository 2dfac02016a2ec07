package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.TestPki;
import dev.custody.core.TestPki.Issued;
import dev.custody.core.TestPki.Spec;
import dev.custody.core.internal.ledger.CertificateFiles;
import dev.custody.core.internal.ledger.UnsafeFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write side of {@code certificates/<keyId>.pem}: what is checked before a chain is stored, that
 * it is stored once and never replaced, and what an insider with file access can plant there.
 */
class CertificateStoreTest {
  static Issued root;
  static Issued intermediate;
  static Issued signer;
  static Issued other;

  @TempDir Path tmp;
  Path ledger;
  CertificateStore store;

  @BeforeAll
  static void pki() {
    root = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Root, O=ACME"));
    intermediate = TestPki.issue(root, TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));
    signer = TestPki.issue(intermediate, TestPki.ed25519(), Spec.leaf("CN=release-bot, O=ACME"));
    other = TestPki.issue(intermediate, TestPki.ed25519(), Spec.leaf("CN=someone-else, O=ACME"));
  }

  @BeforeEach
  void setUp() throws Exception {
    ledger = tmp.resolve("ledger");
    Ledger.create(ledger);
    store = CertificateStore.of(ledger, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
  }

  private Path stored(String keyId) {
    return CertificateFiles.path(ledger, keyId);
  }

  @Test
  void put_validChain_storedInCustodySpellingAndParsesBack() throws Exception {
    byte[] chain = TestPki.chain(signer, intermediate);

    assertThat(store.put(signer.keyId(), chain, "chain.pem")).isEqualTo(CertificateStore.Outcome.STORED);

    byte[] bytes = Files.readAllBytes(stored(signer.keyId()));
    assertThat(bytes).isEqualTo(chain);
    assertThat(CertificateFiles.parse(bytes, "stored")).hasSize(2);
    assertThat(CertificateFiles.read(ledger, signer.keyId())).hasValueSatisfying(b -> assertThat(b).isEqualTo(chain));
  }

  @Test
  void put_chainEndingInItsRoot_isAccepted() throws Exception {
    assertThat(store.put(signer.keyId(), TestPki.chain(signer, intermediate, root), "chain.pem"))
        .isEqualTo(CertificateStore.Outcome.STORED);
  }

  @Test
  void put_sameChainTwice_secondIsNoOpAndFileUnchanged() throws Exception {
    store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem");
    long modified = Files.getLastModifiedTime(stored(signer.keyId())).toMillis();

    assertThat(store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isEqualTo(CertificateStore.Outcome.ALREADY_STORED);
    assertThat(Files.getLastModifiedTime(stored(signer.keyId())).toMillis()).isEqualTo(modified);
  }

  @Test
  void put_sameCertificatesRespelled_isAlreadyStoredAndKeepsTheFirstBytes() throws Exception {
    byte[] first = TestPki.chain(signer, intermediate);
    store.put(signer.keyId(), first, "chain.pem");
    byte[] crlf = ("\r\n" + new String(first, StandardCharsets.US_ASCII).replace("\n", "\r\n") + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);

    assertThat(store.put(signer.keyId(), crlf, "crlf.pem")).isEqualTo(CertificateStore.Outcome.ALREADY_STORED);
    assertThat(Files.readAllBytes(stored(signer.keyId()))).isEqualTo(first);
  }

  @Test
  void put_renewedCertificateForSameKey_isRefusedAndOldChainKept() throws Exception {
    byte[] first = TestPki.chain(signer, intermediate);
    store.put(signer.keyId(), first, "chain.pem");
    Issued renewed = TestPki.issue(intermediate, signer.keys(), Spec.leaf("CN=release-bot, O=ACME")
        .valid(Instant.parse("2029-06-01T00:00:00Z"), Instant.parse("2031-06-01T00:00:00Z")));

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(renewed, intermediate), "renewed.pem"))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(signer.keyId())
        .hasMessageContaining("a different certificate chain")
        .hasMessageContaining("custody keys generate");
    assertThat(Files.readAllBytes(stored(signer.keyId()))).isEqualTo(first);
  }

  @Test
  void put_leafForAnotherKey_isRefusedNamingBothKeys() {
    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(other, intermediate), "chain.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("chain.pem")
        .hasMessageContaining("CN=someone-else")
        .hasMessageContaining(other.keyId())
        .hasMessageContaining("not for the signing key " + signer.keyId());
    assertThat(stored(signer.keyId())).doesNotExist();
  }

  @Test
  void put_leafNotFirst_saysWhichCertificateToPutFirst() {
    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(intermediate, signer), "reversed.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("certificate 2 of the file is the signing key's: put it first");
  }

  @Test
  void put_issuerMissingFromTheMiddle_isRefusedNamingTheBreak() {
    Issued sub = TestPki.issue(intermediate, TestPki.ec(), Spec.ca("CN=ACME Sub CA, O=ACME"));
    Issued leaf = TestPki.issue(sub, TestPki.ed25519(), Spec.leaf("CN=deep, O=ACME"));

    assertThatThrownBy(() -> store.put(leaf.keyId(), TestPki.chain(leaf, intermediate), "gap.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("certificate 2 (")
        .hasMessageContaining("did not issue certificate 1");
  }

  @Test
  void put_sameNameButForeignSignature_isRefused() {
    // A CA that calls itself by the intermediate's name, with another key: names chain, signatures do not.
    Issued impostor = TestPki.root(TestPki.ec(), Spec.ca("CN=ACME Signing CA, O=ACME"));

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(signer, impostor), "impostor.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("did not issue certificate 1");
  }

  @Test
  void put_caCertificateAsLeaf_isRefused() {
    Issued ca = TestPki.issue(root, TestPki.ed25519(), Spec.ca("CN=Signing CA with an Ed25519 key"));

    assertThatThrownBy(() -> store.put(ca.keyId(), TestPki.chain(ca, root), "ca.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("is a CA certificate");
  }

  @Test
  void put_leafWithoutDigitalSignature_isRefused() {
    Issued enc = TestPki.issue(intermediate, TestPki.ed25519(), Spec.leaf("CN=encipher-only")
        .keyUsage(KeyUsage.keyAgreement));

    assertThatThrownBy(() -> store.put(enc.keyId(), TestPki.chain(enc, intermediate), "enc.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("without digitalSignature");
  }

  @Test
  void put_rsaLeaf_isRefusedAsNotASigningKey() {
    Issued rsa = TestPki.issue(intermediate, TestPki.rsa(), Spec.leaf("CN=rsa-signer"));

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(rsa, intermediate), "rsa.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("holds a key custody cannot sign with");
  }

  @Test
  void put_expiredCertificate_isRefusedNamingTheDate() throws Exception {
    CertificateStore later = CertificateStore.of(ledger, Clock.fixed(Instant.parse("2036-01-01T00:00:00Z"),
        ZoneOffset.UTC));

    assertThatThrownBy(() -> later.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("certificate 1")
        .hasMessageContaining("expired at 2035-01-01T00:00:00Z")
        .hasMessageContaining("IDENTITY_EXPIRED");
    assertThat(stored(signer.keyId())).doesNotExist();
  }

  @Test
  void put_notYetValidCertificate_isRefused() throws Exception {
    CertificateStore early = CertificateStore.of(ledger, Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"),
        ZoneOffset.UTC));

    assertThatThrownBy(() -> early.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("is not valid before 2025-01-01T00:00:00Z");
  }

  @Test
  void put_garbage_isRefusedAndNothingWritten() {
    assertThatThrownBy(() -> store.put(signer.keyId(), "hello\n".getBytes(StandardCharsets.US_ASCII), "junk.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("junk.pem")
        .hasMessageContaining("PEM certificate");
    assertThat(ledger.resolve(CertificateFiles.DIR)).doesNotExist();
  }

  @Test
  void put_pemOfAPublicKeyInsteadOfACertificate_isRefused() {
    byte[] pub = signer.publicKeyPem().getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> store.put(signer.keyId(), pub, "key.pub"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("CERTIFICATE");
  }

  @Test
  void put_certificateBlockWithTrailingBytesInItsDer_isRefused() throws Exception {
    byte[] der = signer.cert().getEncoded();
    byte[] padded = Arrays.copyOf(der, der.length + 2);
    byte[] pem = dev.custody.core.jws.Pem.encode(padded, "CERTIFICATE").getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> store.put(signer.keyId(), pem, "padded.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("bytes after its DER encoding");
  }

  @Test
  void put_hugeFile_isRefusedBeforeParsing() {
    byte[] huge = new byte[CertificateFiles.MAX_CHAIN_BYTES + 1];
    Arrays.fill(huge, (byte) 'A');

    assertThatThrownBy(() -> store.put(signer.keyId(), huge, "huge.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("too large for a certificate chain");
  }

  @Test
  void put_elevenCertificates_isRefused() {
    Issued[] many = new Issued[CertificateFiles.MAX_CERTIFICATES + 1];
    Arrays.fill(many, intermediate);
    many[0] = signer;

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(many), "many.pem"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("more than " + CertificateFiles.MAX_CERTIFICATES);
  }

  @Test
  void put_keyIdThatIsAPath_isRejectedBeforeAnythingIsRead() {
    assertThatThrownBy(() -> store.put("../../etc/passwd", TestPki.chain(signer), "chain.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a key id");
  }

  @Test
  void put_symlinkPlantedAtTheChainFile_isRefusedAndItsTargetUntouched() throws Exception {
    Files.createDirectories(ledger.resolve(CertificateFiles.DIR));
    Path outside = Files.writeString(tmp.resolve("precious.txt"), "not the ledger's\n");
    Files.createSymbolicLink(stored(signer.keyId()), outside);

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(UnsafeFileException.class)
        .hasMessageContaining("is a symbolic link");
    assertThat(Files.readString(outside)).isEqualTo("not the ledger's\n");
  }

  @Test
  void put_certificatesDirectoryIsASymlink_isRefusedAndNothingWrittenThere() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(ledger.resolve(CertificateFiles.DIR), elsewhere);

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(UnsafeFileException.class)
        .hasMessageContaining("is a symbolic link");
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void put_garbagePlantedAtTheChainFile_isRefusedAndLeftAsItIs() throws Exception {
    Files.createDirectories(ledger.resolve(CertificateFiles.DIR));
    Files.writeString(stored(signer.keyId()), "planted");

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("is not a certificate chain")
        .hasMessageContaining("move it out of the ledger");
    assertThat(Files.readString(stored(signer.keyId()))).isEqualTo("planted");
  }

  @Test
  void put_directoryPlantedAtTheChainFile_isRefused() throws Exception {
    Files.createDirectories(stored(signer.keyId()));

    assertThatThrownBy(() -> store.put(signer.keyId(), TestPki.chain(signer, intermediate), "chain.pem"))
        .isInstanceOf(UnsafeFileException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void of_notALedger_isRefused() {
    assertThatThrownBy(() -> CertificateStore.of(tmp.resolve("nothing")))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("no ledger at");
  }
}
