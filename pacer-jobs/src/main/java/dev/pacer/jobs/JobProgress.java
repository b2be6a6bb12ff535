package dev.pacer.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A running job at one moment, for a progress display.
 *
 * @param toSend requests this run sends in all
 * @param done of those, how many have their result written
 * @param succeeded results written this run that succeeded
 * @param errored results written this run that errored
 * @param inFlight requests sent and not yet answered
 * @param attempts attempts sent so far (retries included; the sender's count where it keeps one)
 * @param retries attempts beyond the first: those of the requests done, or where the sender counts
 *     attempts, at least its attempts beyond the requests sent (so retries still in flight show)
 * @param rateLimited 429 responses so far
 * @param overloaded 529 responses so far
 * @param inputTokens input tokens so far (cache writes and reads included)
 * @param outputTokens output tokens so far
 * @param costUsd cost so far
 * @param elapsed time since the job started
 * @param eta the expected time left, once there is a rate to go by
 * @param pools each pool's current rates against its limits
 * @param stopping true once the job has stopped admitting (Ctrl-C, --max-cost, --deadline)
 */
public record JobProgress(int toSend, int done, int succeeded, int errored, int inFlight, long attempts,
    long retries, long rateLimited, long overloaded, long inputTokens, long outputTokens, double costUsd, Duration elapsed,
    Optional<Duration> eta, List<PoolRate> pools, boolean stopping) {

  /**
   * One pool's throughput over the last window, and its limits where known.
   *
   * @param window the period limits and rates are counted over
   */
  public record PoolRate(String pool, Duration window, double requests, double inputTokens, double outputTokens,
      OptionalLong requestLimit, OptionalLong inputTokenLimit, OptionalLong outputTokenLimit) {}
}
