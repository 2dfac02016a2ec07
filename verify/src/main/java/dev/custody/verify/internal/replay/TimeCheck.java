package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The latest time an entry may claim (part of check 3 of DESIGN.md §6, times that make sense). An
 * entry's {@code time} is its signer's claim; what bounds it from outside is trusted time:
 *
 * <ul>
 *   <li>an entry covered by a checkpoint whose RFC 3161 timestamp verified (log index below the
 *       checkpoint's size) existed when the TSA said that checkpoint existed, so its time must not be
 *       later than the earliest such {@code genTime} plus {@link #FUTURE_ALLOWANCE};
 *   <li>any entry must not be dated later than the verifier's clock plus {@link #FUTURE_ALLOWANCE}.
 * </ul>
 *
 * An entry beyond the bound is {@link FindingCode#TIME_IN_FUTURE} (a warning: a wrong clock on the
 * signer's machine looks the same as a forged date). Immutable; the clock is read once, when the
 * replay starts, so every entry is judged against the same instant.
 */
public final class TimeCheck {
  /**
   * How far past the reference an entry's time may be: clocks of signers, TSAs and verifiers drift
   * by seconds, not minutes, when synchronised (NTP), and 5 minutes is the skew Kerberos tolerates.
   * Beyond it a date is not a clock's drift but a claim about the future.
   */
  public static final Duration FUTURE_ALLOWANCE = Duration.ofMinutes(5);

  private final Instant now;
  /** Key: a checkpoint size; value: the earliest trusted time of any timestamped checkpoint at least that large. */
  private final NavigableMap<Long, Instant> earliestCovering = new TreeMap<>();

  /**
   * @param now the verifier's clock, read once
   * @param trustedTimes per checkpoint size, the earliest verified timestamp of a checkpoint of that size
   */
  public TimeCheck(Instant now, NavigableMap<Long, Instant> trustedTimes) {
    this.now = Objects.requireNonNull(now, "now");
    Instant min = null;
    for (Map.Entry<Long, Instant> e : trustedTimes.descendingMap().entrySet()) {
      min = min == null || e.getValue().isBefore(min) ? e.getValue() : min;
      earliestCovering.put(e.getKey(), min);
    }
  }

  /**
   * The latest instant the entry at {@code logIndex} is proven to have existed by (its proven time,
   * see the trust policy's time rule): the earliest trusted time of a checkpoint covering it — an
   * RFC 3161 timestamp that verified, or the time by which the required number of trusted witnesses
   * had cosigned the auditor's checkpoint — and otherwise the verifier's clock. An entry's own
   * {@code time} is its signer's claim and never proof.
   */
  public Instant proven(long logIndex) {
    Map.Entry<Long, Instant> covering = earliestCovering.higherEntry(logIndex);
    return covering != null && covering.getValue().isBefore(now) ? covering.getValue() : now;
  }

  /**
   * Why the entry at {@code logIndex} dated {@code time} is in the future, or empty if it is not.
   * The message names the reference (the timestamped checkpoint's size and time, or the clock).
   */
  public Optional<String> future(long logIndex, Instant time) {
    Map.Entry<Long, Instant> covering = earliestCovering.higherEntry(logIndex);
    if (covering != null && time.isAfter(covering.getValue().plus(FUTURE_ALLOWANCE))) {
      return Optional.of("is dated " + time + ", after " + covering.getValue() + ", when a timestamped checkpoint"
          + " covering it (size " + covering.getKey() + " or larger) already existed according to its RFC 3161"
          + " timestamp (allowance " + FUTURE_ALLOWANCE.toMinutes() + " minutes): the entry was dated in the future"
          + " of its own inclusion, by a wrong clock or on purpose");
    }
    if (time.isAfter(now.plus(FUTURE_ALLOWANCE))) {
      return Optional.of("is dated " + time + ", later than the verifier's clock (" + now + ") by more than the "
          + FUTURE_ALLOWANCE.toMinutes() + "-minute allowance: the signer's clock is wrong or the date was set on"
          + " purpose; a future date can make an entry look newer than entries signed after it");
    }
    return Optional.empty();
  }
}
