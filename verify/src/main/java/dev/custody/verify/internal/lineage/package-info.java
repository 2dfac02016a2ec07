/**
 * Collecting the lineage graph while a ledger is replayed. Internal: not API, exported only to
 * custody's own modules; it may change in any release.
 */
package dev.custody.verify.internal.lineage;
