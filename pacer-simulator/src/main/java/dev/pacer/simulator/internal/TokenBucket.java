package dev.pacer.simulator.internal;

/**
 * A continuously refilled bucket (server-model.md, "Buckets"): level {@code x ≤ C}, refilled at
 * {@code r = L / W} per second. Not thread-safe: {@link PoolBuckets} guards it. Every method takes
 * {@code now} (monotonic nanoseconds) and compares times by subtraction.
 */
final class TokenBucket {

  private final BucketKind kind;
  private long limit;
  private double ratePerSecond;
  private double capacity;
  private double level;
  private long lastNanos;

  /** A full bucket. {@code burstNanos} of zero or less means a full window of burst (C = L). */
  TokenBucket(BucketKind kind, long limit, long windowNanos, long burstNanos, long nowNanos) {
    this.kind = kind;
    this.lastNanos = nowNanos;
    configure(limit, windowNanos, burstNanos);
    this.level = capacity;
  }

  private void configure(long limit, long windowNanos, long burstNanos) {
    this.limit = limit;
    this.ratePerSecond = limit / (windowNanos / 1e9);
    this.capacity = burstNanos <= 0 ? limit : Math.min(limit, ratePerSecond * (burstNanos / 1e9));
  }

  /** {@code x ← min(C, x + r·Δt)}. */
  void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      if (level < capacity) {
        level = Math.min(capacity, level + ratePerSecond * (elapsed / 1e9));
      }
      lastNanos = nowNanos;
    }
  }

  /** Takes {@code amount}; the level may go below zero (the caller decided admission). */
  void take(double amount) {
    level -= amount;
  }

  /** Gives back {@code amount}, never above capacity. */
  void giveBack(double amount) {
    level = Math.min(capacity, level + amount);
  }

  /** New limit (refill at the old rate first); the level is clipped to the new capacity. */
  void changeLimit(long newLimit, long windowNanos, long burstNanos, long nowNanos) {
    refill(nowNanos);
    configure(newLimit, windowNanos, burstNanos);
    level = Math.min(level, capacity);
  }

  BucketState state() {
    return new BucketState(kind, limit, capacity, level, ratePerSecond);
  }

  BucketKind kind() {
    return kind;
  }

  long limit() {
    return limit;
  }
}
