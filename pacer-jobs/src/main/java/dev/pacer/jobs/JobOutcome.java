package dev.pacer.jobs;

/** How a run ended. */
public enum JobOutcome {
  /** Every request the run meant to send has its result (succeeded or errored). */
  COMPLETED,
  /** Stopped admitting because the next request could have taken the job past {@code --max-cost}. */
  STOPPED_BY_MAX_COST,
  /** The whole job's {@code --deadline} passed. */
  STOPPED_BY_DEADLINE,
  /** Stopped on request (Ctrl-C). */
  INTERRUPTED
}
