/**
 * A witness: cosigns a log's checkpoints after checking consistency with the last one it cosigned,
 * keeps fork evidence, and reads consistency-proof files. Internal: not API, exported only to
 * custody's own modules; it may change in any release.
 */
package dev.custody.attest.internal.witness;
