package dev.pacer.bench;

import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One row group of the board: a server (limits, burst, output rule, latency, answer lengths), a
 * job, and what happens to the server while the job runs. Every contender meets the same one.
 *
 * @param name a short id, e.g. {@code request-bound}
 * @param title what it tests, in a few words
 * @param limits what the server enforces, per window
 * @param told the limits a user is told (the tier table); differs from {@code limits} only where
 *     the scenario is about limits nobody told the user
 * @param window the period limits count over; a few seconds stand for a minute
 * @param burst the buckets' capacity as a duration of refill; empty for a whole window
 * @param outputRule how the server counts output tokens
 * @param latency how long answers take
 * @param minOutput the shortest natural answer, in tokens
 * @param maxOutput the longest natural answer, in tokens (before {@code max_tokens} cuts it)
 * @param job the requests, all handed over at once
 * @param events what the server does while the job runs (limit changes, waves, outages)
 * @param limitsKnown whether a contender configured with {@code told} knows the true limits for the
 *     whole run (Pacer's zero-429 goal applies only then)
 * @param chartBucket the bucket whose rate the chart shows
 */
public record Scenario(
    String name,
    String title,
    Rates limits,
    Rates told,
    Duration window,
    Optional<Duration> burst,
    OutputRule outputRule,
    Latency latency,
    int minOutput,
    int maxOutput,
    List<JobRequest> job,
    List<ServerEvent> events,
    boolean limitsKnown,
    Rates.Bucket chartBucket) {

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(told, "told");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(burst, "burst");
    job = List.copyOf(job);
    events = List.copyOf(events);
  }

  /** How many times faster than real time this runs: 60 s / window. */
  public double compression() {
    return 60.0 / (window.toNanos() / 1e9);
  }

  /** A real-world duration in this scenario's compressed time. */
  public Duration compressed(Duration real) {
    return Duration.ofNanos(Math.round(real.toNanos() / compression()));
  }

  /** The requests that can be served at all. */
  public List<JobRequest> servable() {
    return job.stream().filter(r -> !r.neverFits()).toList();
  }

  /** The bucket capacity as a share of the limit: burst / window, or 1. */
  public double burstShare() {
    return burst.map(b -> Math.min(1.0, b.toNanos() / (double) window.toNanos())).orElse(1.0);
  }

  /** A copy with another job (the quick board and tests shrink jobs). */
  public Scenario withJob(List<JobRequest> newJob) {
    return new Scenario(name, title, limits, told, window, burst, outputRule, latency, minOutput, maxOutput, newJob,
        events, limitsKnown, chartBucket);
  }
}
