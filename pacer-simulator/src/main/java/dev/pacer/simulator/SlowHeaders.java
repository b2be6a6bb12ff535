package dev.pacer.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Slow headers: with {@code probability}, a Messages attempt waits {@code delay} (on the simulator's
 * clock) before anything of its answer, status line included, is sent. Written
 * {@code DELAY[:P]}, e.g. {@code 5s} (every attempt) or {@code 5s:0.1}.
 */
public record SlowHeaders(Duration delay, double probability) {

  public SlowHeaders {
    Objects.requireNonNull(delay, "delay");
    if (!delay.isPositive()) {
      throw new IllegalArgumentException("delay must be positive: " + delay);
    }
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be within (0, 1]: " + probability);
    }
  }

  /** Every attempt waits {@code delay}. */
  public static SlowHeaders of(Duration delay) {
    return new SlowHeaders(delay, 1.0);
  }

  /** Parses {@code DELAY[:P]}, e.g. {@code 5s} or {@code 2s:0.25}. */
  public static SlowHeaders parse(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    try {
      return colon < 0
          ? of(Durations.parse(t))
          : new SlowHeaders(Durations.parse(t.substring(0, colon)), Double.parseDouble(t.substring(colon + 1).trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read slow headers '" + text + "' (" + e.getMessage() + "): write DELAY[:P], e.g. 5s or 5s:0.1", e);
    }
  }

  @Override
  public String toString() {
    return Durations.format(delay) + (probability == 1.0 ? "" : ":" + probability);
  }
}
