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
 * Before the first overload, and when coming back from one, growth is TCP's slow start instead
 * (+1 per success, doubling per round trip) up to a recovery target: {@code maxLimit} at first,
 * after an overload episode the limit its first decrease left. So the limit reaches what the work
 * needs in a few round trips rather than hundreds, and after an outage returns as fast to where it
 * was. Successes reported with fewer than half the limit in flight do not grow it
 * ({@link #onSuccess(long, int)}): a limit that is not used is not tested.
 *
 * <h2>Decrease</h2>
 *
 * Multiplicative: the limit becomes {@code floor(limit × decreaseFactor)} (at least 1 less), and
 * only when both:
 *
 * <ol>
 *   <li>the overload share of recent outcomes is above {@code overloadThreshold}, the share being
 *       an exponentially weighted average over about {@code overloadWindow} outcomes (successes,
 *       overloads and other failures alike); and
 *   <li>a round trip has passed since the last decrease (the smoothed RTT of successes, or
 *       {@code initialRtt} before the first): a wave of 529s from attempts that were sent together
 *       is one congestion event, not fifty, and the attempts sent after a decrease need a round
 *       trip to show its effect.
 * </ol>
 *
 * <h2>Why these defaults (×0.9 above a 30% share over ~50 outcomes)</h2>
 *
 * Anthropic's 529 {@code overloaded_error} is service-wide: it can run at a steady rate that has
 * nothing to do with our load, and shrinking our concurrency does not lower it. A plain AIMD that
 * cuts on every overload round would, at a steady 20% of attempts, cut about once per round trip
 * (×0.9, −10%) and add +0.8 per round trip, settling near 8 in flight whatever the limits allow:
 * starved. Here a steady 20% is tolerated: the weighted share hovers at 0.2 with a standard
 * deviation near 0.04 (over 50 outcomes), so 0.3 is 2.5 deviations away and decreases are rare;
 * the few that do happen take 10% each, which additive growth repays within a few round trips.
 * What our own load causes (time-outs, a private deployment's 529s) rises with the load and
 * crosses the threshold: about 18 overloads in a row from a clean record, 7 on top of a steady
 * 20%. A full outage drives the share to 1 and the limit down by 10% per round trip, to
 * {@code minLimit} in a few dozen round trips. Failures other than overloads (429s, 5xx, 4xx) are
 * counted as outcomes but never shrink the limit: rate limits are the governor's buckets' work.
 *
 * <p>Thread-safe: updates take a lock, {@link #limit()} reads a volatile field.
 */
public final class AdaptiveConcurrencyLimit implements ConcurrencyLimit {

  private final AdaptiveConcurrencyConfig config;
  private final TimeSource time;
  private final double weight;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile int limit;
  private int successesSinceIncrease;
  private int recoveryTarget;
  private boolean inOverloadEpisode;
  private double overloadShare;
  private long smoothedRttNanos;
  private boolean rttMeasured;
  private boolean decreasedBefore;
  private long lastDecreaseNanos;

  private AdaptiveConcurrencyLimit(AdaptiveConcurrencyConfig config, TimeSource time) {
    this.config = config;
    this.time = time;
    this.weight = 1.0 / config.overloadWindow();
    this.limit = config.initialLimit();
    this.recoveryTarget = config.maxLimit();
    this.smoothedRttNanos = config.initialRtt().toNanos();
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
      observe(false);
      measureRtt(rttNanos);
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
      long now = time.nanoTime();
      if (overloadShare <= config.overloadThreshold()
          || (decreasedBefore && now - lastDecreaseNanos < smoothedRttNanos)) {
        return;
      }
      int current = limit;
      int decreased = Math.max(config.minLimit(),
          Math.min(current - 1, (int) Math.floor(current * config.decreaseFactor())));
      if (!inOverloadEpisode) {
        inOverloadEpisode = true;
        recoveryTarget = decreased;
      }
      limit = decreased;
      successesSinceIncrease = 0;
      decreasedBefore = true;
      lastDecreaseNanos = now;
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

  /** The weighted share of recent outcomes that were overloads, from 0 to 1. */
  public double overloadShare() {
    lock.lock();
    try {
      return overloadShare;
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

  private void observe(boolean overload) {
    overloadShare += weight * ((overload ? 1.0 : 0.0) - overloadShare);
    if (inOverloadEpisode && overloadShare <= config.overloadThreshold()) {
      inOverloadEpisode = false;
    }
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
    private int overloadWindow = AdaptiveConcurrencyConfig.DEFAULT_OVERLOAD_WINDOW;
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

    public Builder overloadWindow(int outcomes) {
      this.overloadWindow = outcomes;
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
          overloadThreshold, overloadWindow, initialRtt), time);
    }
  }
}
