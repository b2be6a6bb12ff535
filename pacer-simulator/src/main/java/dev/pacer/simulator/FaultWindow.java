package dev.pacer.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A stretch of time when a fault is on: it starts {@code start} after the simulator started, lasts
 * {@code length}, and comes back every {@code period} (never, when the period is zero). Within it, each
 * attempt is hit with {@code probability}.
 *
 * <p>Written {@code LENGTH@START[/PERIOD][:P]}:
 * <ul>
 *   <li>{@code 30s@2m}: from 2 min after the start, for 30 s, once;
 *   <li>{@code 30s@2m/10m}: the same, and again every 10 min (2m, 12m, 22m, …);
 *   <li>{@code 30s@2m/10m:0.5}: the same, each attempt hit with probability 0.5 (default 1).
 * </ul>
 *
 * @param start when the first window opens, measured from the simulator's start
 * @param length how long each window lasts
 * @param period the time from one opening to the next; {@link Duration#ZERO} for a single window
 * @param probability the chance that an attempt inside the window is hit, in (0, 1]
 */
public record FaultWindow(Duration start, Duration length, Duration period, double probability) {

  public FaultWindow {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(length, "length");
    Objects.requireNonNull(period, "period");
    if (start.isNegative()) {
      throw new IllegalArgumentException("start must not be negative: " + start);
    }
    if (!length.isPositive()) {
      throw new IllegalArgumentException("length must be positive: " + length);
    }
    if (period.isNegative() || (!period.isZero() && period.compareTo(length) < 0)) {
      throw new IllegalArgumentException("period must be zero (once) or at least the length ("
          + Durations.format(length) + "): " + Durations.format(period));
    }
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be within (0, 1]: " + probability);
    }
  }

  /** One window: from {@code start} (after the simulator's start) for {@code length}, every attempt hit. */
  public static FaultWindow once(Duration start, Duration length) {
    return new FaultWindow(start, length, Duration.ZERO, 1.0);
  }

  /** A window that opens at {@code start}, then every {@code period}, for {@code length} each time. */
  public static FaultWindow every(Duration period, Duration start, Duration length) {
    return new FaultWindow(start, length, period, 1.0);
  }

  /** This window with attempts inside it hit with probability {@code p}. */
  public FaultWindow withProbability(double p) {
    return new FaultWindow(start, length, period, p);
  }

  /** Parses {@code LENGTH@START[/PERIOD][:P]}, e.g. {@code 30s@2m}, {@code 30s@2m/10m}, {@code 1m@0s/5m:0.5}. */
  public static FaultWindow parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      double p = 1.0;
      int colon = t.indexOf(':');
      if (colon >= 0) {
        p = Double.parseDouble(t.substring(colon + 1).trim());
        t = t.substring(0, colon);
      }
      int at = t.indexOf('@');
      if (at < 0) {
        throw new IllegalArgumentException("no '@'");
      }
      Duration length = Durations.parse(t.substring(0, at));
      String rest = t.substring(at + 1);
      Duration period = Duration.ZERO;
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        period = Durations.parse(rest.substring(slash + 1));
        rest = rest.substring(0, slash);
      }
      return new FaultWindow(Durations.parse(rest), length, period, p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read window '" + text + "' (" + e.getMessage()
          + "): write LENGTH@START[/PERIOD][:P], e.g. 30s@2m, 30s@2m/10m or 30s@2m/10m:0.5", e);
    }
  }

  /** True when {@code sinceStart} (time since the simulator started) falls inside a window. */
  public boolean isOpenAt(Duration sinceStart) {
    return isOpenAtNanos(sinceStart.toNanos());
  }

  /** As {@link #isOpenAt(Duration)}, in nanoseconds since the start. */
  public boolean isOpenAtNanos(long sinceStartNanos) {
    long from = start.toNanos();
    if (sinceStartNanos < from) return false;
    long into = sinceStartNanos - from;
    if (!period.isZero()) {
      into = into % period.toNanos();
    }
    return into < length.toNanos();
  }

  @Override
  public String toString() {
    return Durations.format(length) + "@" + Durations.format(start)
        + (period.isZero() ? "" : "/" + Durations.format(period))
        + (probability == 1.0 ? "" : ":" + probability);
  }
}
