package dev.pacer.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SimulatorClock} on virtual time: it moves only by {@link #advance(Duration)}, and
 * {@link #sleep(Duration)} advances it instead of waiting. Its monotonic reading starts near
 * {@code Long.MAX_VALUE} so that code comparing nanoTime values with {@code <} fails its tests.
 */
public final class ManualClock implements SimulatorClock {

  private static final long START_NANOS = Long.MAX_VALUE - 3_600_000_000_000L;

  private final Instant start;
  private final AtomicLong elapsedNanos = new AtomicLong();

  ManualClock(Instant start) {
    this.start = start;
  }

  @Override
  public long nanoTime() {
    return START_NANOS + elapsedNanos.get();
  }

  @Override
  public Instant wallTime() {
    return start.plusNanos(elapsedNanos.get());
  }

  /** Advances the clock; a sleeper does not wait. */
  @Override
  public void sleep(Duration duration) {
    if (duration.isPositive()) {
      advance(duration);
    }
  }

  /** Moves time forward by {@code duration}. */
  public ManualClock advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time does not go back: " + duration);
    }
    elapsedNanos.addAndGet(duration.toNanos());
    return this;
  }

  /** Time elapsed since the clock was made. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos.get());
  }

  @Override
  public String toString() {
    return "manual clock at " + wallTime();
  }
}
