package dev.custody.attest.interop;

import dev.custody.attest.AttestException;
import dev.custody.attest.Signer;
import dev.custody.core.intoto.ResourceDescriptor;
import dev.custody.core.intoto.Statement;
import dev.custody.core.manifest.ModelManifest;
import dev.custody.core.sigstore.OmsSignature;
import dev.custody.core.sigstore.SigstoreBundle;
import java.util.List;

/**
 * A model as an OpenSSF model signing v1.0 signature ({@code model.sig}): a Sigstore bundle v0.3
 * whose DSSE envelope holds an in-toto Statement v1 with predicate type
 * {@value OmsSignature#PREDICATE_TYPE}, one subject (the model's name, {@code sha256} = the
 * manifest's root digest) and the manifest as predicate — what the reference implementation writes
 * for the key method, except that the bundle names the key by a {@code publicKey.hint} (the key id) as
 * the bundle specification says, where OMS 1.0.x puts the PEM key in a non-standard
 * {@code rawBytes}. Thread-safe (stateless).
 */
public final class OmsExport {
  private OmsExport() {}

  /**
   * Signs {@code manifest} as the model {@code name}.
   *
   * @return the bundle's JSON bytes
   */
  public static byte[] sign(ModelManifest manifest, String name, Signer signer) throws AttestException {
    Statement s = new Statement(List.of(ResourceDescriptor.subject(name, "sha256", manifest.rootDigest().value().hex())),
        OmsSignature.PREDICATE_TYPE, manifest.toJsonNode());
    DsseSigner dsse = new DsseSigner(signer);
    return SigstoreBundle.writeDsse(dsse.sign(Statement.PAYLOAD_TYPE, s.toJson()), dsse.keyId());
  }
}
