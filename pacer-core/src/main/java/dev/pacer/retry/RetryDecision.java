package dev.pacer.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link RetryPolicy#decide} answered for one failed attempt.
 *
 * @param verdict retry, or why not
 * @param delayNanos when retrying, how long to wait before the next attempt (the server's delay or
 *     the jittered backoff); when giving up because a delay did not fit (the retry-after ceiling,
 *     the deadline), the delay that did not fit, for the caller's error message; otherwise 0
 * @param serverRequestedDelay whether {@code delayNanos} is the server's {@code retry-after-ms}
 *     or {@code retry-after} rather than Pacer's backoff
 * @param classification what the failure was
 * @param reason the decision in words: why it retries, or why not ("not retryable: 400
 *     invalid_request_error: …", "gave up after 10 attempts; …", "retry-after of 3600 s exceeds
 *     the 60 s ceiling (maxRetryAfter); …")
 */
public record RetryDecision(
    Verdict verdict,
    long delayNanos,
    boolean serverRequestedDelay,
    FailureClassification classification,
    String reason) {

  /** Retry, or the reason not to. */
  public enum Verdict {
    /** Wait {@code delayNanos}, then try again. */
    RETRY,
    /** The failure is not one another attempt can fix (or the server said not to retry). */
    NOT_RETRYABLE,
    /** {@code maxAttempts} attempts were made. */
    ATTEMPTS_EXHAUSTED,
    /** The server asked for a delay beyond {@code maxRetryAfter}, and waiting was not allowed. */
    RETRY_AFTER_TOO_LONG,
    /** The next attempt could not start before the request's deadline or {@code maxElapsed}. */
    DEADLINE_EXCEEDED
  }

  public RetryDecision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(classification, "classification");
    Objects.requireNonNull(reason, "reason");
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos must not be negative, got " + delayNanos);
    }
  }

  /** Whether to try again (after {@link #delayNanos()}). */
  public boolean retry() {
    return verdict == Verdict.RETRY;
  }

  /** {@link #delayNanos()} as a {@link Duration}. */
  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }
}
