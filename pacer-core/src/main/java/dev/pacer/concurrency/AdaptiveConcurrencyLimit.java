package dev.pacer.concurrency;

import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loss-based AIMD limit: it grows while attempts succeed and shrinks when overloads (529s,
 * time-outs) become frequent, between {@code minLimit} and {@code maxLimit}.
 *
 * <h2>Growth</h2>
 *
 * Additive: +1 per limit's worth of successes, about +1 per round trip when the limit is in use.
 * Before the first overload episode, and when coming back from one, growth is TCP's slow start
 * instead (+1 per success, doubling per round trip) up to a recovery target: {@code maxLimit} at
 * first, after an episode the limit its first decrease left. So the limit reaches what the work
 * needs in a few round trips rather than hundreds, and after an outage returns as fast to where it
 * was. Successes reported with fewer than half the limit in flight do not grow it
 * ({@link #onSuccess(long, int)}): a limit that is not used is not tested.
 *
 * <h2>Decrease</h2>
 *
 * Outcomes are counted in measurement intervals, each lasting at least one smoothed round trip
 * (RFC 6298 smoothing of the successes' RTTs; {@code initialRtt} before the first) and until it
 * holds {@code minSamples} outcomes. When an interval closes, if more than {@code overloadThreshold}
 * of its outcomes (successes, overloads and other failures alike) were overloads, the limit
 * becomes {@code floor(limit × decreaseFactor)}, at least 1 less, at least {@code minLimit}. One
 * decision per interval: a wave of 529s from attempts that were sent together is one congestion
 * event, not fifty, and the attempts sent after a decrease need a round trip to show its effect.
 * Consecutive intervals over the threshold are one overload episode.
 *
 * <h2>Why these defaults (×0.9 when over 30% of a round trip's outcomes are overloads)</h2>
 *
 * Anthropic's 529 {@code overloaded_error} is service-wide: it can run at a steady rate that has
 * nothing to do with our load, and shrinking our concurrency does not lower it. A plain AIMD that
 * cuts on every round trip with an overload would, at a steady 20% of attempts, cut ×0.9 (−10%)
 * per round trip and add +0.8, settling near 8 in flight whatever the rate limits allow: starved.
 * Here a steady 20% is tolerated. The share over an interval of {@code n} outcomes varies with a
 * standard deviation of {@code sqrt(0.2 × 0.8 / n)}: 0.04 at n = 100, where 0.3 is 2.5 deviations
 * away and fewer than 1% of intervals cut; 0.09 at n = 20 (about 9% of intervals, each cutting 2).
 * Additive growth repays such cuts within a round trip or two, so the limit holds or grows. The
 * threshold is judged per round trip rather than over a fixed number of outcomes on purpose: a
 * large limit brings many outcomes per round trip, so its share is measured more precisely, not
 * looked at more often. What our own load causes (time-outs, a private deployment's 529s) rises
 * with the load and crosses the threshold; a full outage drives the share to 1 and the limit down
 * by 10% per round trip, to {@code minLimit} in a few dozen round trips. Failures other than
 * overloads (429s, 5xx, 4xx) count as outcomes but never shrink the limit: rate limits are the
 * governor's buckets' work.
 *
 * <p>Thread-safe: updates take a lock, {@link #limit()} reads a volatile field.
 */
public final class AdaptiveConcurrencyLimit implements ConcurrencyLimit {

  private final AdaptiveConcurrencyConfig config;
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile int limit;
  private int successesSinceIncrease;
  private int recoveryTarget;
  private boolean inOverloadEpisode;
  private long smoothedRttNanos;
  private boolean rttMeasured;
  private long intervalStartNanos;
  private int intervalOutcomes;
  private int intervalOverloads;
  private double lastOverloadShare;

  private AdaptiveConcurrencyLimit(AdaptiveConcurrencyConfig config, TimeSource time) {
    this.config = config;
    this.time = time;
    this.limit = config.initialLimit();
    this.recoveryTarget = config.maxLimit();
    this.smoothedRttNanos = config.initialRtt().toNanos();
    this.intervalStartNanos = time.nanoTime();
  }

  public static AdaptiveConcurrencyLimit create(AdaptiveConcurrencyConfig config, TimeSource time) {
    return new AdaptiveConcurrencyLimit(Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(time, "time"));
  }

  public static Builder builder() {
    return new Builder();
  }

  public AdaptiveConcurrencyConfig config() {
    return config;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public void onSuccess(long rttNanos) {
    onSuccess(rttNanos, Integer.MAX_VALUE);
  }

  @Override
  public void onSuccess(long rttNanos, int inFlight) {
    lock.lock();
    try {
      measureRtt(rttNanos);
      observe(false);
      int current = limit;
      if (current >= config.maxLimit() || (long) inFlight * 2 < current) {
        return;
      }
      if (!inOverloadEpisode && current < recoveryTarget) {
        limit = current + 1;
        successesSinceIncrease = 0;
        return;
      }
      if (++successesSinceIncrease >= current) {
        limit = current + 1;
        successesSinceIncrease = 0;
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onOverload() {
    lock.lock();
    try {
      observe(true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onOtherFailure() {
    lock.lock();
    try {
      observe(false);
    } finally {
      lock.unlock();
    }
  }

  /** The share of overloads in the last measurement interval that closed (0 before the first). */
  public double overloadShare() {
    lock.lock();
    try {
      return lastOverloadShare;
    } finally {
      lock.unlock();
    }
  }

  /** The smoothed round-trip time of successes ({@code initialRtt} before the first). */
  public Duration smoothedRtt() {
    lock.lock();
    try {
      return Duration.ofNanos(smoothedRttNanos);
    } finally {
      lock.unlock();
    }
  }

  /** Counts an outcome; closes and judges the interval once it is a round trip long and full enough. */
  private void observe(boolean overload) {
    intervalOutcomes++;
    if (overload) {
      intervalOverloads++;
    }
    long now = time.nanoTime();
    if (now - intervalStartNanos < smoothedRttNanos || intervalOutcomes < config.minSamples()) {
      return;
    }
    lastOverloadShare = (double) intervalOverloads / intervalOutcomes;
    intervalStartNanos = now;
    intervalOutcomes = 0;
    intervalOverloads = 0;
    if (lastOverloadShare > config.overloadThreshold()) {
      decrease();
    } else {
      inOverloadEpisode = false;
    }
  }

  private void decrease() {
    int current = limit;
    int decreased = Math.max(config.minLimit(),
        Math.min(current - 1, (int) Math.floor(current * config.decreaseFactor())));
    if (!inOverloadEpisode) {
      inOverloadEpisode = true;
      recoveryTarget = decreased;
    }
    limit = decreased;
    successesSinceIncrease = 0;
  }

  /** RFC 6298's smoothing: the first sample as is, then 7/8 old + 1/8 new. */
  private void measureRtt(long rttNanos) {
    if (rttNanos <= 0) {
      return;
    }
    if (!rttMeasured) {
      smoothedRttNanos = rttNanos;
      rttMeasured = true;
    } else {
      smoothedRttNanos += (rttNanos - smoothedRttNanos) / 8;
    }
  }

  @Override
  public String toString() {
    return "AdaptiveConcurrencyLimit[limit=" + limit + ", overloadShare="
        + String.format(java.util.Locale.ROOT, "%.3f", overloadShare()) + ", smoothedRtt=" + smoothedRtt() + "]";
  }

  /** Collects settings; {@link #build()} validates them in an {@link AdaptiveConcurrencyConfig}. */
  public static final class Builder {
    private int minLimit = AdaptiveConcurrencyConfig.DEFAULT_MIN_LIMIT;
    private int maxLimit = AdaptiveConcurrencyConfig.DEFAULT_MAX_LIMIT;
    private int initialLimit = AdaptiveConcurrencyConfig.DEFAULT_INITIAL_LIMIT;
    private double decreaseFactor = AdaptiveConcurrencyConfig.DEFAULT_DECREASE_FACTOR;
    private double overloadThreshold = AdaptiveConcurrencyConfig.DEFAULT_OVERLOAD_THRESHOLD;
    private int minSamples = AdaptiveConcurrencyConfig.DEFAULT_MIN_SAMPLES;
    private Duration initialRtt = AdaptiveConcurrencyConfig.DEFAULT_INITIAL_RTT;
    private TimeSource time = TimeSource.system();

    private Builder() {}

    public Builder minLimit(int minLimit) {
      this.minLimit = minLimit;
      return this;
    }

    public Builder maxLimit(int maxLimit) {
      this.maxLimit = maxLimit;
      return this;
    }

    public Builder initialLimit(int initialLimit) {
      this.initialLimit = initialLimit;
      return this;
    }

    public Builder decreaseFactor(double decreaseFactor) {
      this.decreaseFactor = decreaseFactor;
      return this;
    }

    public Builder overloadThreshold(double overloadThreshold) {
      this.overloadThreshold = overloadThreshold;
      return this;
    }

    public Builder minSamples(int outcomes) {
      this.minSamples = outcomes;
      return this;
    }

    public Builder initialRtt(Duration initialRtt) {
      this.initialRtt = Objects.requireNonNull(initialRtt, "initialRtt");
      return this;
    }

    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    public AdaptiveConcurrencyLimit build() {
      return create(new AdaptiveConcurrencyConfig(minLimit, maxLimit, initialLimit, decreaseFactor,
          overloadThreshold, minSamples, initialRtt), time);
    }
  }
}
