package dev.custody.core;

import dev.custody.core.jws.Pem;
import dev.custody.core.jws.VerificationKey;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test fixture: real X.509 CA hierarchies made with Bouncy Castle (RSA and EC CAs; Ed25519 and
 * P-256 leaves), with the extensions the policy's constraints look at. Names are RFC 4514 strings
 * read through {@link X500Principal}, as the verifier reads them. In core's test jar, so that the
 * writer (attest's certificate store), the verifier's policy tests and the CLI's scenarios share one
 * PKI.
 */
public final class TestPki {
  public static final Instant NOW = Instant.now();
  public static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
  public static final Instant FAR_AHEAD = Instant.parse("2040-01-01T00:00:00Z");
  public static final String ANY_POLICY = "2.5.29.32.0";
  public static final String CODE_SIGNING = KeyPurposeId.id_kp_codeSigning.getId();
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  private TestPki() {}

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {
    public String pem() {
      return TestPki.pem(cert);
    }

    /** The private key as a PKCS#8 PEM file holds it, e.g. for {@code custody record --key}. */
    public String privateKeyPem() {
      return Pem.encode(keys.getPrivate().getEncoded(), "PRIVATE KEY");
    }

    /** The public key as an SPKI PEM file holds it, e.g. for a policy's {@code keys}. */
    public String publicKeyPem() {
      return Pem.encode(keys.getPublic().getEncoded(), "PUBLIC KEY");
    }

    /** The custody key id of this certificate's public key. */
    public String keyId() {
      try {
        return VerificationKey.fromSpki(keys.getPublic().getEncoded(), "test").keyId();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static KeyPair rsa() {
    return generate("RSA", null);
  }

  public static KeyPair ec() {
    return generate("EC", new ECGenParameterSpec("secp256r1"));
  }

  public static KeyPair ed25519() {
    return generate("Ed25519", null);
  }

  private static KeyPair generate(String alg, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      if (spec != null) {
        g.initialize(spec);
      } else if (alg.equals("RSA")) {
        g.initialize(2048);
      }
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a certificate should say; defaults make a CA valid from LONG_AGO to FAR_AHEAD. */
  public static final class Spec {
    public String subject;
    public boolean ca;
    public Instant notBefore = LONG_AGO;
    public Instant notAfter = FAR_AHEAD;
    public final List<GeneralName> sans = new ArrayList<>();
    public final List<KeyPurposeId> ekus = new ArrayList<>();
    public final List<String> policies = new ArrayList<>();
    public Integer keyUsage;

    public static Spec ca(String subject) {
      Spec s = new Spec();
      s.subject = subject;
      s.ca = true;
      s.policies.add(ANY_POLICY);
      return s;
    }

    public static Spec leaf(String subject) {
      Spec s = new Spec();
      s.subject = subject;
      s.notBefore = Instant.parse("2025-01-01T00:00:00Z");
      s.notAfter = Instant.parse("2035-01-01T00:00:00Z");
      s.keyUsage = KeyUsage.digitalSignature;
      return s;
    }

    public Spec valid(Instant from, Instant to) {
      notBefore = from;
      notAfter = to;
      return this;
    }

    public Spec email(String e) {
      sans.add(new GeneralName(GeneralName.rfc822Name, e));
      return this;
    }

    public Spec uri(String u) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
      return this;
    }

    public Spec dns(String d) {
      sans.add(new GeneralName(GeneralName.dNSName, d));
      return this;
    }

    public Spec eku(KeyPurposeId id) {
      ekus.add(id);
      return this;
    }

    public Spec policy(String oid) {
      policies.add(oid);
      return this;
    }

    public Spec noPolicies() {
      policies.clear();
      return this;
    }

    public Spec keyUsage(int ku) {
      keyUsage = ku;
      return this;
    }

    public Spec notCa() {
      ca = false;
      return this;
    }
  }

  /** A self-signed root. */
  public static Issued root(KeyPair keys, Spec spec) {
    return new Issued(keys, build(spec, new X500Principal(spec.subject), keys.getPrivate(), keys.getPublic()));
  }

  /** A certificate for {@code keys} issued by {@code issuer}. */
  public static Issued issue(Issued issuer, KeyPair keys, Spec spec) {
    return new Issued(keys, build(spec, issuer.cert().getSubjectX500Principal(), issuer.keys().getPrivate(),
        keys.getPublic()));
  }

  private static X509Certificate build(Spec s, X500Principal issuer, PrivateKey signer,
      java.security.PublicKey subjectKey) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(s.notBefore), Date.from(s.notAfter), new X500Principal(s.subject), subjectKey);
      if (s.ca) {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (s.keyUsage != null) {
          b.addExtension(Extension.keyUsage, true, new KeyUsage(s.keyUsage));
        }
      }
      if (!s.sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(s.sans.toArray(GeneralName[]::new)));
      }
      if (!s.ekus.isEmpty()) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(s.ekus.toArray(KeyPurposeId[]::new)));
      }
      if (!s.policies.isEmpty()) {
        PolicyInformation[] pi = s.policies.stream().map(o -> new PolicyInformation(new ASN1ObjectIdentifier(o)))
            .toArray(PolicyInformation[]::new);
        b.addExtension(Extension.certificatePolicies, false, new CertificatePolicies(pi));
      }
      String alg = switch (signer.getAlgorithm()) {
        case "RSA" -> "SHA256withRSA";
        case "EC" -> "SHA256withECDSA";
        default -> "Ed25519";
      };
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(X509Certificate c) {
    try {
      return Pem.encode(c.getEncoded(), "CERTIFICATE");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The chain file a signer records: each certificate's PEM, in order. */
  public static byte[] chain(Issued... certs) {
    StringBuilder sb = new StringBuilder();
    for (Issued c : certs) {
      sb.append(c.pem());
    }
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
