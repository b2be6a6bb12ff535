package dev.pacer.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits that change at a given time after the simulator's start, for every pool or for one. At that
 * time the {@code limit} headers report the new values and the levels are clipped to the new
 * capacities (server-model.md, "Limits that change"), as {@link Simulator#setLimits} does.
 *
 * <p>Written {@code TIME=RPM/ITPM/OTPM} (every pool) or {@code TIME:POOL=RPM/ITPM/OTPM}, e.g.
 * {@code 10m=50/30000/8000} or {@code 90s:sonnet-4-5=1000/450000/90000}.
 *
 * @param at when, measured from the simulator's start
 * @param pool the pool changed, or null for every pool
 * @param limits the new limits
 */
public record LimitChange(Duration at, String pool, Limits limits) {

  public LimitChange {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(limits, "limits");
    if (at.isNegative()) {
      throw new IllegalArgumentException("at must not be negative: " + at);
    }
    if (pool != null && pool.isBlank()) {
      throw new IllegalArgumentException("pool must not be blank");
    }
  }

  /** Every pool gets {@code limits} at {@code at}. */
  public static LimitChange everyPool(Duration at, Limits limits) {
    return new LimitChange(at, null, limits);
  }

  /** {@code pool} gets {@code limits} at {@code at}. */
  public static LimitChange pool(Duration at, String pool, Limits limits) {
    return new LimitChange(at, Objects.requireNonNull(pool, "pool"), limits);
  }

  /** The pool changed; empty for every pool. */
  public Optional<String> onePool() {
    return Optional.ofNullable(pool);
  }

  /** Parses {@code TIME=RPM/ITPM/OTPM} or {@code TIME:POOL=RPM/ITPM/OTPM}. */
  public static LimitChange parse(String text) {
    String t = text.trim();
    int eq = t.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("cannot read limit change '" + text
          + "': write TIME=RPM/ITPM/OTPM or TIME:POOL=RPM/ITPM/OTPM, e.g. 10m=50/30000/8000");
    }
    String when = t.substring(0, eq).trim();
    String pool = null;
    int colon = when.indexOf(':');
    if (colon >= 0) {
      pool = when.substring(colon + 1).trim();
      when = when.substring(0, colon).trim();
    }
    try {
      return new LimitChange(Durations.parse(when), pool, Limits.parse(t.substring(eq + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read limit change '" + text + "' (" + e.getMessage()
          + "): write TIME=RPM/ITPM/OTPM or TIME:POOL=RPM/ITPM/OTPM, e.g. 10m=50/30000/8000", e);
    }
  }

  @Override
  public String toString() {
    return Durations.format(at) + (pool == null ? "" : ":" + pool) + "=" + limits;
  }
}
