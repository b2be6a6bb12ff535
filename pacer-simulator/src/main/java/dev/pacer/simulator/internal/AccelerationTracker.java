package dev.pacer.simulator.internal;

import dev.pacer.simulator.AccelerationLimit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the Messages attempts an organization got admitted, in slots of W/60, for the
 * {@link AccelerationLimit} rule: the current window is the last 60 slots, the previous window the 60
 * before. Every method takes {@code now}; times are compared by subtraction.
 */
final class AccelerationTracker {

  static final int SLOTS_PER_WINDOW = 60;
  private static final int RING = 2 * SLOTS_PER_WINDOW;

  private final ReentrantLock lock = new ReentrantLock();
  private final long originNanos;
  private final long slotNanos;
  private final long[] counts = new long[RING];
  private long lastSlot;

  AccelerationTracker(long windowNanos, long originNanos) {
    this.originNanos = originNanos;
    this.slotNanos = Math.max(1, windowNanos / SLOTS_PER_WINDOW);
  }

  /** Zero when one more attempt is allowed at {@code now}; else the nanoseconds until it would be, if nothing else arrives. */
  long nanosToWait(AccelerationLimit limit, long nowNanos) {
    lock.lock();
    try {
      long slot = slotOf(nowNanos);
      roll(slot);
      for (long k = 0; k <= RING; k++) {
        long s = slot + k;
        if (limit.allows(sum(s - SLOTS_PER_WINDOW + 1, s, slot), sum(s - RING + 1, s - SLOTS_PER_WINDOW, slot))) {
          return k == 0 ? 0 : Math.max(1, (s * slotNanos) - (nowNanos - originNanos));
        }
      }
      return (long) RING * slotNanos; // unreachable: an empty history always allows
    } finally {
      lock.unlock();
    }
  }

  /** An attempt was admitted at {@code now}. */
  void admitted(long nowNanos) {
    lock.lock();
    try {
      long slot = slotOf(nowNanos);
      roll(slot);
      counts[index(Math.max(slot, lastSlot))]++;
    } finally {
      lock.unlock();
    }
  }

  private long slotOf(long nowNanos) {
    return Math.max(0, nowNanos - originNanos) / slotNanos;
  }

  /** Clears the slots that passed since the last call. */
  private void roll(long slot) {
    if (slot <= lastSlot) return;
    long from = Math.max(lastSlot + 1, slot - RING + 1);
    for (long s = from; s <= slot; s++) {
      counts[index(s)] = 0;
    }
    lastSlot = slot;
  }

  /** Counts of slots {@code from..to}; slots after {@code now} are empty, slots before the ring's reach are forgotten. */
  private long sum(long from, long to, long nowSlot) {
    long total = 0;
    for (long s = Math.max(from, nowSlot - RING + 1); s <= Math.min(to, nowSlot); s++) {
      if (s >= 0) total += counts[index(s)];
    }
    return total;
  }

  private static int index(long slot) {
    return (int) Math.floorMod(slot, (long) RING);
  }
}
