/**
 * The replay machinery behind {@code LedgerVerifier}: per-record checks, chain integrity, log
 * transparency (checkpoints, witnesses, timestamps), time checks and the compact sets they use.
 * Internal: not API, exported only to custody's own modules; it may change in any release.
 */
package dev.custody.verify.internal.replay;
