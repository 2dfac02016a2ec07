/**
 * The log store behind a {@code Ledger}: the group committer, the checkpointer and the tree keeper
 * shared by every store, the file backend (segments, record index, tiles, locking, torn-tail repair)
 * and durable file writes. Internal: not API, exported only to custody's own modules; it may change in
 * any release.
 */
package dev.custody.attest.internal.store;
