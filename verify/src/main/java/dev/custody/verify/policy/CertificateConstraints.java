package dev.custody.verify.policy;

import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * What a leaf certificate must show to be a given certificate identity. Every constraint given must
 * hold (an identity with none accepts any leaf its organisation's roots certify). Immutable.
 *
 * @param subject the leaf's subject: an exact RFC 4514 distinguished name (compared as X.500 names
 *     are: attribute by attribute, values case-insensitively, whitespace normalised), or a pattern
 *     with {@code *} (see {@link SubjectPattern})
 * @param san each pattern must be matched by at least one subject alternative name of its type
 * @param eku each extended key usage OID must be in the leaf's extended key usage extension
 *     ({@code anyExtendedKeyUsage} does not stand in for a required one)
 * @param policies each certificate policy OID must be asserted by the leaf and valid through the
 *     whole path (RFC 5280 §6.1 policy processing, with these as the initial policy set and an
 *     explicit policy required)
 */
public record CertificateConstraints(Optional<SubjectPattern> subject, List<SanPattern> san, List<String> eku,
    List<String> policies) {
  /** OIDs in dotted decimal, no leading zeros; the first arc 0-2 (X.660). */
  private static final Pattern OID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]{0,17}))+");

  public CertificateConstraints {
    Objects.requireNonNull(subject, "subject");
    san = List.copyOf(san);
    eku = List.copyOf(eku);
    policies = List.copyOf(policies);
    eku.forEach(CertificateConstraints::requireOid);
    policies.forEach(CertificateConstraints::requireOid);
  }

  /**
   * Checks an object identifier in dotted decimal.
   *
   * @throws IllegalArgumentException saying what an OID looks like
   */
  static String requireOid(String oid) {
    Objects.requireNonNull(oid, "oid");
    String hint = "'" + Untrusted.escape(oid) + "' is not an object identifier: write dotted decimal arcs without"
        + " leading zeros, the first 0, 1 or 2 (e.g. 1.3.6.1.5.5.7.3.3)";
    if (oid.length() > 200 || !OID.matcher(oid).matches()) {
      throw new IllegalArgumentException(hint);
    }
    String[] arcs = oid.split("\\.", -1); // the pattern above admits no empty arc
    if (!arcs[0].equals("2") && Long.parseLong(arcs[1]) > 39) {
      throw new IllegalArgumentException(hint + "; under arc 0 and 1 the second arc is at most 39");
    }
    if (ASN1ObjectIdentifier.tryFromID(oid) == null) {
      throw new IllegalArgumentException(hint);
    }
    return oid;
  }

  /**
   * The constraints {@code leaf} does not meet, each as a sentence; empty if it meets them all.
   * Policies are checked here on the leaf alone (for a clear message); the path is checked by the
   * PKIX validator.
   */
  List<String> unmet(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    subject.ifPresent(s -> {
      if (!s.matches(leaf.getSubjectX500Principal())) {
        out.add("subject " + Untrusted.quote(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253))
            + " does not match " + Untrusted.quote(s.text()));
      }
    });
    if (!san.isEmpty()) {
      List<List<?>> names = subjectAltNames(leaf, out);
      for (SanPattern p : san) {
        if (names.stream().noneMatch(p::matches)) {
          out.add("no subject alternative name matches " + Untrusted.quote(p.text()) + " (the leaf has "
              + describe(names) + ")");
        }
      }
    }
    if (!eku.isEmpty()) {
      List<String> have;
      try {
        have = Optional.ofNullable(leaf.getExtendedKeyUsage()).orElse(List.of());
      } catch (CertificateParsingException e) {
        have = List.of();
        out.add("the extended key usage extension is malformed");
      }
      for (String oid : eku) {
        if (!have.contains(oid)) {
          out.add("extended key usage " + oid + " is missing (the leaf has " + (have.isEmpty() ? "none" : have) + ")");
        }
      }
    }
    if (!policies.isEmpty()) {
      List<String> asserted = asserted(leaf, out);
      for (String oid : policies) {
        if (!asserted.contains(oid)) {
          out.add("certificate policy " + oid + " is not asserted (the leaf asserts "
              + (asserted.isEmpty() ? "none" : asserted) + ")");
        }
      }
    }
    return out;
  }

  private static List<List<?>> subjectAltNames(X509Certificate leaf, List<String> problems) {
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      return names == null ? List.of() : List.copyOf(names);
    } catch (CertificateParsingException e) {
      problems.add("the subject alternative name extension is malformed");
      return List.of();
    }
  }

  private static String describe(List<List<?>> names) {
    List<String> out = new ArrayList<>();
    for (List<?> n : names) {
      SanPattern.Type.of((Integer) n.get(0)).ifPresent(t -> out.add(t.prefix + Untrusted.escape(String.valueOf(n.get(1)))));
    }
    return out.isEmpty() ? "none of type email, dns or uri" : String.join(", ", out);
  }

  private static List<String> asserted(X509Certificate leaf, List<String> problems) {
    byte[] ext = leaf.getExtensionValue(Extension.certificatePolicies.getId());
    if (ext == null) {
      return List.of();
    }
    try {
      List<String> out = new ArrayList<>();
      for (PolicyInformation pi : CertificatePolicies.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ext))
          .getPolicyInformation()) {
        out.add(pi.getPolicyIdentifier().getId());
      }
      return out;
    } catch (IOException | IllegalArgumentException e) {
      problems.add("the certificate policies extension is malformed");
      return List.of();
    }
  }

  /**
   * A subject name constraint. Without {@code *} it is an exact RFC 4514 name, compared with
   * {@link X500Principal#equals} (canonical: case-insensitive values, normalised whitespace). With
   * {@code *} it is a pattern: the same number of RDNs in the same order, each of one attribute of
   * the same type, whose value matches with {@code *} standing for any run of characters within
   * that value, case-insensitively. Attributes are named as RFC 4514 names them (CN, O, OU, C, L,
   * ST, STREET, DC, UID); others must be written as dotted OIDs.
   */
  public record SubjectPattern(String text) {
    private static final String HINT =
        " (write an RFC 4514 name such as \"CN=release-bot, O=ACME\"; '*' within a value is a wildcard)";

    public SubjectPattern {
      Objects.requireNonNull(text, "subject");
      LdapName n;
      try {
        n = new LdapName(text);
      } catch (InvalidNameException | IllegalArgumentException e) {
        throw new IllegalArgumentException(notAName(text, e), e);
      }
      if (n.size() == 0) {
        throw new IllegalArgumentException("the subject is empty" + HINT);
      }
      if (text.indexOf('*') < 0) {
        try {
          new X500Principal(text);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(notAName(text, e), e);
        }
      } else {
        for (Rdn r : n.getRdns()) {
          if (r.size() != 1) {
            throw new IllegalArgumentException("a subject pattern with '*' takes one attribute per RDN, not '"
                + Untrusted.escape(r.toString()) + "'" + HINT);
          }
        }
      }
    }

    private static String notAName(String text, Exception e) {
      return "'" + Untrusted.escape(text) + "' is not a distinguished name: " + Untrusted.escape(e.getMessage()) + HINT;
    }

    boolean matches(X500Principal subject) {
      if (text.indexOf('*') < 0) {
        return new X500Principal(text).equals(subject);
      }
      try {
        List<Rdn> want = new LdapName(text).getRdns();
        List<Rdn> have = new LdapName(subject.getName(X500Principal.RFC2253)).getRdns();
        if (want.size() != have.size()) {
          return false;
        }
        for (int i = 0; i < want.size(); i++) {
          Rdn w = want.get(i);
          Rdn h = have.get(i);
          if (h.size() != 1 || !w.getType().equalsIgnoreCase(h.getType()) || !(h.getValue() instanceof String hv)
              || !NamePattern.glob(String.valueOf(w.getValue()).toLowerCase(Locale.ROOT), hv.toLowerCase(Locale.ROOT))) {
            return false;
          }
        }
        return true;
      } catch (InvalidNameException e) {
        return false;
      }
    }
  }

  /**
   * A subject alternative name constraint, {@code TYPE:PATTERN} with TYPE {@code email} (rfc822Name),
   * {@code dns} (dNSName) or {@code uri} (uniformResourceIdentifier); {@code *} in PATTERN stands for
   * any run of characters (including {@code /} and {@code .}). {@code email} and {@code dns} compare
   * case-insensitively, {@code uri} exactly.
   */
  public record SanPattern(Type type, String pattern) {
    /** The SAN types a constraint can name, with their GeneralName tag (RFC 5280 §4.2.1.6). */
    public enum Type {
      EMAIL("email:", 1),
      DNS("dns:", 2),
      URI("uri:", 6);

      final String prefix;
      final int tag;

      Type(String prefix, int tag) {
        this.prefix = prefix;
        this.tag = tag;
      }

      static Optional<Type> of(int tag) {
        for (Type t : values()) {
          if (t.tag == tag) {
            return Optional.of(t);
          }
        }
        return Optional.empty();
      }
    }

    public SanPattern {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(pattern, "pattern");
      if (pattern.isEmpty() || pattern.length() > 1024 || Untrusted.needsEscaping(pattern) || pattern.contains(" ")) {
        throw new IllegalArgumentException("a SAN pattern is 1-1024 printable characters without spaces");
      }
    }

    /**
     * Parses {@code email:...}, {@code dns:...} or {@code uri:...}.
     *
     * @throws IllegalArgumentException naming the accepted types
     */
    public static SanPattern parse(String text) {
      for (Type t : Type.values()) {
        if (text.startsWith(t.prefix)) {
          return new SanPattern(t, text.substring(t.prefix.length()));
        }
      }
      throw new IllegalArgumentException("'" + Untrusted.escape(text) + "' is not a SAN constraint: write"
          + " email:NAME@DOMAIN, dns:HOST or uri:URI ('*' is a wildcard)");
    }

    /** The constraint as written, {@code TYPE:PATTERN}. */
    public String text() {
      return type.prefix + pattern;
    }

    boolean matches(List<?> generalName) {
      if (!(generalName.get(0) instanceof Integer tag) || tag != type.tag || !(generalName.get(1) instanceof String v)) {
        return false;
      }
      return type == Type.URI ? NamePattern.glob(pattern, v)
          : NamePattern.glob(pattern.toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
    }
  }
}
