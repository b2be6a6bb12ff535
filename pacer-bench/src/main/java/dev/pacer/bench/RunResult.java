package dev.pacer.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One contender's figures on one scenario.
 *
 * @param contender the contender's name
 * @param scenario the scenario's name
 * @param seconds T: from handing over the job until the last request had its outcome (the cap when
 *     some never did)
 * @param lowerBoundSeconds T_lb
 * @param efficiency E = T_lb / T
 * @param requests requests in the job
 * @param failed servable requests that failed or never finished
 * @param unfinished servable requests still running at the cap (counted in {@code failed})
 * @param attempts attempts the server saw
 * @param rateLimited attempts answered 429
 * @param overloaded attempts answered 529
 * @param attemptsFloor the fewest attempts per request the injected faults allow
 * @param queueP50Seconds the median queue wait (job start to the start of a request's successful attempt)
 * @param queueP99Seconds its 99th percentile
 * @param neverFit how the request that can never fit ended, when the job has one
 * @param workers the worker pool, 0 for a virtual thread per request
 * @param chart the chart bucket's rate per window, per chart step
 * @param error why the run could not be made, or null
 */
public record RunResult(
    String contender,
    String scenario,
    double seconds,
    double lowerBoundSeconds,
    double efficiency,
    int requests,
    int failed,
    int unfinished,
    long attempts,
    long rateLimited,
    long overloaded,
    double attemptsFloor,
    double queueP50Seconds,
    double queueP99Seconds,
    NeverFit neverFit,
    int workers,
    List<Double> chart,
    String error) {

  @JsonProperty
  public double rateLimitedPerThousand() {
    return requests == 0 ? 0 : rateLimited * 1000.0 / requests;
  }

  @JsonProperty
  public double overloadedPerThousand() {
    return requests == 0 ? 0 : overloaded * 1000.0 / requests;
  }

  @JsonProperty
  public double attemptsPerRequest() {
    return requests == 0 ? 0 : attempts / (double) requests;
  }

  /** Share of attempts answered 429. */
  @JsonProperty
  public double rateLimitedShare() {
    return attempts == 0 ? 0 : rateLimited / (double) attempts;
  }

  /**
   * How the request that can never fit ended.
   *
   * @param failed whether it failed (it cannot succeed)
   * @param seconds when its outcome came, from the job's start
   * @param attempts attempts it made
   * @param message what the caller got
   */
  public record NeverFit(boolean failed, double seconds, int attempts, String message) {}
}
