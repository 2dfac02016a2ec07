package dev.custody.attest.internal.timestamp;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

/**
 * A real RFC 3161 timestamp authority on loopback for tests: JDK {@link HttpServer} on
 * 127.0.0.1 (ephemeral port) in front of Bouncy Castle's {@link TimeStampResponseGenerator}, with
 * a test CA → TSA certificate chain (EC P-256) made here. Its {@link Mode} makes it misbehave in
 * the ways verifiers must catch.
 *
 * <p>Public, and shipped in this module's test jar, so that other modules' tests (the CLI's
 * {@code custody checkpoint --tsa} and {@code verify --tsa-root}) run against the same TSA.
 */
public final class TestTsa implements AutoCloseable {
  public static final ASN1ObjectIdentifier POLICY = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");

  public enum Mode {
    /** Grants every request. */
    GRANT,
    /** Refuses every request with status rejection / badAlg. */
    REJECT,
    /** Answers with a token for another nonce (a replayed response). */
    WRONG_NONCE,
    /** Answers with text/html, like a web page at the wrong URL. */
    NOT_A_TSA
  }

  /** A CA or TSA key and certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {}

  public final Issued root;
  public final Issued tsa;
  /** Certificates the token carries (default: TSA certificate and root). */
  final List<X509Certificate> carried;
  public final AtomicReference<Mode> mode = new AtomicReference<>(Mode.GRANT);
  final AtomicLong serial = new AtomicLong(1);
  private final HttpServer server;
  private final TimeStampTokenGenerator tokens;

  private TestTsa(Issued root, Issued tsa, Issued signing, List<X509Certificate> carried) throws Exception {
    this.root = root;
    this.tsa = tsa;
    this.carried = carried;
    tokens = new TimeStampTokenGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
        .build("SHA256withECDSA", signing.keys().getPrivate(), signing.cert()),
        new JcaDigestCalculatorProviderBuilder().build().get(
            new org.bouncycastle.asn1.x509.AlgorithmIdentifier(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
        POLICY);
    tokens.addCertificates(new JcaCertStore(carried));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/tsa", exchange -> {
      try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
        Mode m = mode.get();
        if (m == Mode.NOT_A_TSA) {
          byte[] page = "<html>hello</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.sendResponseHeaders(200, page.length);
          out.write(page);
          return;
        }
        TimeStampRequest request = new TimeStampRequest(in.readAllBytes());
        byte[] reply = respond(m, request).getEncoded();
        exchange.getResponseHeaders().set("Content-Type", TimestampClient.REPLY_TYPE);
        exchange.sendResponseHeaders(200, reply.length);
        out.write(reply);
      } catch (Exception e) {
        exchange.sendResponseHeaders(500, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  /** A TSA with a valid certificate, chained to a fresh root. */
  /**
   * {@link #start()} for a static field that JUnit closes after the class's tests:
   * {@code @AutoClose static final TestTsa tsa = TestTsa.started();}.
   */
  public static TestTsa started() {
    try {
      return start();
    } catch (Exception e) {
      throw new IllegalStateException("the test TSA did not start: " + e.getMessage(), e);
    }
  }

  public static TestTsa start() throws Exception {
    Issued root = root("CN=custody test root");
    Issued tsa = issue(root, "CN=custody test TSA", true, Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(365)), BigInteger.TWO);
    return new TestTsa(root, tsa, tsa, List.of(tsa.cert(), root.cert()));
  }

  /** A TSA whose certificate expired yesterday (BC's generator does not look at dates). */
  public static TestTsa startExpired() throws Exception {
    Issued root = root("CN=custody test root");
    Issued tsa = issue(root, "CN=custody expired TSA", true, Instant.now().minus(Duration.ofDays(30)),
        Instant.now().minus(Duration.ofDays(1)), BigInteger.TWO);
    return new TestTsa(root, tsa, tsa, List.of(tsa.cert(), root.cert()));
  }

  /**
   * A TSA whose token carries a certificate without the timeStamping extended key usage. BC's
   * generator refuses to sign with such a certificate, so the token is signed with a twin
   * certificate (same issuer, serial and key, with the usage) and carries the one without.
   */
  public static TestTsa startWithoutTimestampingUsage() throws Exception {
    Issued root = root("CN=custody test root");
    Instant from = Instant.now().minus(Duration.ofDays(1));
    Instant to = Instant.now().plus(Duration.ofDays(365));
    Issued withUsage = issue(root, "CN=custody plain server", true, from, to, BigInteger.TEN);
    Issued without = issue(root, withUsage.keys(), "CN=custody plain server", false, from, to, BigInteger.TEN);
    return new TestTsa(root, without, withUsage, List.of(without.cert(), root.cert()));
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tsa");
  }

  private TimeStampResponse respond(Mode m, TimeStampRequest request) throws Exception {
    TimeStampResponseGenerator gen = new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED);
    BigInteger n = BigInteger.valueOf(serial.getAndIncrement());
    switch (m) {
      case REJECT:
        return gen.generateFailResponse(PKIStatus.REJECTION, PKIFailureInfo.badAlg, "test TSA says no");
      case WRONG_NONCE: {
        TimeStampRequest other = new org.bouncycastle.tsp.TimeStampRequestGenerator().generate(
            request.getMessageImprintAlgOID(), request.getMessageImprintDigest(),
            request.getNonce() == null ? BigInteger.ONE : request.getNonce().add(BigInteger.ONE));
        return gen.generateGrantedResponse(other, n, new Date());
      }
      default:
        return gen.generateGrantedResponse(request, n, new Date());
    }
  }

  public static Issued root(String dn) throws Exception {
    KeyPair k = ecKey();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(dn), BigInteger.ONE,
        Date.from(Instant.now().minus(Duration.ofDays(10))), Date.from(Instant.now().plus(Duration.ofDays(3650))),
        new X500Name(dn), k.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(k, sign(b, k.getPrivate()));
  }

  static Issued issue(Issued ca, String dn, boolean timestamping, Instant from, Instant to, BigInteger serial)
      throws Exception {
    return issue(ca, ecKey(), dn, timestamping, from, to, serial);
  }

  static Issued issue(Issued ca, KeyPair k, String dn, boolean timestamping, Instant from, Instant to,
      BigInteger serial) throws Exception {
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial, Date.from(from), Date.from(to),
        new X500Name(dn), k.getPublic());
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    if (timestamping) {
      b.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
    }
    return new Issued(k, sign(b, ca.keys().getPrivate()));
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
        .build(key)));
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
