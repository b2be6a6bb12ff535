package dev.pacer.store;

import dev.pacer.limits.Bucket;

/**
 * One pool's three buckets (requests, input tokens, output tokens) and its pause, as a store
 * keeps them. Each method is one atomic decision; levels refill continuously at limit / window up
 * to the capacity, on the store's own clock. Arrays are indexed by {@link Bucket#ordinal()}.
 *
 * <p>The store also keeps two running totals per bucket, so that every process reading the server's
 * headers can tell what was already accounted for: {@code charged}, what the users of the store
 * consumed (grants, corrected to actual usage at settle), and {@code corrected}, the sum of all
 * corrections applied from the server's readings.
 */
public interface PoolBuckets {

  /**
   * Sets {@code bucket}'s limit per window and its capacity (at most the limit). A bucket seen for
   * the first time starts full; a changed one keeps its level, clipped to the new capacity. Doing
   * it again with the same values changes nothing.
   */
  void configure(Bucket bucket, long limit, double capacity);

  /**
   * How much {@link #tryTake} leaves in {@code bucket}: a demand goes only if the level would stay
   * at or above this floor, or, for a demand too large for that, from a full bucket.
   */
  void setFloor(Bucket bucket, double tokens);

  /** Changes only the capacity, keeping the level within it. */
  void setCapacity(Bucket bucket, double capacity);

  /**
   * Takes {@code need} if the pool is not paused and every bucket with a limit can give it (a need
   * above the capacity from a full bucket); else says how long until it might.
   *
   * @param ticket the waiter asking; a store shared by processes may use it to serve the oldest
   *     waiter of all processes first
   */
  Take tryTake(double[] need, String ticket);

  /** The waiter {@code ticket} stopped waiting without a grant. */
  default void withdraw(String ticket) {}

  /**
   * Whether {@link #tryTake} reads its ticket: a store shared by processes that serves the oldest
   * waiter of them all first. When not, callers may pass null and save building one per request.
   */
  default boolean readsTickets() {
    return false;
  }

  /**
   * Our own consumption changed: a negative delta gives back (a refund, never beyond the
   * capacity), a positive one takes more (an under-estimate). Counted in {@code charged}.
   */
  void charge(double[] delta);

  /**
   * Compares a server reading with the forecast and corrects the level only where the reading
   * proves the forecast wrong: down to {@code remaining - tolerance} when the forecast is above
   * {@code remaining + tolerance}; up to {@code remaining - tolerance - heldByOthers} when it is
   * below {@code remaining - tolerance}. A forecast within the reading's rounding is kept: the
   * server's true level may be anywhere in that band, and lowering every consistent forecast to
   * its low end would throw away up to a rounding step (1,000 tokens) on every answer. Corrections
   * applied since the reading's permit was granted are subtracted first, so that no discrepancy is
   * corrected twice.
   *
   * @return the raise the reading allows (applied unless {@code reading.deferRaise()}), or, when
   *     it lowered the level, minus how much
   */
  double correct(Reading reading);

  /** Raises a bucket's level by {@code amount} (a correction decided later). */
  void raise(Bucket bucket, double amount);

  /** Lowers the level to at most {@code level} (a first reading from the server). */
  void lowerTo(Bucket bucket, double level);

  /** The rate, in tokens per nanosecond, at which someone unseen drains the bucket. */
  void setDrain(Bucket bucket, double tokensPerNano);

  /** Nobody takes from the pool for {@code nanos} (a 429's retry-after, an outage brake). */
  void pause(long nanos);

  /** What the store holds now. */
  State state();

  /**
   * Asks to be told when capacity may have come back early through someone else: another process
   * sharing the store refunded, raised or released, or the store reached its backend again. The
   * store calls {@code listener} on a thread of its own, never inside one of its calls, and
   * coalesces notices that come while one is pending; the listener should try its waiting head
   * again (one {@link #tryTake}). Without it, waiters still come back at the times the store gave
   * them, only later. A store used by one process alone never calls it (the default).
   */
  default void onChange(Runnable listener) {}

  /** The outcome of {@link #tryTake}. */
  record Take(boolean granted, double[] levelsAfter, double[] chargedTotals, double[] correctionTotals, long waitNanos,
      Bucket binding, boolean paused) {

    public static Take granted(double[] levelsAfter, double[] chargedTotals, double[] correctionTotals) {
      return new Take(true, levelsAfter, chargedTotals, correctionTotals, 0, null, false);
    }

    public static Take waitFor(long nanos, Bucket binding, boolean paused) {
      return new Take(false, null, null, null, nanos, binding, paused);
    }
  }

  /**
   * A server reading for one bucket.
   *
   * @param bucket the bucket
   * @param remaining the server's {@code remaining}
   * @param tolerance how far the reading may be off (500 for rounded token counts, 0 for requests)
   * @param forecast the level the store forecast when the reading's permit was granted, as the
   *     server would count it
   * @param correctionAt the store's {@code corrected} total when that permit was granted
   * @param mayRaise whether this reading may raise the level at all
   * @param heldByOthers what other permits in flight held at that grant
   * @param deferRaise compute the raise but leave it to the caller
   */
  record Reading(Bucket bucket, double remaining, double tolerance, double forecast, double correctionAt,
      boolean mayRaise, double heldByOthers, boolean deferRaise) {}

  /** A view of the store: limits (-1 unknown), capacities and levels (NaN unknown), pause left. */
  record State(long[] limits, double[] capacities, double[] levels, long pausedForNanos) {}
}
