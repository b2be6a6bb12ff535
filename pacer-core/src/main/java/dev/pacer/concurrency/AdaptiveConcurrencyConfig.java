package dev.pacer.concurrency;

import java.time.Duration;
import java.util.Objects;

/**
 * An {@link AdaptiveConcurrencyLimit}'s settings, frozen at build.
 *
 * @param minLimit the floor the limit never goes below (default 1)
 * @param maxLimit the ceiling the limit never grows past (default 1,000)
 * @param initialLimit where the limit starts (default 64, what the async SDK's HTTP client allows
 *     in flight anyway: a job handed over at once goes out as one burst where the buckets allow
 *     it; better, when the limits and the latency are known: {@link
 *     ConcurrencyLimit#littleLawLimit} of the requests-per-minute limit and the expected latency)
 * @param decreaseFactor what a decrease multiplies the limit by, in (0, 1) (default 0.9); a
 *     decrease always takes off at least 1
 * @param overloadThreshold the share of a measurement interval's outcomes that must be overloads
 *     for the limit to shrink, in [0, 1) (default 0.3); 0 shrinks on any overload (at most once
 *     per interval)
 * @param minSamples the fewest outcomes a measurement interval holds before it is judged (default
 *     10); an interval lasts at least one smoothed round trip and until it has this many
 * @param initialRtt the round-trip time assumed until the first success measures one (default
 *     2 s); it sets the length of the measurement intervals
 */
public record AdaptiveConcurrencyConfig(
    int minLimit,
    int maxLimit,
    int initialLimit,
    double decreaseFactor,
    double overloadThreshold,
    int minSamples,
    Duration initialRtt) {

  public static final int DEFAULT_MIN_LIMIT = 1;
  public static final int DEFAULT_MAX_LIMIT = 1_000;
  public static final int DEFAULT_INITIAL_LIMIT = 64;
  public static final double DEFAULT_DECREASE_FACTOR = 0.9;
  public static final double DEFAULT_OVERLOAD_THRESHOLD = 0.3;
  public static final int DEFAULT_MIN_SAMPLES = 10;
  public static final Duration DEFAULT_INITIAL_RTT = Duration.ofSeconds(2);

  public AdaptiveConcurrencyConfig {
    if (minLimit < 1) {
      throw new IllegalArgumentException("minLimit must be at least 1, got " + minLimit);
    }
    if (maxLimit < minLimit) {
      throw new IllegalArgumentException("maxLimit (" + maxLimit + ") must be at least minLimit (" + minLimit + ")");
    }
    if (initialLimit < minLimit || initialLimit > maxLimit) {
      throw new IllegalArgumentException("initialLimit (" + initialLimit + ") must be from minLimit ("
          + minLimit + ") to maxLimit (" + maxLimit + ")");
    }
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
      throw new IllegalArgumentException("decreaseFactor must be in (0, 1), got " + decreaseFactor);
    }
    if (!(overloadThreshold >= 0 && overloadThreshold < 1)) {
      throw new IllegalArgumentException("overloadThreshold must be in [0, 1), got " + overloadThreshold);
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException("minSamples must be at least 1 outcome, got " + minSamples);
    }
    Objects.requireNonNull(initialRtt, "initialRtt");
    if (initialRtt.isNegative() || initialRtt.isZero() || initialRtt.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("initialRtt must be positive and at most a day, got " + initialRtt);
    }
  }

  /** Limits 1 to 1,000 starting at 64; ×0.9 when over 30% of a round trip's outcomes are overloads. */
  public static AdaptiveConcurrencyConfig defaults() {
    return new AdaptiveConcurrencyConfig(DEFAULT_MIN_LIMIT, DEFAULT_MAX_LIMIT, DEFAULT_INITIAL_LIMIT,
        DEFAULT_DECREASE_FACTOR, DEFAULT_OVERLOAD_THRESHOLD, DEFAULT_MIN_SAMPLES, DEFAULT_INITIAL_RTT);
  }
}
