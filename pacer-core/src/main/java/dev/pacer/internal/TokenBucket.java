package dev.pacer.internal;

/**
 * One bucket of a pool as the governor forecasts it: a level refilled continuously at
 * {@code limit / window} up to a capacity (the burst). Pure arithmetic on {@code now}; the caller
 * holds the pool's lock. The level may go below zero (debt) when a demand larger than the
 * capacity is let through from a full bucket, or when the server turns out to have less.
 */
public final class TokenBucket {

  private final long windowNanos;
  private long limit;
  private double capacity;
  private double level;
  private double ratePerNano;
  private double drainPerNano;
  private double floor;
  private long updatedAt;

  /** A bucket with an unknown limit: it never holds anything back until a limit is set. */
  public TokenBucket(long windowNanos, long now) {
    this.windowNanos = windowNanos;
    this.limit = -1;
    this.updatedAt = now;
  }

  public boolean isKnown() {
    return limit > 0;
  }

  public long limit() {
    return limit;
  }

  public double capacity() {
    return capacity;
  }

  public double ratePerNano() {
    return ratePerNano;
  }

  /**
   * Sets the rate at which someone we cannot see (another program on the same key) is taken to
   * drain the bucket: the forecast refills at the limit's rate less this.
   */
  public void setDrain(double tokensPerNano, long now) {
    refill(now);
    drainPerNano = Math.max(0, Math.min(tokensPerNano, ratePerNano));
  }

  /**
   * Keeps {@code tokens} in the bucket: a demand is let through only if this much would remain
   * (unless it is too large for that, when it goes from a full bucket). Absorbs the jitter between
   * our admission and the server's: a few requests sent close together may arrive bunched.
   */
  public void setFloor(double tokens) {
    floor = Math.max(0, tokens);
  }

  /** The level at {@code now}, refilled since the last update. */
  public double level(long now) {
    refill(now);
    return level;
  }

  /**
   * Sets the limit and capacity. A new bucket starts full; a changed one keeps its level,
   * clipped to the new capacity.
   */
  public void configure(long newLimit, double newCapacity, long now) {
    refill(now);
    boolean wasKnown = isKnown();
    limit = newLimit;
    ratePerNano = (double) newLimit / windowNanos;
    capacity = Math.max(1, Math.min(newCapacity, newLimit));
    level = wasKnown ? Math.min(level, capacity) : capacity;
  }

  /** Changes only the capacity (the burst), keeping the level within it. */
  public void setCapacity(double newCapacity, long now) {
    refill(now);
    capacity = Math.max(1, Math.min(newCapacity, limit));
    level = Math.min(level, capacity);
  }

  /**
   * Nanoseconds until {@code need} can be taken: 0 when it can be now. A need larger than the
   * capacity (but within the limit) can be taken from a full bucket, leaving it in debt.
   */
  public long nanosUntilAvailable(double need, long now) {
    if (!isKnown() || need <= 0) {
      return 0;
    }
    refill(now);
    // A full bucket is exactly full (refill stops at the capacity): a demand of the whole
    // capacity, or more, goes from a full bucket.
    double wanted = Math.min(need + floor, capacity);
    if (level >= wanted) {
      return 0;
    }
    double netRate = ratePerNano - drainPerNano;
    return netRate <= 0 ? Long.MAX_VALUE / 4 : (long) Math.ceil((wanted - level) / netRate);
  }

  public void take(double amount, long now) {
    if (isKnown()) {
      refill(now);
      level -= amount;
    }
  }

  /** Gives back {@code amount} (a refund), never beyond the capacity. */
  public void giveBack(double amount, long now) {
    if (isKnown()) {
      refill(now);
      level = Math.min(capacity, level + amount);
    }
  }

  /** Lowers the level by {@code amount} (a correction from the server). */
  public void lower(double amount, long now) {
    if (isKnown() && amount > 0) {
      refill(now);
      level -= amount;
    }
  }

  /** Sets the level outright (first reading from a server), clipped to the capacity. */
  public void setLevel(double newLevel, long now) {
    refill(now);
    level = Math.min(capacity, newLevel);
  }

  private void refill(long now) {
    long elapsed = now - updatedAt;
    if (elapsed > 0) {
      level = Math.min(capacity, level + elapsed * (ratePerNano - drainPerNano));
      updatedAt = now;
    }
  }
}
