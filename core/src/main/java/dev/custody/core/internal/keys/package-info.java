/**
 * Strict readers of key encodings shared by the ledger's keys ({@code core.jws}) and
 * outside signers' keys ({@code core.dsse}).
 *
 * <p>Internal: not API, not exported; it may change in any release.
 */
package dev.custody.core.internal.keys;
