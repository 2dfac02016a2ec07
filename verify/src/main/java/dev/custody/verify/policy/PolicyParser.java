package dev.custody.verify.policy;

import dev.custody.verify.internal.ExceptionText;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.Pem;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.policy.PolicyDocument.ListNode;
import dev.custody.verify.policy.PolicyDocument.MapNode;
import dev.custody.verify.policy.PolicyDocument.Member;
import dev.custody.verify.policy.PolicyDocument.Node;
import dev.custody.verify.policy.PolicyDocument.ScalarNode;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads the {@code custody/policy/v1} schema from a located document tree into a {@link
 * TrustPolicy}. Every error names the file, line and column of the offending value and the path of
 * the member. Package-private; use {@link TrustPolicy#load}. Not thread-safe (one per file).
 */
final class PolicyParser {
  /** Largest key or certificate file a policy may name. */
  static final int MAX_KEY_FILE_BYTES = 64 * 1024;
  /** Most root certificates in one roots file. */
  static final int MAX_ROOTS_PER_FILE = 100;
  private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?");
  private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,8}");

  private final String source;
  private final Path baseDir;
  private final Map<String, Organisation> organisations = new LinkedHashMap<>();
  private final List<Identity> identities = new ArrayList<>();
  private final Map<String, Identity> byName = new LinkedHashMap<>();
  private final Map<String, Signer> boundKeys = new LinkedHashMap<>();

  private PolicyParser(String source, Path baseDir) {
    this.source = source;
    this.baseDir = baseDir;
  }

  static TrustPolicy parse(MapNode root, String source, Path baseDir) throws PolicyException {
    return new PolicyParser(source, baseDir).policy(root);
  }

  private TrustPolicy policy(MapNode root) throws PolicyException {
    Member version = root.members().get("version");
    if (version == null) {
      throw fail(root, "missing member 'version'; a policy starts with 'version: " + TrustPolicy.VERSION + "'");
    }
    String v = string(version.value());
    if (!v.equals(TrustPolicy.VERSION)) {
      throw fail(version.value(), "unknown policy version " + Untrusted.quote(v) + "; this custody reads "
          + TrustPolicy.VERSION + " (a newer custody may read this file)");
    }
    Obj top = obj(root, "version", "organisations", "identities", "roles", "revocations", "externalRoots", "lineage",
        "transfers", "rules");
    Optional<Node> orgs = top.opt("organisations");
    if (orgs.isPresent()) {
      organisations(orgs.get());
    }
    for (Node n : top.list("identities")) {
      identity(n);
    }
    List<Role> roles = new ArrayList<>();
    for (Node n : top.list("roles")) {
      roles.add(role(n));
    }
    List<Revocation> revocations = new ArrayList<>();
    for (Node n : top.list("revocations")) {
      revocations.add(revocation(n));
    }
    Map<Digest, ExternalRoot> roots = new LinkedHashMap<>();
    for (Node n : top.list("externalRoots")) {
      ExternalRoot r = externalRoot(n);
      if (roots.putIfAbsent(r.digest(), r) != null) {
        throw fail(n, "external root " + r.digest() + " is declared twice");
      }
    }
    LineageSettings lineage = top.opt("lineage").isPresent() ? lineage(top.opt("lineage").get())
        : LineageSettings.strict();
    boolean acceptance = true;
    if (top.opt("transfers").isPresent()) {
      Obj t = obj(top.opt("transfers").get(), "requireAcceptance");
      if (t.opt("requireAcceptance").isPresent()) {
        acceptance = bool(t.opt("requireAcceptance").get());
      }
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> ruleIds = new HashSet<>();
    for (Node n : top.list("rules")) {
      Rule r = rule(n);
      if (!ruleIds.add(r.id())) {
        throw fail(n, "rule id " + Untrusted.quote(r.id()) + " is used twice; rule ids are unique (findings name them)");
      }
      rules.add(r);
    }
    return new TrustPolicy(source, false, organisations, identities, boundKeys, roles, revocations, roots, lineage,
        acceptance, rules);
  }

  // ---- organisations and identities

  private void organisations(Node node) throws PolicyException {
    MapNode m = map(node);
    for (Member member : m.members().values()) {
      String name = member.key();
      try {
        Organisation.requireName(name);
      } catch (IllegalArgumentException e) {
        throw new PolicyException(source, member.keyAt().line(), member.keyAt().column(),
            path(m, name) + ": " + Untrusted.quote(name) + " is not an organisation name: " + e.getMessage());
      }
      Obj o = obj(member.value(), "roots");
      List<X509Certificate> roots = new ArrayList<>();
      for (Node r : o.list("roots")) {
        roots.addAll(rootCertificates(r));
      }
      organisations.put(name, new Organisation(name, roots));
    }
  }

  private void identity(Node node) throws PolicyException {
    Obj o = obj(node, "name", "organisation", "keys", "certificate", "notBefore", "notAfter");
    Node nameNode = o.req("name");
    String name = string(nameNode);
    try {
      Identity.requireName(name);
    } catch (IllegalArgumentException e) {
      throw fail(nameNode, Untrusted.quote(name) + " is not an identity name: " + e.getMessage());
    }
    if (byName.containsKey(name)) {
      throw fail(nameNode, "identity " + Untrusted.quote(name) + " is declared twice; identity names are unique");
    }
    Node orgNode = o.req("organisation");
    String org = string(orgNode);
    Organisation organisation = organisations.get(org);
    if (organisation == null) {
      throw fail(orgNode, "unknown organisation " + Untrusted.quote(org) + " (declared: "
          + (organisations.isEmpty() ? "none" : String.join(", ", organisations.keySet()))
          + "); declare it under 'organisations' or fix the name");
    }
    if (!name.startsWith(org + "/")) {
      throw fail(nameNode, "identity " + Untrusted.quote(name) + " of organisation " + Untrusted.quote(org)
          + " must be named '" + org + "/...': names start with their organisation, so that a role for '" + org
          + "/*' reaches only " + org + "'s identities");
    }
    Optional<Node> keys = o.opt("keys");
    Optional<Node> cert = o.opt("certificate");
    if (keys.isPresent() == cert.isPresent()) {
      throw fail(node, "identity " + Untrusted.quote(name) + " needs exactly one of 'keys' (public keys) or"
          + " 'certificate' (constraints on certificates from " + org + "'s roots)");
    }
    Identity.Binding binding;
    List<VerificationKey> keyList = new ArrayList<>();
    if (keys.isPresent()) {
      for (Node k : list(keys.get())) {
        VerificationKey key = key(k);
        if (keyList.contains(key)) {
          throw fail(k, "key " + key.keyId() + " is listed twice for " + Untrusted.quote(name));
        }
        Signer other = boundKeys.get(key.keyId());
        if (other != null) {
          throw fail(k, "key " + key.keyId() + " is already bound to identity " + Untrusted.quote(
              other.identityName().orElse("")) + "; a key belongs to one identity");
        }
        keyList.add(key);
      }
      if (keyList.isEmpty()) {
        throw fail(keys.get(), "identity " + Untrusted.quote(name) + " lists no keys");
      }
      binding = new Identity.Keys(keyList);
    } else {
      if (organisation.roots().isEmpty()) {
        throw fail(cert.get(), "organisation " + Untrusted.quote(org) + " declares no roots, so no certificate can"
            + " prove identity " + Untrusted.quote(name) + "; add the organisation's CA certificates under roots");
      }
      binding = new Identity.Certified(constraints(cert.get()));
    }
    Optional<java.time.Instant> notBefore = o.opt("notBefore").isPresent()
        ? Optional.of(time(o.opt("notBefore").get())) : Optional.empty();
    Optional<java.time.Instant> notAfter = o.opt("notAfter").isPresent()
        ? Optional.of(time(o.opt("notAfter").get())) : Optional.empty();
    Identity identity;
    try {
      identity = new Identity(name, org, binding, notBefore, notAfter);
    } catch (IllegalArgumentException e) {
      throw fail(o.opt("notAfter").orElse(node), ExceptionText.printed(e));
    }
    identities.add(identity);
    byName.put(name, identity);
    for (VerificationKey k : keyList) {
      boundKeys.put(k.keyId(), new Signer(k, Optional.of(identity), Optional.empty()));
    }
  }

  private CertificateConstraints constraints(Node node) throws PolicyException {
    Obj o = obj(node, "subject", "san", "eku", "policies");
    Optional<CertificateConstraints.SubjectPattern> subject = Optional.empty();
    if (o.opt("subject").isPresent()) {
      Node s = o.opt("subject").get();
      subject = Optional.of(convert(s, () -> new CertificateConstraints.SubjectPattern(string(s))));
    }
    List<CertificateConstraints.SanPattern> san = new ArrayList<>();
    for (Node n : o.list("san")) {
      san.add(convert(n, () -> CertificateConstraints.SanPattern.parse(string(n))));
    }
    List<String> eku = oids(o.list("eku"));
    List<String> policies = oids(o.list("policies"));
    return new CertificateConstraints(subject, san, eku, policies);
  }

  private List<String> oids(List<Node> nodes) throws PolicyException {
    List<String> out = new ArrayList<>();
    for (Node n : nodes) {
      String oid = convert(n, () -> CertificateConstraints.requireOid(string(n)));
      if (out.contains(oid)) {
        throw fail(n, "OID " + oid + " is listed twice");
      }
      out.add(oid);
    }
    return out;
  }

  /** A key: a file path (relative to the policy's directory), inline PEM, or a JWK object. */
  private VerificationKey key(Node n) throws PolicyException {
    if (n instanceof MapNode m) {
      return convert(n, () -> Jwk.publicKey(jwkMembers(m)));
    }
    String text = string(n);
    try {
      if (text.stripLeading().startsWith("-----BEGIN")) {
        return VerificationKey.fromPem(text, where(n) + " inline key");
      }
      Path file = file(n, text);
      byte[] bytes = PolicyFiles.read(file, MAX_KEY_FILE_BYTES, "public key file");
      return VerificationKey.fromPem(new String(bytes, StandardCharsets.US_ASCII), file.toString());
    } catch (FormatException e) {
      throw fail(n, ExceptionText.printed(e));
    } catch (IOException e) {
      throw fail(n, "cannot read the key file: " + Untrusted.escape(String.valueOf(e.getMessage())));
    }
  }

  private Map<String, String> jwkMembers(MapNode m) throws PolicyException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Member member : m.members().values()) {
      if (!Jwk.MEMBERS.contains(member.key())) {
        throw new PolicyException(source, member.keyAt().line(), member.keyAt().column(), path(m, member.key())
            + ": unknown JWK member " + Untrusted.quote(member.key()) + " (a public JWK here has "
            + String.join(", ", Jwk.MEMBERS) + "; private members such as 'd' never belong in a policy)");
      }
      out.put(member.key(), string(member.value()));
    }
    return out;
  }

  private List<X509Certificate> rootCertificates(Node n) throws PolicyException {
    String text = string(n);
    String origin;
    String pem;
    try {
      if (text.stripLeading().startsWith("-----BEGIN")) {
        origin = where(n) + " inline certificate";
        pem = text;
      } else {
        Path file = file(n, text);
        origin = file.toString();
        pem = new String(PolicyFiles.read(file, MAX_KEY_FILE_BYTES, "CA certificate file"), StandardCharsets.US_ASCII);
      }
      List<X509Certificate> out = new ArrayList<>();
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : Pem.decodeAll(pem, "CERTIFICATE", MAX_ROOTS_PER_FILE, "certificate", origin)) {
        X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
        if (c.getEncoded().length != der.length) {
          throw fail(n, origin + ": a certificate has bytes after its DER encoding");
        }
        String subject = c.getSubjectX500Principal().getName();
        if (c.getBasicConstraints() < 0) {
          throw fail(n, origin + ": " + Untrusted.quote(subject) + " is not a CA certificate (basicConstraints CA:true"
              + " is required of an organisation root)");
        }
        boolean[] usage = c.getKeyUsage();
        if (usage != null && !usage[5]) {
          throw fail(n, origin + ": " + Untrusted.quote(subject) + " has a key usage without keyCertSign, so it"
              + " cannot certify anything");
        }
        out.add(c);
      }
      return out;
    } catch (FormatException e) {
      if (e instanceof PolicyException p) {
        throw p;
      }
      throw fail(n, ExceptionText.printed(e));
    } catch (IOException e) {
      throw fail(n, "cannot read the certificate file: " + Untrusted.escape(String.valueOf(e.getMessage())));
    } catch (CertificateException | ClassCastException e) {
      throw fail(n, "not an X.509 certificate: " + Untrusted.escape(String.valueOf(e.getMessage())));
    }
  }

  private Path file(Node n, String text) throws PolicyException {
    if (text.isEmpty() || text.indexOf('\0') >= 0) {
      throw fail(n, "expected a file path, inline PEM, or a JWK object");
    }
    try {
      return baseDir.resolve(text);
    } catch (InvalidPathException e) {
      throw fail(n, Untrusted.quote(text) + " is not a file path: " + e.getReason());
    }
  }

  // ---- roles, revocations, external roots, lineage

  private Role role(Node node) throws PolicyException {
    Obj o = obj(node, "identities", "kinds", "chains");
    List<NamePattern> ids = new ArrayList<>();
    for (Node n : nonEmpty(o.req("identities"))) {
      ids.add(identityPattern(n));
    }
    KindSet kinds = kinds(o.req("kinds"));
    List<NamePattern> chains = new ArrayList<>();
    for (Node n : nonEmpty(o.req("chains"))) {
      chains.add(convert(n, () -> NamePattern.parse(string(n))));
    }
    return new Role(ids, kinds, chains, where(node));
  }

  /** An identity name or pattern that names at least one declared identity. */
  private NamePattern identityPattern(Node n) throws PolicyException {
    NamePattern p = convert(n, () -> NamePattern.parse(string(n)));
    if (byName.keySet().stream().noneMatch(p::matches)) {
      throw fail(n, (p.isLiteral() ? "unknown identity " : "the pattern matches no identity: ") + Untrusted.quote(
          p.toString()) + " (declared: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())) + ")");
    }
    return p;
  }

  private Revocation revocation(Node node) throws PolicyException {
    Obj o = obj(node, "identity", "keyId", "at", "reason");
    Optional<Node> id = o.opt("identity");
    Optional<Node> key = o.opt("keyId");
    if (id.isPresent() == key.isPresent()) {
      throw fail(node, "a revocation names exactly one of 'identity' or 'keyId'");
    }
    java.time.Instant at = time(o.req("at"));
    Optional<String> reason = o.opt("reason").isPresent() ? Optional.of(string(o.opt("reason").get()))
        : Optional.empty();
    if (id.isPresent()) {
      String name = string(id.get());
      if (!byName.containsKey(name)) {
        throw fail(id.get(), "unknown identity " + Untrusted.quote(name) + "; revoke a declared identity");
      }
      return Revocation.ofIdentity(name, at, reason, where(node));
    }
    String k = string(key.get());
    return convert(key.get(), () -> Revocation.ofKey(k, at, reason, where(node)));
  }

  private ExternalRoot externalRoot(Node node) throws PolicyException {
    Obj o = obj(node, "digest", "kind", "name", "publisher", "requireSignature");
    Node d = o.req("digest");
    Digest digest = convert(d, () -> Digest.parse(string(d)));
    Node k = o.req("kind");
    ArtifactKind kind = convert(k, () -> ArtifactKind.fromJson(string(k)));
    String name = string(o.req("name"));
    Optional<String> publisher = o.opt("publisher").isPresent() ? Optional.of(string(o.opt("publisher").get()))
        : Optional.empty();
    boolean requireSignature = o.opt("requireSignature").isPresent() && bool(o.opt("requireSignature").get());
    return new ExternalRoot(digest, kind, name, publisher, where(node), requireSignature);
  }

  private LineageSettings lineage(Node node) throws PolicyException {
    List<String> allowed = new ArrayList<>();
    for (LineageSettings.Check c : LineageSettings.Check.values()) {
      allowed.add(c.member());
    }
    allowed.add("backedKinds");
    Obj o = obj(node, allowed.toArray(String[]::new));
    LineageSettings defaults = LineageSettings.strict();
    Map<LineageSettings.Check, LineageSettings.Level> levels = new EnumMap<>(defaults.levels());
    for (LineageSettings.Check c : LineageSettings.Check.values()) {
      Optional<Node> n = o.opt(c.member());
      if (n.isPresent()) {
        String v = string(n.get());
        levels.put(c, switch (v) {
          case "error" -> LineageSettings.Level.ERROR;
          case "warning" -> LineageSettings.Level.WARNING;
          case "off" -> LineageSettings.Level.OFF;
          default -> throw fail(n.get(), Untrusted.quote(v) + " is not a level: write error, warning or off");
        });
      }
    }
    Set<ArtifactKind> backed = defaults.backedKinds();
    if (o.opt("backedKinds").isPresent()) {
      backed = new LinkedHashSet<>();
      for (Node n : list(o.opt("backedKinds").get())) {
        if (!backed.add(convert(n, () -> ArtifactKind.fromJson(string(n))))) {
          throw fail(n, "artifact kind listed twice");
        }
      }
    }
    return new LineageSettings(levels, backed);
  }

  // ---- rules

  private static final List<String> SHAPES = List.of("requirePredecessor", "separationOfDuties", "approvals", "metric",
      "requireParameter", "cel");

  private Rule rule(Node node) throws PolicyException {
    List<String> allowed = new ArrayList<>(SHAPES);
    allowed.add(0, "id");
    Obj o = obj(node, allowed.toArray(String[]::new));
    Node idNode = o.req("id");
    String id = string(idNode);
    if (!Rule.ID.matcher(id).matches()) {
      throw fail(idNode, Untrusted.quote(id) + " is not a rule id: 1-64 characters of a-z 0-9 . _ -, starting with a"
          + " letter or digit");
    }
    List<String> shapes = SHAPES.stream().filter(s -> o.opt(s).isPresent()).toList();
    if (shapes.size() != 1) {
      throw fail(node, "rule " + Untrusted.quote(id) + " has " + (shapes.isEmpty() ? "no shape" : "shapes " + shapes)
          + "; give exactly one of " + String.join(", ", SHAPES));
    }
    Node body = o.opt(shapes.get(0)).orElseThrow();
    String at = where(node);
    return switch (shapes.get(0)) {
      case "requirePredecessor" -> {
        Obj b = obj(body, "kind", "predecessor", "sameModel");
        yield new Rule.RequirePredecessor(id, kinds(b.req("kind")), kind(b.req("predecessor")),
            b.opt("sameModel").isPresent() && bool(b.opt("sameModel").get()), at);
      }
      case "separationOfDuties" -> {
        Obj b = obj(body, "kinds", "distinctFrom", "by");
        Rule.Party by = Rule.Party.IDENTITY;
        if (b.opt("by").isPresent()) {
          String v = string(b.opt("by").get());
          by = switch (v) {
            case "identity" -> Rule.Party.IDENTITY;
            case "organisation" -> Rule.Party.ORGANISATION;
            case "key" -> Rule.Party.KEY;
            default -> throw fail(b.opt("by").get(), Untrusted.quote(v) + " is not a party: write identity,"
                + " organisation or key");
          };
        }
        yield new Rule.SeparationOfDuties(id, kinds(b.req("kinds")), kinds(b.req("distinctFrom")), by, at);
      }
      case "approvals" -> {
        Obj b = obj(body, "kind", "count", "identities");
        Node countNode = b.req("count");
        int count = count(countNode);
        if (count < 1 || count > Rule.Approvals.MAX_COUNT) {
          throw fail(countNode, "count must be 1 to " + Rule.Approvals.MAX_COUNT);
        }
        List<NamePattern> ids = new ArrayList<>();
        for (Node n : nonEmpty(b.req("identities"))) {
          ids.add(identityPattern(n));
        }
        yield new Rule.Approvals(id, kinds(b.req("kind")), count, ids, at);
      }
      case "metric" -> {
        Obj b = obj(body, "name", "min", "max", "kind");
        Node nameNode = b.req("name");
        String name = string(nameNode);
        convert(nameNode, () -> new EventDetails.Evaluation(new TreeMap<>(Map.of(name, BigDecimal.ZERO))));
        Optional<BigDecimal> min = b.opt("min").isPresent() ? Optional.of(decimal(b.opt("min").get())) : Optional.empty();
        Optional<BigDecimal> max = b.opt("max").isPresent() ? Optional.of(decimal(b.opt("max").get())) : Optional.empty();
        KindSet kind = b.opt("kind").isPresent() ? kinds(b.opt("kind").get()) : KindSet.of(EventType.RELEASE);
        yield convert(body, () -> new Rule.MetricThreshold(id, kind, name, min, max, at));
      }
      case "requireParameter" -> {
        Obj b = obj(body, "kind", "parameter", "values");
        Node p = b.req("parameter");
        String parameter = string(p);
        convert(p, () -> Event.builder(EventType.TRAINING).parameter(parameter, "").build());
        List<String> values = new ArrayList<>();
        for (Node n : b.list("values")) {
          values.add(string(n));
        }
        yield new Rule.RequireParameter(id, kinds(b.req("kind")), parameter, values, at);
      }
      case "cel" -> {
        Obj b = obj(body, "kind", "expression");
        Node e = b.req("expression");
        CelCondition condition = convert(e, () -> CelCondition.compile(string(e)));
        KindSet kind = b.opt("kind").isPresent() ? kinds(b.opt("kind").get()) : KindSet.ALL;
        yield new Rule.Cel(id, kind, condition, at);
      }
      default -> throw new IllegalStateException(shapes.get(0));
    };
  }

  // ---- typed values

  /** One kind, or a list of kinds, or "*". */
  private KindSet kinds(Node n) throws PolicyException {
    List<Node> items = n instanceof ListNode l ? l.items() : List.of(n);
    if (items.isEmpty()) {
      throw fail(n, "expected at least one kind (a kind name, a custom kind URI, or \"*\")");
    }
    Set<EventType> out = new LinkedHashSet<>();
    for (Node i : items) {
      if (string(i).equals("*")) {
        if (items.size() != 1) {
          throw fail(i, "\"*\" (every kind) stands alone");
        }
        return KindSet.ALL;
      }
      if (!out.add(kind(i))) {
        throw fail(i, "kind listed twice");
      }
    }
    return new KindSet(false, out);
  }

  private EventType kind(Node n) throws PolicyException {
    String s = string(n);
    return convert(n, () -> EventType.of(s));
  }

  private java.time.Instant time(Node n) throws PolicyException {
    String s = string(n);
    try {
      return EntryCodec.time(s, "time");
    } catch (FormatException e) {
      throw fail(n, Untrusted.quote(s) + " is not a UTC time like 2026-01-01T00:00:00Z (RFC 3339, ending in Z)");
    }
  }

  private boolean bool(Node n) throws PolicyException {
    if (n instanceof ScalarNode s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)
        && (s.text().equals("true") || s.text().equals("false"))) {
      return s.token() == JsonToken.VALUE_TRUE;
    }
    throw fail(n, "expected true or false, got " + n.describe());
  }

  private int count(Node n) throws PolicyException {
    if (n instanceof ScalarNode s && s.token() == JsonToken.VALUE_NUMBER_INT && COUNT.matcher(s.text()).matches()) {
      return Integer.parseInt(s.text());
    }
    throw fail(n, "expected a whole number written in decimal, got " + n.describe());
  }

  private BigDecimal decimal(Node n) throws PolicyException {
    if (n instanceof ScalarNode s && (s.token() == JsonToken.VALUE_NUMBER_INT || s.token() == JsonToken.VALUE_NUMBER_FLOAT)
        && DECIMAL.matcher(s.text()).matches()) {
      return new BigDecimal(s.text());
    }
    throw fail(n, "expected a decimal number such as 0.8, got " + n.describe());
  }

  private String string(Node n) throws PolicyException {
    if (n instanceof ScalarNode s && s.token() == JsonToken.VALUE_STRING) {
      return s.text();
    }
    // YAML 1.1 reads yes/no/on/off as booleans; here only true and false are (see bool), so those words
    // are text where text belongs: the lineage level off, written bare as the README writes it.
    if (n instanceof ScalarNode s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)
        && !s.text().equals("true") && !s.text().equals("false")) {
      return s.text();
    }
    throw fail(n, "expected a string, got " + n.describe() + (n instanceof ScalarNode
        ? " (quote it if it is meant as text)" : ""));
  }

  private MapNode map(Node n) throws PolicyException {
    if (n instanceof MapNode m) {
      return m;
    }
    throw fail(n, "expected a mapping, got " + n.describe());
  }

  private List<Node> list(Node n) throws PolicyException {
    if (n instanceof ListNode l) {
      return l.items();
    }
    throw fail(n, "expected a list, got " + n.describe());
  }

  private List<Node> nonEmpty(Node n) throws PolicyException {
    List<Node> l = list(n);
    if (l.isEmpty()) {
      throw fail(n, "expected at least one item");
    }
    return l;
  }

  /** A mapping whose members must be among {@code allowed}. */
  private Obj obj(Node n, String... allowed) throws PolicyException {
    MapNode m = map(n);
    List<String> ok = List.of(allowed);
    for (Member member : m.members().values()) {
      if (!ok.contains(member.key())) {
        throw new PolicyException(source, member.keyAt().line(), member.keyAt().column(), path(m, member.key())
            + ": unknown member " + Untrusted.quote(member.key()) + (m.path().isEmpty() ? "" : " of " + m.path())
            + " (expected " + String.join(", ", ok) + ")");
      }
    }
    return new Obj(m);
  }

  private final class Obj {
    private final MapNode m;

    Obj(MapNode m) {
      this.m = m;
    }

    Optional<Node> opt(String key) {
      return Optional.ofNullable(m.members().get(key)).map(Member::value);
    }

    Node req(String key) throws PolicyException {
      Member member = m.members().get(key);
      if (member == null) {
        throw fail(m, "missing member " + Untrusted.quote(key));
      }
      return member.value();
    }

    /** The list at {@code key}, or an empty list when absent. */
    List<Node> list(String key) throws PolicyException {
      Optional<Node> n = opt(key);
      return n.isPresent() ? PolicyParser.this.list(n.get()) : List.of();
    }
  }

  @FunctionalInterface
  private interface Conversion<T> {
    T get() throws PolicyException;
  }

  /** Runs a validating constructor; its IllegalArgumentException becomes an error at {@code n}. */
  private <T> T convert(Node n, Conversion<T> c) throws PolicyException {
    try {
      return c.get();
    } catch (IllegalArgumentException e) {
      throw fail(n, ExceptionText.printed(e));
    }
  }

  private static String path(MapNode m, String key) {
    return m.path().isEmpty() ? key : m.path() + "." + key;
  }

  private String where(Node n) {
    return source + ":" + n.at().line() + ":" + n.at().column();
  }

  private PolicyException fail(Node n, String message) {
    String p = n.path().isEmpty() ? "" : n.path() + ": ";
    return new PolicyException(source, n.at().line(), n.at().column(), p + message);
  }
}
