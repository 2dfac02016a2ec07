/**
 * API. Judging evidence offline: the trust policy ({@link dev.custody.verify.TrustedKeys}), ledger replay
 * ({@link dev.custody.verify.LedgerVerifier}) and its structured result
 * ({@link dev.custody.verify.VerificationReport} of {@link dev.custody.verify.Finding}s with stable
 * {@link dev.custody.verify.FindingCode}s). Depends on {@code core} only: a verifier carries no
 * signing code, key storage or database driver (DESIGN.md §2).
 *
 * <p>Where things happen (in {@code dev.custody.verify.internal.replay}): per-record format and signature checks in {@code RecordCheck}; chain
 * integrity (sequence, prev links, forks, duplicates) in {@code ChainReplay}; the parallel, ordered
 * pipeline in {@code LedgerVerifier}.
 */
package dev.custody.verify;
