package dev.pacer.retry;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Small helpers for nanosecond arithmetic and for saying durations in words. */
final class Durations {

  private Durations() {}

  /** {@code a + b} for non-negative values, saturating at {@code Long.MAX_VALUE}. */
  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** "3600 s", "1.234 s", "250 ms", "12 ns": at most three decimals, no trailing zeros. */
  static String describe(long nanos) {
    if (nanos == Long.MAX_VALUE) {
      return "forever";
    }
    long magnitude = Math.abs(nanos);
    if (magnitude >= 1_000_000_000L) {
      return decimal(nanos, 9) + " s";
    }
    if (magnitude >= 1_000_000L) {
      return decimal(nanos, 6) + " ms";
    }
    if (magnitude >= 1_000L) {
      return decimal(nanos, 3) + " µs";
    }
    return nanos + " ns";
  }

  private static String decimal(long nanos, int scale) {
    return BigDecimal.valueOf(nanos, scale).setScale(3, RoundingMode.HALF_UP)
        .stripTrailingZeros().toPlainString();
  }
}
