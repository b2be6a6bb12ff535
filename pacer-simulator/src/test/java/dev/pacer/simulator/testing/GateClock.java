package dev.pacer.simulator.testing;

import dev.pacer.simulator.SimulatorClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The system's time, but a {@link #sleep} (slow headers, latency) waits until the test
 * {@linkplain #open() opens} the gate: a test can hold an attempt in flight for exactly as long as it
 * likes, without guessing durations.
 */
public final class GateClock implements SimulatorClock {

  private final Semaphore gate = new Semaphore(0);
  private final Semaphore sleepers = new Semaphore(0);

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
    sleepers.release();
    gate.acquire();
  }

  /** Waits until {@code n} sleepers have arrived at the gate (since the last call). */
  public void awaitSleepers(int n) throws InterruptedException {
    if (!sleepers.tryAcquire(n, 20, TimeUnit.SECONDS)) {
      throw new AssertionError("no attempt reached the gate within 20 s");
    }
  }

  /** Lets one sleeper through. */
  public void open() {
    gate.release();
  }
}
