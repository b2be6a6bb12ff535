package dev.pacer.simulator;

import java.time.Duration;

/**
 * Faults on demand, at run time: one-shot faults queued for the next attempts, and the standing
 * {@link FaultPlan} (by chance, by schedule, by load). They act on {@code POST /v1/messages} attempts
 * that pass validation (an outage on every API request). A fault that answers with an error status is
 * decided before admission and charges no bucket; every fault keeps the server serving.
 *
 * <p>Times of {@link FaultWindow}s are measured from the simulator's start
 * ({@link Simulator#uptime()}).
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

  /**
   * The next {@code count} admitted streams end after half of their text deltas with
   * {@code event: error} (overloaded_error). Plain attempts do not use them up.
   */
  Faults breakNextStreams(int count);

  /** The connections of the next {@code count} admitted attempts are closed halfway through their answers. */
  Faults dropNextConnections(int count);

  /** The next {@code count} attempts wait {@code delay} before their status line. */
  Faults slowNextHeaders(int count, Duration delay);

  /** Answers each attempt 529 overloaded_error with probability {@code p} (seeded); 0 turns it off. */
  Faults overloadProbability(double p);

  /** Answers each attempt {@code status} (a 5xx) with probability {@code p}; 0 turns it off. */
  Faults errorProbability(int status, double p);

  /** Adds a window of 529s (see {@link FaultWindow}, {@link FaultPlan.Builder#overloadWave}). */
  Faults overloadWave(FaultWindow wave);

  /** 529s beyond {@code capacity} attempts in flight (see {@link FaultPlan.Builder#overloadCapacity}); 0 turns it off. */
  Faults overloadCapacity(int capacity);

  /** Adds an outage window: every API request inside it is answered 503 api_error. */
  Faults outage(FaultWindow window);

  /** An outage from now for {@code length}. */
  Faults outageFor(Duration length);

  /** Each admitted stream ends with {@code event: error} after some content with probability {@code p}. */
  Faults streamErrorProbability(double p);

  /** Each admitted attempt's connection is closed halfway through its answer with probability {@code p}. */
  Faults dropConnectionProbability(double p);

  /** Attempts wait before their status line (see {@link SlowHeaders}); null turns it off. */
  Faults slowHeaders(SlowHeaders slowHeaders);

  /** 429s on a sharp ramp-up (see {@link AccelerationLimit}); null turns it off. */
  Faults accelerationLimit(AccelerationLimit limit);

  /** The standing faults now. */
  FaultPlan plan();

  /** Replaces the standing faults (the queued ones stay). */
  Faults plan(FaultPlan plan);

  /** Attempts still to be failed by {@link #failNext}. */
  int pending();

  /** Back to the faults the simulator was configured with; the queues are emptied. */
  void reset();

  /** No faults at all: the queues are emptied and the standing faults dropped (the configured ones too). */
  void clear();
}
