/**
 * custody's formats and their checks: digests, events and entries, JWS entry signatures, signed notes
 * and checkpoints, RFC 9162 Merkle proofs, model manifests, safetensors, RFC 3161 timestamps and model
 * comparison. The {@code internal} packages are shared with custody's own modules only.
 */
// "module": the qualified exports name custody's other modules, which javac cannot see while it compiles this one.
@SuppressWarnings("module")
module dev.custody.core {
  // Types of these three appear in API signatures (JsonGenerator/JsonNode in EntryCodec and ModelManifest,
  // JWSAlgorithm/JWSHeader in core.jws, TimeStampResponse in TimestampToken), so their readers read them too.
  requires transitive com.fasterxml.jackson.databind;
  requires java.management;
  requires jdk.management;
  // sun.misc.Unsafe.invokeCleaner, found reflectively: ModelHasher unmaps each mapped window once hashed.
  requires jdk.unsupported;
  requires transitive com.nimbusds.jose.jwt;
  requires org.bouncycastle.lts.prov;
  requires transitive org.bouncycastle.lts.pkix;
  requires org.bouncycastle.lts.util;
  // @Nullable (JSpecify) marks where core's signatures allow null; clients read it to see that too.
  requires transitive org.jspecify;

  exports dev.custody.core;
  exports dev.custody.core.bundle;
  exports dev.custody.core.checkpoint;
  exports dev.custody.core.derivation;
  exports dev.custody.core.dsse;
  exports dev.custody.core.entry;
  exports dev.custody.core.event;
  exports dev.custody.core.intoto;
  exports dev.custody.core.jws;
  exports dev.custody.core.manifest;
  exports dev.custody.core.merkle;
  exports dev.custody.core.note;
  exports dev.custody.core.safetensors;
  exports dev.custody.core.sigstore;
  exports dev.custody.core.timestamp;

  exports dev.custody.core.internal.io to dev.custody.attest;
  exports dev.custody.core.internal.json to dev.custody.attest, dev.custody.verify;
  exports dev.custody.core.internal.ledger to dev.custody.attest, dev.custody.verify;
  exports dev.custody.core.internal.text to dev.custody.attest, dev.custody.verify;
}
