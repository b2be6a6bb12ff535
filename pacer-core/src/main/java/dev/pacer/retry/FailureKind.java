package dev.pacer.retry;

/**
 * What kind of failure an attempt met, as {@link RetryPolicy#classify} reads it. The kind says
 * what happened; whether to retry is a separate answer ({@link FailureClassification#retryable()}),
 * because the server's {@code x-should-retry} header can override it.
 */
public enum FailureKind {

  /** A 429 from the rate limits: a bucket (requests, input or output tokens) ran dry. */
  RATE_LIMITED,

  /** A 429 from the organization's spend cap: no retry helps until the cap is raised. */
  SPEND_CAP,

  /** A 529 {@code overloaded_error} (or that error type in another 5xx, or in a stream). */
  OVERLOADED,

  /** A 5xx other than 504 and 529: {@code api_error} and the like. */
  SERVER_ERROR,

  /** A 408 or 504, or a connection that timed out: the attempt took too long. */
  TIMEOUT,

  /** A 409 {@code conflict_error} (a lock timeout on the server side). */
  CONFLICT,

  /** No response at all: the connection was refused, reset or closed. */
  CONNECTION,

  /** A stream that failed after its 200 without a known error type (a cut connection). */
  STREAM_BROKEN,

  /** A 4xx the caller must fix: 400, 401, 402, 403, 404, 413 and the rest. */
  CLIENT_ERROR,

  /** A status Pacer does not expect from the API for a failed attempt (1xx, 2xx, 3xx). */
  UNEXPECTED_STATUS;

  /**
   * Whether this kind tells an adaptive concurrency limit to shrink: overloads and time-outs,
   * the failures that more requests in flight make worse. Rate limits do not (the governor's
   * buckets handle them), nor do server errors or client errors.
   */
  public boolean signalsOverload() {
    return this == OVERLOADED || this == TIMEOUT;
  }
}
