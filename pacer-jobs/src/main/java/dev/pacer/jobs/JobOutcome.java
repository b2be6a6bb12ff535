package dev.pacer.jobs;

/** How a run ended. */
public enum JobOutcome {
  /** Every request the run meant to send has its result (succeeded or errored). */
  COMPLETED,
  /** Stopped admitting because the next request could have taken the job past {@code --max-cost}. */
  STOPPED_BY_MAX_COST,
  /** The whole job's {@code --deadline} passed. */
  STOPPED_BY_DEADLINE,
  /**
   * Stopped because the server cannot take the job's requests: it refused the key or the account
   * (401 authentication_error, 402 billing_error), or never answered at all (nothing at the
   * address). Those requests get no result; a rerun, once that is fixed, sends them.
   */
  STOPPED_BY_SERVER,
  /**
   * Stopped because the results file could not be written (a full disk, a quota): the answers that
   * came meanwhile are not kept. A rerun, once there is room, sends those requests again (through
   * Message Batches: collects their results again).
   */
  STOPPED_CANNOT_WRITE,
  /** Stopped on request (Ctrl-C). */
  INTERRUPTED
}
