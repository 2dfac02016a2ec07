/**
 * The ledger directory's layout and files: where segments, tiles, checkpoints, manifests and
 * certificates live, reading them safely (no symlinks, bounded sizes) and reading the log's records in
 * order. Internal: not API, exported only to custody's own modules; it may change in any release.
 */
package dev.custody.core.internal.ledger;
