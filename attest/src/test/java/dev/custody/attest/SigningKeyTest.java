package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.jws.KeyAlgorithm;
import dev.custody.core.jws.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SigningKeyTest {
  @TempDir Path dir;

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] pemBody(Path file) throws Exception {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void writeTo_generatedKey_writesPrivateKey0600AndPublicKeyThatReload(KeyAlgorithm alg) throws Exception {
    SigningKey key = SigningKey.generate(alg);

    Path priv = key.writeTo(dir, "pipeline");

    assertThat(priv).isEqualTo(dir.resolve("pipeline.key"));
    assertThat(Files.getPosixFilePermissions(priv)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Path pub = dir.resolve("pipeline.pub");
    assertThat(Files.readString(priv)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----\n");

    SigningKey reloaded = SigningKey.load(priv);
    VerificationKey reloadedPub = VerificationKey.fromPem(Files.readString(pub), pub.toString());
    assertThat(reloaded.algorithm()).isEqualTo(alg);
    assertThat(reloaded.keyId()).isEqualTo(key.keyId());
    assertThat(reloadedPub).isEqualTo(key.publicKey());
    assertThat(reloadedPub.keyId()).isEqualTo(key.keyId());
    // Key id = lowercase hex SHA-256 of the SPKI DER as written to NAME.pub.
    assertThat(key.keyId()).isEqualTo(Digest.sha256(pemBody(pub)).value().hex()).matches("[0-9a-f]{64}");
    assertThat(reloaded.exportSecretPkcs8Pem()).isEqualTo(Files.readString(priv));
  }

  @Test
  void keyId_jdkGeneratedKeys_equalsSha256OfJdkSpkiEncoding() throws Exception {
    // Cross-check against an independent encoder: the JDK's own PKCS#8 and SPKI encodings.
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    for (KeyPair kp : new KeyPair[] {ed, ec}) {
      SigningKey k = SigningKey.fromPem(pem("PRIVATE KEY", kp.getPrivate().getEncoded()), "jdk key");
      assertThat(k.keyId()).isEqualTo(HexFormat.of().formatHex(
          Digest.newSha256().digest(kp.getPublic().getEncoded())));
      assertThat(k.publicKey().spki().toByteArray()).isEqualTo(kp.getPublic().getEncoded());
    }
  }

  @Test
  void writeTo_existingKey_refusesAndLeavesFilesUnchanged() throws Exception {
    SigningKey first = SigningKey.generate(KeyAlgorithm.ED25519);
    first.writeTo(dir, "k");
    String priv = Files.readString(dir.resolve("k.key"));
    String pub = Files.readString(dir.resolve("k.pub"));

    SigningKey second = SigningKey.generate(KeyAlgorithm.ED25519);
    assertThatThrownBy(() -> second.writeTo(dir, "k")).isInstanceOf(FileAlreadyExistsException.class);

    assertThat(Files.readString(dir.resolve("k.key"))).isEqualTo(priv);
    assertThat(Files.readString(dir.resolve("k.pub"))).isEqualTo(pub);
  }

  @Test
  void writeTo_onlyPrivateKeyExists_refusesAndWritesNoPublicKey() throws Exception {
    Files.writeString(dir.resolve("k.key"), "precious");
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);

    assertThatThrownBy(() -> key.writeTo(dir, "k")).isInstanceOf(FileAlreadyExistsException.class);

    assertThat(Files.readString(dir.resolve("k.key"))).isEqualTo("precious");
    assertThat(dir.resolve("k.pub")).doesNotExist();
  }

  @Test
  void writeTo_onlyPublicKeyExists_refusesAndWritesNoPrivateKey() throws Exception {
    Files.writeString(dir.resolve("k.pub"), "precious");
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);

    assertThatThrownBy(() -> key.writeTo(dir, "k")).isInstanceOf(FileAlreadyExistsException.class);

    assertThat(Files.readString(dir.resolve("k.pub"))).isEqualTo("precious");
    assertThat(dir.resolve("k.key")).doesNotExist();
  }

  @Test
  void writeTo_nameWithPathSeparator_throwsIllegalArgument() {
    SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519);
    assertThatThrownBy(() -> key.writeTo(dir, "../escape")).isInstanceOf(IllegalArgumentException.class);
    assertThat(dir.getParent().resolve("escape.key")).doesNotExist();
  }

  @Test
  void load_publicKeyFile_throwsFormatExceptionNamingFileAndHint() throws Exception {
    SigningKey.generate(KeyAlgorithm.ED25519).writeTo(dir, "k");
    Path pub = dir.resolve("k.pub");

    assertThatThrownBy(() -> SigningKey.load(pub)).isInstanceOf(FormatException.class)
        .hasMessageContaining(pub.toString()).hasMessageContaining("public key");
  }

  @Test
  void load_garbage_throwsFormatExceptionNamingFile() throws Exception {
    Path text = Files.writeString(dir.resolve("text.key"), "hello, I am not a key\n");
    Path binary = Files.write(dir.resolve("binary.key"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
    Path badDer = Files.writeString(dir.resolve("der.key"), pem("PRIVATE KEY", new byte[] {0x30, 0x03, 1, 2, 3}));

    for (Path p : new Path[] {text, binary, badDer}) {
      assertThatThrownBy(() -> SigningKey.load(p)).as(p.toString())
          .isInstanceOf(FormatException.class).hasMessageContaining(p.toString());
    }
  }

  @Test
  void load_rsaPkcs8Key_throwsFormatExceptionNamingFile() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Path p = Files.writeString(dir.resolve("rsa.key"), pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));

    assertThatThrownBy(() -> SigningKey.load(p)).isInstanceOf(FormatException.class)
        .hasMessageContaining(p.toString()).hasMessageContaining("Ed25519");
  }

  @Test
  void load_ecKeyOnP384_throwsFormatExceptionNamingFileAndCurve() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    Path p = Files.writeString(dir.resolve("p384.key"), pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));

    assertThatThrownBy(() -> SigningKey.load(p)).isInstanceOf(FormatException.class)
        .hasMessageContaining(p.toString()).hasMessageContaining("P-256");
  }

  // ---------------------------------------------------------------- PKCS#8 v1 (RFC 8410) for Ed25519

  /** RFC 8410 §10.3: the example Ed25519 private key, PKCS#8 v1 ({@code version 0}, no public key). */
  static final String RFC8410_PRIVATE_V1 = "-----BEGIN PRIVATE KEY-----\n"
      + "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
      + "-----END PRIVATE KEY-----\n";
  /** RFC 8410 §10.3: the same key as a OneAsymmetricKey v2 with an attribute and the public key. */
  static final String RFC8410_PRIVATE_V2 = "-----BEGIN PRIVATE KEY-----\n"
      + "MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
      + "oB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrB\n"
      + "Z9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      + "-----END PRIVATE KEY-----\n";
  /** RFC 8410 §10.1: the example's public key. */
  static final String RFC8410_PUBLIC = "-----BEGIN PUBLIC KEY-----\n"
      + "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      + "-----END PUBLIC KEY-----\n";

  @Test
  void generate_ed25519_isPkcs8V1WithoutPublicKeyAsRfc8410Section7() throws Exception {
    byte[] der = pemBody(SigningKey.generate(KeyAlgorithm.ED25519).writeTo(dir, "k"));
    org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(der);
    // OneAsymmetricKey: version 0 (v1), algorithm id-Ed25519 with no parameters, privateKey; nothing else.
    assertThat(seq.size()).isEqualTo(3);
    assertThat(org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(0)).intValueExact()).isZero();
    assertThat(org.bouncycastle.asn1.x509.AlgorithmIdentifier.getInstance(seq.getObjectAt(1)).getAlgorithm())
        .isEqualTo(org.bouncycastle.asn1.edec.EdECObjectIdentifiers.id_Ed25519);
    assertThat(org.bouncycastle.asn1.x509.AlgorithmIdentifier.getInstance(seq.getObjectAt(1)).getParameters()).isNull();
    byte[] inner = org.bouncycastle.asn1.ASN1OctetString.getInstance(seq.getObjectAt(2)).getOctets();
    assertThat(org.bouncycastle.asn1.ASN1OctetString.getInstance(inner).getOctets()).hasSize(32); // CurvePrivateKey
    assertThat(der).hasSize(48); // the size of the RFC 8410 §10.3 example
  }

  @Test
  void load_rfc8410Section10_3ExampleV1_loadsWithTheExamplePublicKey() throws Exception {
    Path p = Files.writeString(dir.resolve("rfc8410.key"), RFC8410_PRIVATE_V1);
    SigningKey key = SigningKey.load(p);
    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.ED25519);
    assertThat(key.publicKey()).isEqualTo(VerificationKey.fromPem(RFC8410_PUBLIC, "RFC 8410 §10.1"));
    assertThat(key.exportSecretPkcs8Pem()).isEqualTo(RFC8410_PRIVATE_V1);
  }

  @Test
  void load_rfc8410Section10_3ExampleV2WithPublicKey_loadsAndIsKeptAsV1() throws Exception {
    Path p = Files.writeString(dir.resolve("rfc8410v2.key"), RFC8410_PRIVATE_V2);
    SigningKey key = SigningKey.load(p);
    assertThat(key.publicKey()).isEqualTo(VerificationKey.fromPem(RFC8410_PUBLIC, "RFC 8410 §10.1"));
    assertThat(key.exportSecretPkcs8Pem()).isEqualTo(RFC8410_PRIVATE_V1);
  }

  @Test
  void load_keyWrittenByEarlierCustodyAsV2_loads() throws Exception {
    org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters k =
        new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(new java.security.SecureRandom());
    byte[] v2 = org.bouncycastle.crypto.util.PrivateKeyInfoFactory.createPrivateKeyInfo(k).getEncoded("DER");
    assertThat(org.bouncycastle.asn1.ASN1Integer.getInstance(org.bouncycastle.asn1.ASN1Sequence.getInstance(v2)
        .getObjectAt(0)).intValueExact()).as("what custody wrote before: v2").isOne();
    Path p = Files.writeString(dir.resolve("old.key"), pem("PRIVATE KEY", v2));
    assertThat(SigningKey.load(p).publicKey()).isEqualTo(VerificationKey.ed25519(k.generatePublicKey().getEncoded()));
  }

  @Test
  void load_v2WhosePublicKeyIsNotTheKeys_throwsFormatException() throws Exception {
    byte[] der = Base64.getMimeDecoder().decode(RFC8410_PRIVATE_V2.replaceAll("-----[A-Z ]+-----", ""));
    der[der.length - 1] ^= 1; // last byte of the public key
    Path p = Files.writeString(dir.resolve("mismatch.key"), pem("PRIVATE KEY", der));
    assertThatThrownBy(() -> SigningKey.load(p)).isInstanceOf(FormatException.class)
        .hasMessageContaining(p.toString()).hasMessageContaining("public key");
  }
}
