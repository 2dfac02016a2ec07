package dev.custody.attest;

import dev.custody.core.Digest;
import java.util.Optional;

/**
 * A record {@link EntrySigner} made: its exact bytes, their SHA-256 (the entry hash) and the position
 * its signed payload names. Only {@link EntrySigner} makes one, from a payload it encoded itself, so a
 * store handed one knows without parsing it that the record is in the one canonical spelling and names
 * this position; it checks only that the position is the one it assigned. A record of other origin is
 * handed to the store as bytes, which it parses and checks in full.
 *
 * <p>Immutable and thread-safe.
 */
public final class SignedEntry {
  /**
   * Makes the signed entry for a given position of a chain — its sequence number and the hash of the
   * entry before it — as {@link EntrySigner#signEntry} does; may be called more than once, for another
   * position when another writer appended to the chain meanwhile ({@link Ledger#appendSigned}).
   */
  @FunctionalInterface
  public interface Maker {
    SignedEntry make(long sequence, Optional<Digest> prev) throws AttestException;
  }

  private final byte[] record;
  private final Digest hash;
  private final String chain;
  private final long sequence;
  private final Optional<Digest> prev;

  SignedEntry(byte[] record, String chain, long sequence, Optional<Digest> prev) {
    this.record = record;
    this.hash = Digest.sha256(record);
    this.chain = chain;
    this.sequence = sequence;
    this.prev = prev;
  }

  /** The record's bytes (a copy). */
  public byte[] record() {
    return record.clone();
  }

  /** SHA-256 of {@link #record()}: the entry hash. */
  public Digest hash() {
    return hash;
  }

  public String chain() {
    return chain;
  }

  public long sequence() {
    return sequence;
  }

  public Optional<Digest> prev() {
    return prev;
  }

  @Override
  public String toString() {
    return "entry " + chain + ":" + sequence + " " + hash;
  }
}
