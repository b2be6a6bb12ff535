package dev.pacer.simulator.internal;

/**
 * One injected failure: the status to answer, for a 429 its retry-after, and the kind of fault that
 * decided it (the names of {@code SimulatorStats.faultsInjected}).
 */
public record Fault(int status, long retryAfterSeconds, String kind) {

  static final String FAIL_NEXT = "fail_next";
  static final String OUTAGE = "outage";
  static final String OVERLOAD_WAVE = "overload_wave";
  static final String OVERLOAD_LOAD = "overload_load";
  static final String OVERLOAD_PROBABILITY = "overload_probability";
  static final String ERROR_PROBABILITY = "error_probability";
  static final String ACCELERATION = "acceleration";
  static final String SLOW_HEADERS = "slow_headers";
  static final String STREAM_ERROR = "stream_error";
  static final String CONNECTION_DROP = "connection_drop";

  /** What happens to an admitted attempt's answer. */
  enum Break {
    NONE,
    /** A stream ends with {@code event: error} after half its deltas. */
    STREAM_ERROR,
    /** The connection is closed halfway through the answer. */
    CONNECTION_DROP
  }
}
