package dev.pacer;

import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import java.time.Duration;

/**
 * What the governor believes of one pool at one moment.
 *
 * @param pool the pool's name
 * @param limits the limits per window as known now
 * @param levels each bucket's forecast level (NaN where the limit is unknown), by {@link Bucket#ordinal()}
 * @param capacities each bucket's capacity (the burst) as known now (NaN where unknown)
 * @param waiting demands in the queue
 * @param inFlight permits granted and not yet ended
 * @param concurrencyLimit the current concurrency limit
 * @param pausedFor how much longer a 429 pause lasts (zero when not paused)
 */
public record PoolSnapshot(String pool, Limits limits, double[] levels, double[] capacities, int waiting, int inFlight,
    int concurrencyLimit, Duration pausedFor) {

  public double level(Bucket bucket) {
    return levels[bucket.ordinal()];
  }

  public double capacity(Bucket bucket) {
    return capacities[bucket.ordinal()];
  }
}
