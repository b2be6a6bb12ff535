package dev.pacer.time;

import java.time.Duration;

/**
 * Time as a dependency: a monotonic clock, a way to sleep and a way to schedule, together, so
 * that a fake clock can advance inside a fake sleep and tests run an hour in milliseconds.
 *
 * <p>Compare {@link #nanoTime()} values by subtraction ({@code a - b > 0}), never with {@code <}:
 * the fake clock starts near {@link Long#MAX_VALUE} to catch that mistake.
 */
public interface TimeSource {

  /** Monotonic nanoseconds, only meaningful as differences. */
  long nanoTime();

  /** Blocks the calling thread for {@code duration} of this source's time. */
  void sleep(Duration duration) throws InterruptedException;

  /** Runs {@code task} once, {@code delayNanos} from now, on a thread of this source's choice. */
  Scheduled schedule(Runnable task, long delayNanos);

  /**
   * Runs {@code task} soon, not on the caller's stack: the governor hands out permits this way,
   * so that a caller's continuation (which may fail at once and release its permit, handing out
   * the next) never nests inside another. The system source uses a virtual thread; the fake one
   * runs it on the calling thread once the current task is done.
   */
  void execute(Runnable task);

  /** A task that {@link #schedule} will run; cancel it to stop it running. */
  interface Scheduled {
    /** Stops the task from running if it has not started; harmless afterwards. */
    void cancel();
  }

  /** The JVM's clock and a shared daemon scheduler. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}
