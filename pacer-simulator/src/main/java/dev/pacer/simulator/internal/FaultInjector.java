package dev.pacer.simulator.internal;

import dev.pacer.simulator.Faults;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/** The faults queued and the overload probability; decides each attempt's fault, if any. */
public final class FaultInjector implements Faults {

  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Fault> queued = new ArrayDeque<>();
  private final SplittableRandom random;
  private double overloadProbability;

  public FaultInjector(long seed) {
    this.random = new SplittableRandom(Mix.mix64(seed ^ 0x5eed_fa17L));
  }

  @Override
  public Faults failNext(int count, int status) {
    return failNext(count, status, Duration.ofSeconds(1));
  }

  @Override
  public Faults failNext(int count, int status, Duration retryAfter) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an error status (400..599): " + status);
    }
    long seconds = Math.max(1, (retryAfter.toNanos() + 999_999_999L) / 1_000_000_000L);
    lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        queued.addLast(new Fault(status, seconds));
      }
    } finally {
      lock.unlock();
    }
    return this;
  }

  @Override
  public Faults overloadProbability(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("probability must be within 0..1: " + p);
    }
    lock.lock();
    try {
      overloadProbability = p;
    } finally {
      lock.unlock();
    }
    return this;
  }

  @Override
  public int pending() {
    lock.lock();
    try {
      return queued.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void clear() {
    lock.lock();
    try {
      queued.clear();
      overloadProbability = 0;
    } finally {
      lock.unlock();
    }
  }

  /** The fault for the next attempt: a queued one first, else a 529 drawn with the probability. */
  public Optional<Fault> next() {
    lock.lock();
    try {
      Fault f = queued.pollFirst();
      if (f != null) {
        return Optional.of(f);
      }
      if (overloadProbability > 0 && random.nextDouble() < overloadProbability) {
        return Optional.of(new Fault(529, 0));
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }
}
