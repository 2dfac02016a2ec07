package dev.custody.verify;

import dev.custody.core.CustodyException;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.internal.ledger.OmsSignatureFiles;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.core.sigstore.OmsSignature;
import dev.custody.verify.lineage.ExternalRoot;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.policy.TrustPolicy;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Re-checks the OpenSSF model signatures that inputs were recorded with ({@code record
 * --input-signature}, {@link OmsSignatureFiles}): for every authentic step and every input that names
 * a signature, the stored files must still have their signed digests, the signature must verify with
 * the stored key or roots, and it must sign the input's digest. A failure is
 * {@link FindingCode#INPUT_SIGNATURE_INVALID} or {@link FindingCode#INPUT_SIGNATURE_MISSING} at the
 * entry; a success {@link FindingCode#INPUT_SIGNATURE_VERIFIED}. It does not judge whether the
 * publisher is one to trust.
 */
final class OmsInputCheck {
  private OmsInputCheck() {}

  /**
   * The findings for every signed input of {@code graph}'s steps, and for every input that is an
   * external root of {@code policy} declared with {@code requireSignature} but was recorded without
   * a signature; {@code dirs} maps ledger labels to directories. An evidence bundle (a label in
   * {@code bundles}) does not carry the stored signatures: its signed inputs are named as not re-checked.
   */
  static List<Finding> check(LineageGraph graph, Map<String, Path> dirs, java.util.Set<String> bundles,
      TrustPolicy policy) {
    List<Finding> out = new ArrayList<>();
    for (Step s : graph.steps()) {
      for (ArtifactRef a : s.event().inputs()) {
        String what = "input " + Untrusted.quote(a.name()) + " of " + s.describe(dirs.size() > 1);
        if (!OmsSignatureFiles.isSigned(a)) {
          policy.externalRoot(a.digest()).filter(ExternalRoot::requireSignature).ifPresent(r -> out.add(
              Finding.of(FindingCode.INPUT_SIGNATURE_REQUIRED, s.ref(), what + " is the external root "
                  + Untrusted.quote(r.describe()) + " (" + r.source() + "), which the policy accepts only with its"
                  + " publisher's OpenSSF model signature; record it with --input-signature")));
          continue;
        }
        if (bundles.contains(s.ledger())) {
          out.add(Finding.of(FindingCode.BUNDLE_PARTIAL, s.ref(), what + " was recorded with its publisher's"
              + " OpenSSF model signature, which evidence bundles do not carry: it was checked when it was recorded"
              + " (the entry's signature covers that record), not again here; verify the ledger to re-check it"));
          continue;
        }
        Path dir = Objects.requireNonNull(dirs.get(s.ledger()), "a directory for every ledger verified");
        try {
          OmsSignature.Verified v = OmsSignatureFiles.check(dir, a);
          out.add(Finding.of(FindingCode.INPUT_SIGNATURE_VERIFIED, s.ref(), what + ": its OpenSSF model signature"
              + " verified again (" + v.manifest().resources().size() + " resources, signed by " + v.signer() + ")"));
        } catch (NoSuchFileException e) {
          out.add(Finding.of(FindingCode.INPUT_SIGNATURE_MISSING, s.ref(), what + ": the OpenSSF model signature"
              + " it was recorded with is not in the ledger: " + Untrusted.quote(String.valueOf(e.getFile()))));
        } catch (IOException | CustodyException e) {
          out.add(Finding.of(FindingCode.INPUT_SIGNATURE_INVALID, s.ref(), what + ": its OpenSSF model signature"
              + " no longer checks: " + e.getMessage()));
        }
      }
    }
    return out;
  }
}
