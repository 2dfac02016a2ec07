/**
 * Hashing artifacts for the ledger: a file's SHA-256 or a directory's manifest, and the manifest store
 * inside the ledger directory. Internal: not API, exported only to custody's own modules; it may
 * change in any release.
 */
package dev.custody.attest.internal.artifacts;
