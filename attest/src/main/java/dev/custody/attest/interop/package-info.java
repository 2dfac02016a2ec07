/**
 * custody's ledger in the ecosystem's formats, signed at export time with a key the user gives:
 * each entry as an in-toto Statement v1 in a DSSE envelope in a Sigstore bundle v0.3
 * ({@link dev.custody.attest.interop.InTotoExport}), and a model as an OpenSSF model signing v1.0
 * signature ({@link dev.custody.attest.interop.OmsExport}). {@link dev.custody.attest.interop.InteropExport}
 * is the entry point the CLI calls. DSSE signs {@code PAE(payloadType, payload)}, not a JWS.
 */
package dev.custody.attest.interop;
