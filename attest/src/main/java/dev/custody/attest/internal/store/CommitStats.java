package dev.custody.attest.internal.store;

/**
 * Where the committer of a store spent its time since the store was opened (for benchmarks and
 * diagnostics; {@link FileLogStore#commitStats()}). Times are wall-clock nanoseconds of the one
 * committer thread, so they add up to its lifetime: a commit is lock and catch-up, sequencing,
 * the durable write (write, then fsync), acknowledgement, derived files and checkpoints; the rest
 * is waiting for appends.
 *
 * @param batches commits that wrote at least one record
 * @param appends records written
 * @param syncs fsyncs (or database commits) the durable writes took
 * @param waitingNanos waiting for the first append of a batch (idle)
 * @param lockNanos taking the write lock and catching up with other writers
 * @param sequenceNanos checking positions and re-making entries whose position moved
 * @param writeNanos writing the records (before their fsync)
 * @param syncNanos the fsyncs that make the records durable (the acknowledgement waits for these)
 * @param ackNanos completing the appenders' futures
 * @param derivedNanos writing derived files after the acknowledgement (record index, hash tiles)
 * @param checkpointNanos signing and storing automatic checkpoints
 */
public record CommitStats(long batches, long appends, long syncs, long waitingNanos, long lockNanos,
    long sequenceNanos, long writeNanos, long syncNanos, long ackNanos, long derivedNanos, long checkpointNanos) {

  /** No commit yet. */
  public static final CommitStats NONE = new CommitStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Records per fsync: what group commit buys (1 without it). */
  public double appendsPerSync() {
    return syncs == 0 ? 0 : (double) appends / syncs;
  }

  /** Time spent committing (everything but waiting). */
  public long busyNanos() {
    return lockNanos + sequenceNanos + writeNanos + syncNanos + ackNanos + derivedNanos + checkpointNanos;
  }

  /** The difference {@code this - earlier}, e.g. to leave out a warm-up. */
  public CommitStats minus(CommitStats earlier) {
    return new CommitStats(batches - earlier.batches, appends - earlier.appends, syncs - earlier.syncs,
        waitingNanos - earlier.waitingNanos, lockNanos - earlier.lockNanos, sequenceNanos - earlier.sequenceNanos,
        writeNanos - earlier.writeNanos, syncNanos - earlier.syncNanos, ackNanos - earlier.ackNanos,
        derivedNanos - earlier.derivedNanos, checkpointNanos - earlier.checkpointNanos);
  }
}
