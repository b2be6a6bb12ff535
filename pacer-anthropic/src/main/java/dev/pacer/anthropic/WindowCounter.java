package dev.pacer.anthropic;

import java.time.Duration;

/** A sum over the last window, kept in 60 slots (one second each for a one-minute window). */
final class WindowCounter {

  private static final int SLOTS = 60;

  private final long slotNanos;
  private final long[] sums = new long[SLOTS];
  private final long[] stamps = new long[SLOTS];

  WindowCounter(Duration window) {
    this.slotNanos = Math.max(1, window.toNanos() / SLOTS);
    java.util.Arrays.fill(stamps, Long.MIN_VALUE);
  }

  synchronized void add(long amount, long nowNanos) {
    long slot = Math.floorDiv(nowNanos, slotNanos);
    int at = (int) Math.floorMod(slot, (long) SLOTS);
    if (stamps[at] != slot) {
      stamps[at] = slot;
      sums[at] = 0;
    }
    sums[at] += amount;
  }

  /** The sum over the slots of the last window, the current one included. */
  synchronized long sum(long nowNanos) {
    long slot = Math.floorDiv(nowNanos, slotNanos);
    long total = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (stamps[i] != Long.MIN_VALUE && slot - stamps[i] < SLOTS && slot - stamps[i] >= 0) {
        total += sums[i];
      }
    }
    return total;
  }
}
