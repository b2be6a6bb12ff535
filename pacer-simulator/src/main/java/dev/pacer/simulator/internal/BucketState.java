package dev.pacer.simulator.internal;

/**
 * One bucket at one instant: its limit per window, capacity, level and refill rate.
 *
 * @param level may be negative: output debt under the live rule
 */
public record BucketState(BucketKind kind, long limit, double capacity, double level, double ratePerSecond) {

  /** Seconds until the level reaches {@code target}; zero or less when it is there already. */
  public double secondsUntil(double target) {
    return (target - level) / ratePerSecond;
  }

  /** Tolerance for comparing levels that went through floating-point refills. */
  double epsilon() {
    return 1e-9 * Math.max(1.0, capacity);
  }
}
