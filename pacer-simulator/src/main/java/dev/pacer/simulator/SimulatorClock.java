package dev.pacer.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * The simulator's time: a monotonic reading for the buckets, a wall-clock reading for the
 * {@code reset} headers, and a way to wait (for the latency model). Every rule takes its
 * {@code now} from here, so a {@link ManualClock} runs the server on virtual time.
 */
public interface SimulatorClock {

  /** Monotonic nanoseconds; only differences mean anything. */
  long nanoTime();

  /** The wall-clock time now, for {@code reset} headers. */
  Instant wallTime();

  /** Waits for {@code duration} of this clock's time. */
  void sleep(Duration duration) throws InterruptedException;

  /** The machine's clocks and real sleeping. */
  static SimulatorClock system() {
    return SystemClock.INSTANCE;
  }

  /** A clock that moves only when told to, starting at {@code start}. */
  static ManualClock manual(Instant start) {
    return new ManualClock(start);
  }

  /** The system clock. */
  final class SystemClock implements SimulatorClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Instant wallTime() {
      return Instant.now();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      if (duration.isPositive()) {
        Thread.sleep(duration);
      }
    }

    @Override
    public String toString() {
      return "system clock";
    }
  }
}
