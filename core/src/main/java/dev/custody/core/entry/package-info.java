/**
 * API. A ledger entry's formats: the signed record ({@link dev.custody.core.entry.EntryRecord}), its
 * payload, the canonical JSON codec, and {@link dev.custody.core.entry.EntryRef}, the one type for
 * where an entry is.
 */
package dev.custody.core.entry;
