package dev.pacer.jobs.internal;

import dev.pacer.jobs.Durations;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The figure of merit's least possible time for a job (design.md): for each pool and each bucket,
 * {@code (Σ demand − burst) / rate}; the job can finish no sooner than the largest of these plus
 * one request's latency. Pools are paced independently, so the slowest pool binds.
 */
public final class LowerBound {

  private LowerBound() {}

  /** What one pool's share of a job asks of its buckets. */
  public record PoolLoad(String pool, long requests, long inputTokens, long outputTokens) {}

  /**
   * The least possible time.
   *
   * @param time the bound, latency included
   * @param binding which pool's which limit binds, in words (or that the job fits in the burst)
   * @param complete false when some limit that the job touches is unknown (the bound ignores it)
   */
  public record Bound(Duration time, String binding, boolean complete) {}

  /**
   * @param burst the bucket capacity as a duration of refill; empty means a full window (the
   *     largest burst the server may allow, so the bound stays a lower bound)
   */
  public static Bound compute(List<PoolLoad> loads, Function<String, Limits> limits, Duration window,
      Optional<Duration> burst, Duration latency) {
    double windowSeconds = window.toNanos() / 1e9;
    double burstFraction = burst.map(b -> b.toNanos() / (double) window.toNanos()).orElse(1.0);
    double worst = 0;
    String binding = "none: the job fits within the burst, so one request's latency bounds it";
    boolean complete = true;
    for (PoolLoad load : loads) {
      Limits known = limits.apply(load.pool());
      String[] names = {"requests (RPM", "input tokens (ITPM", "output tokens (OTPM"};
      long[] demand = {load.requests(), load.inputTokens(), load.outputTokens()};
      for (Bucket bucket : Bucket.values()) {
        int b = bucket.ordinal();
        if (!known.isKnown(bucket)) {
          if (demand[b] > 0) {
            complete = false;
          }
          continue;
        }
        long limit = known.get(bucket);
        double perSecond = limit / windowSeconds;
        double seconds = Math.max(0, (demand[b] - limit * burstFraction) / perSecond);
        if (seconds > worst) {
          worst = seconds;
          binding = load.pool() + " " + names[b] + " " + String.format(Locale.ROOT, "%,d", limit)
              + (window.equals(Duration.ofMinutes(1)) ? "" : " per " + Durations.format(window)) + ")";
        }
      }
    }
    return new Bound(Duration.ofNanos((long) (worst * 1e9)).plus(latency), binding, complete);
  }

  /**
   * The larger of {@code buckets} and what a cap on requests in flight allows: with at most
   * {@code inFlight} at once, {@code requests} answers taking {@code meanLatency} each take at
   * least {@code requests × meanLatency / inFlight} (in a job whose limits are far away, that is
   * what binds, and the option to raise is the cap).
   */
  public static Bound withConcurrency(Bound buckets, long requests, Duration meanLatency, int inFlight,
      String capName) {
    double seconds = requests * (meanLatency.toNanos() / 1e9) / inFlight;
    if (seconds * 1e9 <= buckets.time().toNanos()) {
      return buckets;
    }
    return new Bound(Duration.ofNanos((long) (seconds * 1e9)),
        String.format(Locale.ROOT, "concurrency: at most %,d requests in flight (%s), answers taking %s on average",
            inFlight, capName, Durations.format(meanLatency)),
        buckets.complete());
  }
}
