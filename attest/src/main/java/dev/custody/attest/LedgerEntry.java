package dev.custody.attest;

import dev.custody.core.entry.EntryRef;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;

/**
 * An entry read back from a ledger: where it is, its exact stored record and its decoded payload.
 * Reading does not verify signatures; {@code custody verify} (the verify module) does.
 */
public record LedgerEntry(EntryRef ref, EntryRecord record, EntryPayload payload) {}
