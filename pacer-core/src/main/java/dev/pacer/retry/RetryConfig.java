package dev.pacer.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RetryPolicy}'s settings, frozen at {@link RetryPolicy.Builder#build()}.
 *
 * @param maxAttempts attempts in all, the first included (default {@value #DEFAULT_MAX_ATTEMPTS});
 *     at least 1, where 1 means never retry
 * @param initialBackoff the ceiling of the first retry's jittered delay (default 0.5 s)
 * @param maxBackoff the largest ceiling the backoff grows to (default 30 s)
 * @param maxRetryAfter the longest {@code retry-after} obeyed without question (default 60 s)
 * @param waitBeyondMaxRetryAfter what to do when the server asks for longer: {@code true} waits
 *     as asked, {@code false} (default) gives up at once with a reason that says so
 * @param maxElapsed the longest a request may take, from the start of its first attempt to the
 *     start of its last; empty (default) for no limit besides the caller's own deadline
 */
public record RetryConfig(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter,
    boolean waitBeyondMaxRetryAfter,
    Optional<Duration> maxElapsed) {

  public static final int DEFAULT_MAX_ATTEMPTS = 10;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

  public RetryConfig {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1 (the first attempt), got " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be at least initialBackoff (" + initialBackoff + ")");
    }
    if (maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("maxRetryAfter must not be negative, got " + maxRetryAfter);
    }
    maxElapsed.ifPresent(limit -> {
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException("maxElapsed must be positive, got " + limit);
      }
    });
    // Durations beyond Long.MAX_VALUE nanoseconds (292 years) are read as "forever".
  }

  /** The defaults: 10 attempts, backoff 0.5 s up to 30 s, retry-after up to 60 s, no time limit. */
  public static RetryConfig defaults() {
    return new RetryConfig(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
        DEFAULT_MAX_RETRY_AFTER, false, Optional.empty());
  }

  long initialBackoffNanos() {
    return saturatedNanos(initialBackoff);
  }

  long maxBackoffNanos() {
    return saturatedNanos(maxBackoff);
  }

  long maxRetryAfterNanos() {
    return saturatedNanos(maxRetryAfter);
  }

  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
