package dev.pacer.time;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Virtual time for tests and deterministic simulation. Time moves only when a test calls
 * {@link #advance}, {@link #runUntilIdle} or {@link #sleep}; scheduled tasks run on the calling
 * thread, in time order, as the clock passes them.
 *
 * <p>Starts near {@link Long#MAX_VALUE} by default, so code that compares nanoTime values with
 * {@code <} instead of by subtraction fails its tests.
 */
public final class FakeTimeSource implements TimeSource {

  /** Where a new fake clock starts: ten minutes before nanoTime overflows. */
  public static final long DEFAULT_START_NANOS = Long.MAX_VALUE - Duration.ofMinutes(10).toNanos();

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private final ThreadLocal<java.util.ArrayDeque<Runnable>> trampoline = new ThreadLocal<>();
  private long now;
  private long sequence;

  public FakeTimeSource() {
    this(DEFAULT_START_NANOS);
  }

  public FakeTimeSource(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    lock.lock();
    try {
      return now;
    } finally {
      lock.unlock();
    }
  }

  /** Sleeping on a fake clock advances it, running whatever falls due meanwhile. */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    advance(duration);
  }

  @Override
  public Scheduled schedule(Runnable task, long delayNanos) {
    lock.lock();
    try {
      Task scheduled = new Task(now + Math.max(0, delayNanos), sequence++, task);
      tasks.add(scheduled);
      return () -> {
        lock.lock();
        try {
          tasks.remove(scheduled);
        } finally {
          lock.unlock();
        }
      };
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code task} on the calling thread; a task executed from inside another waits until
   * that one is done (a trampoline), so chains of hand-offs never deepen the stack.
   */
  @Override
  public void execute(Runnable task) {
    java.util.ArrayDeque<Runnable> queue = trampoline.get();
    if (queue != null) {
      queue.add(task);
      return;
    }
    queue = new java.util.ArrayDeque<>();
    queue.add(task);
    trampoline.set(queue);
    RuntimeException first = null;
    try {
      Runnable next;
      while ((next = queue.poll()) != null) {
        try {
          next.run();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          }
        }
      }
    } finally {
      trampoline.remove();
    }
    if (first != null) {
      throw first;
    }
  }

  /** Moves time forward by {@code duration}, running due tasks at their own times. */
  public void advance(Duration duration) {
    advanceNanos(duration.toNanos());
  }

  /** Moves time forward by {@code nanos}, running due tasks at their own times. */
  public void advanceNanos(long nanos) {
    long target;
    lock.lock();
    try {
      target = now + nanos;
    } finally {
      lock.unlock();
    }
    while (true) {
      Task next;
      lock.lock();
      try {
        next = tasks.peek();
        if (next == null || next.dueNanos - target > 0) {
          now = target;
          return;
        }
        tasks.poll();
        if (next.dueNanos - now > 0) {
          now = next.dueNanos;
        }
      } finally {
        lock.unlock();
      }
      next.task.run();
    }
  }

  /**
   * Runs scheduled tasks in time order, moving the clock to each, until none is left or the next
   * is more than {@code limit} away from where this call started. Returns the tasks run.
   */
  public long runUntilIdle(Duration limit) {
    long start = nanoTime();
    long ran = 0;
    while (true) {
      Task next;
      lock.lock();
      try {
        next = tasks.peek();
        if (next == null || next.dueNanos - start > limit.toNanos()) {
          return ran;
        }
        tasks.poll();
        if (next.dueNanos - now > 0) {
          now = next.dueNanos;
        }
      } finally {
        lock.unlock();
      }
      next.task.run();
      ran++;
    }
  }

  /** Tasks still waiting to run. */
  public int pendingTasks() {
    lock.lock();
    try {
      return tasks.size();
    } finally {
      lock.unlock();
    }
  }

  private record Task(long dueNanos, long sequence, Runnable task) implements Comparable<Task> {
    @Override
    public int compareTo(Task other) {
      long byTime = dueNanos - other.dueNanos;
      if (byTime != 0) {
        return byTime > 0 ? 1 : -1;
      }
      return Long.compare(sequence, other.sequence);
    }
  }
}
