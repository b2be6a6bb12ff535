package dev.pacer.time;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link System#nanoTime()}, {@link Thread#sleep} and one daemon timer thread. */
final class SystemTimeSource implements TimeSource {

  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  private final ScheduledThreadPoolExecutor timer;
  private final java.util.concurrent.ExecutorService handoff = java.util.concurrent.Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("pacer-handoff-", 0).factory());

  private SystemTimeSource() {
    timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "pacer-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (!duration.isNegative() && !duration.isZero()) {
      Thread.sleep(duration);
    }
  }

  @Override
  public void execute(Runnable task) {
    handoff.execute(task);
  }

  @Override
  public Scheduled schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> future = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
