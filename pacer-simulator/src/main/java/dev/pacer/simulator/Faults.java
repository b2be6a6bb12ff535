package dev.pacer.simulator;

import java.time.Duration;

/**
 * Faults on demand, on {@code POST /v1/messages} attempts that pass validation. Decided before
 * admission: a fault charges no bucket.
 */
public interface Faults {

  /**
   * Answers the next {@code count} attempts with {@code status}: 429 (rate_limit_error with
   * {@code retry-after: 1} and {@code x-should-retry: true}), 529 (overloaded_error), 500 (api_error),
   * or any other error status with its envelope. Adds to what is already queued.
   */
  Faults failNext(int count, int status);

  /** As {@link #failNext(int, int)}, with the {@code retry-after} a 429 carries (whole seconds, at least 1). */
  Faults failNext(int count, int status, Duration retryAfter);

  /** Answers each attempt 529 overloaded_error with probability {@code p} (seeded); 0 turns it off. */
  Faults overloadProbability(double p);

  /** Attempts still to be failed by {@link #failNext}. */
  int pending();

  /** Drops every queued fault and sets the overload probability to 0. */
  void clear();
}
