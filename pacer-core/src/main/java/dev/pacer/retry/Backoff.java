package dev.pacer.retry;

import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter, for failures where the server named no delay.
 *
 * <p>Before retry {@code n} (n = 1 for the first retry) the ceiling is
 * {@code cap(n) = min(maxBackoff, initialBackoff · 2^(n−1))} and the delay is drawn uniformly
 * from {@code [0, cap(n))}: {@code delay = floor(cap(n) · U)}, {@code U = random.nextDouble()}.
 *
 * <p>Why full jitter rather than the official SDKs' {@code min(0.5·2^n, 8) s × (1 − 0.25·U)}: the
 * failures that reach this code without a {@code retry-after} are mostly 529s, 5xx and broken
 * connections, and they arrive in waves, from requests that were sent together and fail
 * together. The SDKs' jitter keeps every retry of a wave within the last quarter of the same
 * interval, so the wave comes back as a wave; full jitter spreads it over the whole interval,
 * which is what de-synchronises it (the analysis in "Exponential Backoff and Jitter", AWS
 * Architecture Blog, 2015: fewest calls for the same completion time). The cost, a retry that may
 * come early, is paid for elsewhere in Pacer: every retry still waits for a permit from the
 * governor's buckets and for a slot under the concurrency limit, and the {@link RetryBudget}
 * caps how many retries there are at all.
 *
 * <p>The random source is called under a lock, so any {@link RandomGenerator} (even one that is
 * not thread-safe) can be injected; seeded, it makes the sequence of delays exact.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private final ReentrantLock lock = new ReentrantLock();

  Backoff(long initialNanos, long maxNanos, RandomGenerator random) {
    this.initialNanos = initialNanos;
    this.maxNanos = maxNanos;
    this.random = random;
  }

  /** {@code min(maxBackoff, initialBackoff · 2^(retry−1))}, without overflow. */
  long ceilingNanos(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
    }
    int doublings = retry - 1;
    if (doublings >= Long.numberOfLeadingZeros(initialNanos) - 1) {
      return maxNanos;
    }
    return Math.min(maxNanos, initialNanos << doublings);
  }

  /** The delay before retry {@code retry}: uniform in {@code [0, ceilingNanos(retry))}. */
  long delayNanos(int retry) {
    long ceiling = ceilingNanos(retry);
    double unit;
    lock.lock();
    try {
      unit = random.nextDouble();
    } finally {
      lock.unlock();
    }
    return (long) Math.floor(ceiling * unit);
  }
}
