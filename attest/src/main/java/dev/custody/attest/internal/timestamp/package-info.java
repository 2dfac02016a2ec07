/**
 * Asking an RFC 3161 timestamp authority to stamp a checkpoint, and keeping the responses beside it.
 * Internal: not API, exported only to custody's own modules; it may change in any release.
 */
package dev.custody.attest.internal.timestamp;
