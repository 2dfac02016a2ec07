package dev.custody.verify.policy;

import dev.custody.verify.internal.ExceptionText;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageSettings;
import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.Digest;
import dev.custody.core.event.EventType;
import dev.custody.core.jws.VerificationKey;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.FindingCode;
import dev.custody.verify.TrustedKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A verifier's trust policy ({@code custody/policy/v1}): who may sign (identities bound to keys or
 * to certificates of an organisation's CAs), what (roles: kinds on chains), when (validity windows,
 * revocations), which inputs need no producing step (external roots), how strict lineage is, and
 * the rules a model's steps must follow. Immutable and thread-safe; the README's "Trust policy"
 * section documents the file field by field.
 *
 * <p>Two ways to get one: {@link #load} reads a policy file strictly (any problem is a {@link
 * PolicyException} naming file, line and column); {@link #trustAll} is {@code custody verify --trust
 * DIR}: every key may sign every kind on every chain, with no identities, and lineage gaps are
 * warnings.
 *
 * <p>How the verifier uses it, per entry: {@link #resolver} resolves the header's key id to a
 * {@link Signer} (or says why not) before the signature is checked; after the payload parses,
 * {@link #authorize} checks the signer's roles for the entry's kind and chain, and {@link #checkTime}
 * the validity windows and revocations against the entry's claimed and proven times; once every
 * step is known, {@link PolicyEvaluator} checks the rules and custody transfers.
 */
public final class TrustPolicy {
  /** The one version this reader accepts. */
  public static final String VERSION = "custody/policy/v1";
  /** Largest policy file read. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private final String source;
  private final boolean trustAll;
  private final Map<String, Organisation> organisations;
  private final List<Identity> identities;
  private final Map<String, Identity> byName;
  private final Map<String, Signer> boundKeys;
  private final CertificateValidator certificates;
  private final List<Role> roles;
  private final List<Revocation> revocations;
  private final Map<Digest, ExternalRoot> externalRoots;
  private final LineageSettings lineage;
  private final boolean requireTransferAcceptance;
  private final List<Rule> rules;

  TrustPolicy(String source, boolean trustAll, Map<String, Organisation> organisations, List<Identity> identities,
      Map<String, Signer> boundKeys, List<Role> roles, List<Revocation> revocations,
      Map<Digest, ExternalRoot> externalRoots, LineageSettings lineage, boolean requireTransferAcceptance,
      List<Rule> rules) {
    this.source = Objects.requireNonNull(source, "source");
    this.trustAll = trustAll;
    this.organisations = Collections.unmodifiableMap(new LinkedHashMap<>(organisations));
    this.identities = List.copyOf(identities);
    Map<String, Identity> names = new LinkedHashMap<>();
    List<Identity> certified = new ArrayList<>();
    for (Identity i : this.identities) {
      if (names.put(i.name(), i) != null) {
        throw new IllegalArgumentException("identity '" + i.name() + "' is declared twice");
      }
      if (!this.organisations.containsKey(i.organisation())) {
        throw new IllegalArgumentException("identity '" + i.name() + "' names an undeclared organisation");
      }
      if (i.binding() instanceof Identity.Certified) {
        certified.add(i);
      }
    }
    this.byName = Collections.unmodifiableMap(names);
    this.boundKeys = Map.copyOf(boundKeys);
    this.certificates = new CertificateValidator(certified, this.organisations);
    this.roles = List.copyOf(roles);
    this.revocations = List.copyOf(revocations);
    this.externalRoots = Map.copyOf(externalRoots);
    this.lineage = Objects.requireNonNull(lineage, "lineage");
    this.requireTransferAcceptance = requireTransferAcceptance;
    this.rules = List.copyOf(rules);
  }

  /**
   * Reads and validates a policy file: YAML, or JSON if its name ends in {@code .json}. Relative
   * key and certificate paths in it resolve against the file's directory.
   *
   * @throws PolicyException naming file, line and column of the first problem and what to do
   * @throws IOException if the file cannot be read
   */
  public static TrustPolicy load(Path file) throws IOException, PolicyException {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try {
      bytes = PolicyFiles.read(file, MAX_FILE_BYTES, "policy file");
    } catch (FormatException e) {
      throw new PolicyException(file.toString(), 0, 0, ExceptionText.printed(e), e);
    }
    PolicyDocument.Syntax syntax = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
        ? PolicyDocument.Syntax.JSON : PolicyDocument.Syntax.YAML;
    // An absolute path has a parent unless it is the root, which is no file and was not read above.
    Path dir = LedgerFiles.parentOf(file.toAbsolutePath());
    return PolicyParser.parse(PolicyDocument.read(bytes, file.toString(), syntax), file.toString(), dir);
  }

  /**
   * {@code --trust DIR}: every key of {@code keys} may sign every kind on every chain, at any time;
   * keys have no identities, there are no certificates, external roots, rules or revocations, and
   * lineage gaps are warnings ({@link LineageSettings#lenient}).
   */
  public static TrustPolicy trustAll(TrustedKeys keys) {
    Objects.requireNonNull(keys, "keys");
    Map<String, Signer> bound = new LinkedHashMap<>();
    for (VerificationKey k : keys.keys()) {
      bound.put(k.keyId(), new Signer(k, Optional.empty(), Optional.empty()));
    }
    return new TrustPolicy("trusted keys", true, Map.of(), List.of(), bound, List.of(), List.of(), Map.of(),
        LineageSettings.lenient(), false, List.of());
  }

  /** A resolver of key ids for one verification, reading certificate chains from {@code source}. */
  public SignerResolver resolver(CertificateSource source) {
    return new SignerResolver(this, source);
  }

  /**
   * Whether {@code signer} may sign an entry of {@code kind} on {@code chain}: under {@link
   * #trustAll} always; under a policy when any role grants it to the signer's identity.
   *
   * @return empty if allowed; else a {@code ROLE_VIOLATION} (or {@code IDENTITY_UNKNOWN} for a
   *     signer without identity) saying what the policy would need
   */
  public Optional<Violation> authorize(Signer signer, EventType kind, String chain) {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(chain, "chain");
    if (trustAll) {
      return Optional.empty();
    }
    if (signer.identity().isEmpty()) {
      return Optional.of(new Violation(FindingCode.IDENTITY_UNKNOWN, signer.describe() + " has no identity in the"
          + " policy, so no role can allow it"));
    }
    String name = signer.identity().get().name();
    // Decided once per (identity, kind, chain): a ledger repeats them for every entry. Bounded memo.
    String key = name + '\n' + kind.name() + '\n' + chain;
    Boolean memo = allowed.get(key);
    boolean ok = memo != null ? memo : roles.stream().anyMatch(r -> r.allows(name, kind, chain));
    if (memo == null && allowed.size() < MAX_MEMO) {
      allowed.put(key, ok);
    }
    if (ok) {
      return Optional.empty();
    }
    return Optional.of(new Violation(FindingCode.ROLE_VIOLATION, "identity " + Untrusted.quote(name)
        + " holds no role that allows kind " + Untrusted.quote(kind.name()) + " on chain " + Untrusted.quote(chain)
        + " (" + source + " roles: " + (roles.isEmpty() ? "none" : describeRoles(kind)) + "); grant it in a role"
        + " if this is intended"));
  }

  private String describeRoles(EventType kind) {
    List<String> out = new ArrayList<>();
    for (Role r : roles) {
      if (r.kinds().contains(kind)) {
        out.add(r.identities() + " on " + r.chains() + " at " + r.source());
      }
    }
    return out.isEmpty() ? "none grants " + Untrusted.quote(kind.name()) : Untrusted.quote(kind.name())
        + " is granted to " + String.join("; ", out);
  }

  /**
   * Whether a {@code revocation} entry by {@code revoker} on {@code chain} may revoke {@code target}
   * (an identity; empty for a bare key, revocable by any authorised revoker): the revoker must be
   * allowed kind {@code revocation} on that chain, and, under a policy, belong to the target's
   * organisation — one organisation cannot revoke another's identities.
   *
   * @return empty if it may
   */
  public Optional<Violation> authorizeRevocation(Signer revoker, String chain, Optional<Identity> target) {
    Optional<Violation> role = authorize(revoker, EventType.REVOCATION, chain);
    if (role.isPresent() || trustAll || target.isEmpty()) {
      return role;
    }
    String org = revoker.organisation().orElse("");
    if (!org.equals(target.get().organisation())) {
      return Optional.of(new Violation(FindingCode.ROLE_VIOLATION, revoker.describe() + " of organisation "
          + Untrusted.quote(org) + " may not revoke identity " + Untrusted.quote(target.get().name()) + " of "
          + Untrusted.quote(target.get().organisation()) + "; an organisation revokes only its own identities"));
    }
    return Optional.empty();
  }

  /**
   * The {@link TimeRule} for one entry, with the policy's revocations and {@code more} (authorised
   * {@code revocation} entries of the ledger).
   */
  public List<Violation> checkTime(Signer signer, java.time.Instant claimed, java.time.Instant proven,
      Collection<Revocation> more) {
    List<Revocation> all = new ArrayList<>(revocations);
    all.addAll(more);
    return TimeRule.check(signer, claimed, proven, all);
  }

  /**
   * Whether the {@link TimeRule} can fail for {@code signer} under this policy alone: its identity has
   * a validity window, it is certified (certificates expire), or a revocation of the policy covers it.
   * (Revocation entries of a ledger are the caller's to consider.)
   */
  public boolean isTimeBounded(Signer signer) {
    return signer.certificate().isPresent()
        || signer.identity().map(i -> i.notBefore().isPresent() || i.notAfter().isPresent()).orElse(false)
        || revocations.stream().anyMatch(r -> r.covers(signer));
  }

  /** Role decisions remembered: a few hundred bytes each, at most a few tens of MiB. */
  private static final int MAX_MEMO = 100_000;
  private final java.util.Map<String, Boolean> allowed = new java.util.concurrent.ConcurrentHashMap<>();

  /** Whether this is the {@code --trust DIR} policy. */
  public boolean isTrustAll() {
    return trustAll;
  }

  /** The policy file, or {@code trusted keys}. */
  public String source() {
    return source;
  }

  public Map<String, Organisation> organisations() {
    return organisations;
  }

  /** Identities in file order. */
  public List<Identity> identities() {
    return identities;
  }

  /** The identity named {@code name}. */
  public Optional<Identity> identity(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<Role> roles() {
    return roles;
  }

  /** Revocations stated in the policy. */
  public List<Revocation> revocations() {
    return revocations;
  }

  /** The external root with this digest, if the policy declares one. */
  public Optional<ExternalRoot> externalRoot(Digest digest) {
    return Optional.ofNullable(externalRoots.get(digest));
  }

  public Collection<ExternalRoot> externalRoots() {
    return externalRoots.values();
  }

  public LineageSettings lineage() {
    return lineage;
  }

  /** Whether the first entry after a custody transfer must be the receiver's approval of it (default true). */
  public boolean requireTransferAcceptance() {
    return requireTransferAcceptance;
  }

  /** Rules in file order. */
  public List<Rule> rules() {
    return rules;
  }

  /** The signer of a key bound to an identity (or, under {@link #trustAll}, a trusted key). */
  Optional<Signer> boundKey(String keyId) {
    return Optional.ofNullable(boundKeys.get(keyId));
  }

  boolean hasCertificateIdentities() {
    return !certificates.isEmpty();
  }

  CertificateValidator certificates() {
    return certificates;
  }

  @Override
  public String toString() {
    return trustAll ? "trust-all policy of " + boundKeys.size() + " keys"
        : "policy " + source + " (" + identities.size() + " identities, " + roles.size() + " roles, " + rules.size()
            + " rules)";
  }
}
