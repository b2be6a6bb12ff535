package dev.pacer.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@link RetryBudget}'s settings: a retry is granted while the retries of the last
 * {@code window} number at most {@code ratio × its first attempts + minRetriesPerSecond × window}.
 *
 * @param ratio retries allowed per first attempt (default {@value #DEFAULT_RATIO}); 0 leaves only
 *     the floor
 * @param minRetriesPerSecond the floor: retries allowed per second of window however few first
 *     attempts there were (default {@value #DEFAULT_MIN_RETRIES_PER_SECOND}); at least 1, so a
 *     retry is never refused for good
 * @param window the sliding window (default 10 s), from 1 s to 1 hour; it slides in tenths
 */
public record RetryBudgetConfig(double ratio, int minRetriesPerSecond, Duration window) {

  public static final double DEFAULT_RATIO = 0.5;
  public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 1;
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

  private static final Duration SHORTEST_WINDOW = Duration.ofSeconds(1);
  private static final Duration LONGEST_WINDOW = Duration.ofHours(1);

  public RetryBudgetConfig {
    if (!Double.isFinite(ratio) || ratio < 0) {
      throw new IllegalArgumentException("ratio must be a finite number >= 0, got " + ratio);
    }
    if (minRetriesPerSecond < 1) {
      throw new IllegalArgumentException(
          "minRetriesPerSecond must be at least 1 (else an outage could stop retries for good), got "
              + minRetriesPerSecond);
    }
    Objects.requireNonNull(window, "window");
    if (window.compareTo(SHORTEST_WINDOW) < 0 || window.compareTo(LONGEST_WINDOW) > 0) {
      throw new IllegalArgumentException("window must be from 1 s to 1 h, got " + window);
    }
  }

  /** Half a retry per first attempt, at least 1 retry per second, over 10 s. */
  public static RetryBudgetConfig defaults() {
    return new RetryBudgetConfig(DEFAULT_RATIO, DEFAULT_MIN_RETRIES_PER_SECOND, DEFAULT_WINDOW);
  }
}
