/**
 * API. The trust policy: who may sign what, when, and the rules a model's lineage must follow
 * ({@code custody verify --policy FILE}).
 *
 * <h2>Reading a policy</h2>
 * {@link dev.custody.verify.policy.TrustPolicy#load} reads a {@code custody/policy/v1} file (YAML, or
 * JSON by its {@code .json} name) strictly: unknown members, duplicate keys, wrong types, YAML
 * anchors, aliases and tags, a second document, names it does not declare, and files that are
 * links, FIFOs or over-size are {@link dev.custody.verify.policy.PolicyException}s naming file, line
 * and column. {@link dev.custody.verify.policy.TrustPolicy#trustAll} is {@code --trust DIR}.
 *
 * <h2>Using it while verifying</h2>
 * <ol>
 *   <li>Before checking an entry's signature: {@code policy.resolver(CertificateSource.ledger(dir))}
 *       (one per verification) and {@link dev.custody.verify.policy.SignerResolver#resolve} of the
 *       header's key id: a {@link dev.custody.verify.policy.Resolution.Trusted} signer whose key
 *       verifies the entry, or a {@link dev.custody.verify.policy.Resolution.Rejected} with its
 *       finding code ({@code KEY_UNTRUSTED}, {@code CERTIFICATE_INVALID}, {@code IDENTITY_UNKNOWN}).
 *       Certificate identities are validated here (PKIX to the organisation's roots, constraints).
 *   <li>After the payload parses: {@link dev.custody.verify.policy.TrustPolicy#authorize} (roles:
 *       kind on chain) gives {@code ROLE_VIOLATION}.
 *   <li>Once proven times are known (checkpoint timestamps and witnesses) and the ledger's
 *       authorised {@code revocation} entries are collected ({@link
 *       dev.custody.verify.policy.TrustPolicy#authorizeRevocation}):
 *       {@link dev.custody.verify.policy.TrustPolicy#checkTime} applies the {@link
 *       dev.custody.verify.policy.TimeRule} ({@code IDENTITY_REVOKED}, {@code IDENTITY_EXPIRED},
 *       {@code IDENTITY_NOT_YET_VALID}).
 *   <li>Once every step is known: {@link dev.custody.verify.policy.PolicyEvaluator#evaluate} over a
 *       {@link dev.custody.verify.policy.StepView} of the lineage checks the {@link
 *       dev.custody.verify.policy.Rule}s ({@code RULE_VIOLATION}) and custody transfers
 *       ({@code TRANSFER_NOT_ACCEPTED}, {@code TRANSFER_INVALID}, {@code CHAIN_NOT_OWNER}).
 * </ol>
 * The lineage stage reads {@link dev.custody.verify.policy.TrustPolicy#lineage} for the severity of
 * its gap findings and {@link dev.custody.verify.policy.TrustPolicy#externalRoot} for inputs that
 * need no producing step.
 *
 * <p>What is not checked: certificate revocation (CRL, OCSP) — verification is offline; remove a
 * compromised CA from the policy and revoke identities or keys in the policy's {@code revocations}.
 */
package dev.custody.verify.policy;
