package dev.pacer.simulator.internal;

import dev.pacer.simulator.AccelerationLimit;
import dev.pacer.simulator.FaultPlan;
import dev.pacer.simulator.FaultWindow;
import dev.pacer.simulator.Faults;
import dev.pacer.simulator.SimulatorClock;
import dev.pacer.simulator.SlowHeaders;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The faults queued and the standing {@link FaultPlan}; decides each attempt's faults. Every decision
 * takes {@code now} from the caller, and every chance is drawn from one seeded generator, so a run
 * with the same seed and the same order of attempts meets the same faults.
 */
public final class FaultInjector implements Faults {

  private final ReentrantLock lock = new ReentrantLock();
  private final SimulatorClock clock;
  private final long startNanos;
  private final FaultPlan configured;
  private final SplittableRandom random;
  private final Deque<Fault> queued = new ArrayDeque<>();
  private final Deque<Long> slowQueued = new ArrayDeque<>();
  private int streamBreaksQueued;
  private int dropsQueued;
  private volatile FaultPlan plan;
  /** False when nothing at all is set: the common case costs one volatile read. */
  private volatile boolean active;

  public FaultInjector(long seed, FaultPlan configured, SimulatorClock clock, long startNanos) {
    this.random = new SplittableRandom(Mix.mix64(seed ^ 0x5eed_fa17L));
    this.configured = configured;
    this.plan = configured;
    this.clock = clock;
    this.startNanos = startNanos;
    this.active = !configured.isEmpty();
  }

  // ---- Faults: queued ------------------------------------------------------------------------

  @Override
  public Faults failNext(int count, int status) {
    return failNext(count, status, Duration.ofSeconds(1));
  }

  @Override
  public Faults failNext(int count, int status, Duration retryAfter) {
    nonNegative(count);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an error status (400..599): " + status);
    }
    long seconds = Math.max(1, (retryAfter.toNanos() + 999_999_999L) / 1_000_000_000L);
    locked(() -> {
      for (int i = 0; i < count; i++) {
        queued.addLast(new Fault(status, seconds, Fault.FAIL_NEXT));
      }
    });
    return this;
  }

  @Override
  public Faults breakNextStreams(int count) {
    nonNegative(count);
    locked(() -> streamBreaksQueued += count);
    return this;
  }

  @Override
  public Faults dropNextConnections(int count) {
    nonNegative(count);
    locked(() -> dropsQueued += count);
    return this;
  }

  @Override
  public Faults slowNextHeaders(int count, Duration delay) {
    nonNegative(count);
    if (!delay.isPositive()) {
      throw new IllegalArgumentException("delay must be positive: " + delay);
    }
    locked(() -> {
      for (int i = 0; i < count; i++) {
        slowQueued.addLast(delay.toNanos());
      }
    });
    return this;
  }

  // ---- Faults: standing ----------------------------------------------------------------------

  @Override
  public Faults overloadProbability(double p) {
    return edit(b -> b.overloadProbability(p));
  }

  @Override
  public Faults errorProbability(int status, double p) {
    return edit(b -> b.errorProbability(status, p));
  }

  @Override
  public Faults overloadWave(FaultWindow wave) {
    return edit(b -> b.overloadWave(wave));
  }

  @Override
  public Faults overloadCapacity(int capacity) {
    return edit(b -> b.overloadCapacity(capacity));
  }

  @Override
  public Faults outage(FaultWindow window) {
    return edit(b -> b.outage(window));
  }

  @Override
  public Faults outageFor(Duration length) {
    return outage(FaultWindow.once(Duration.ofNanos(Math.max(0, clock.nanoTime() - startNanos)), length));
  }

  @Override
  public Faults streamErrorProbability(double p) {
    return edit(b -> b.streamErrorProbability(p));
  }

  @Override
  public Faults dropConnectionProbability(double p) {
    return edit(b -> b.dropConnectionProbability(p));
  }

  @Override
  public Faults slowHeaders(SlowHeaders slowHeaders) {
    return edit(b -> {
      if (slowHeaders == null) b.noSlowHeaders(); else b.slowHeaders(slowHeaders);
    });
  }

  @Override
  public Faults accelerationLimit(AccelerationLimit limit) {
    return edit(b -> {
      if (limit == null) b.noAccelerationLimit(); else b.accelerationLimit(limit);
    });
  }

  @Override
  public FaultPlan plan() {
    return plan;
  }

  @Override
  public Faults plan(FaultPlan newPlan) {
    Objects.requireNonNull(newPlan, "plan");
    locked(() -> plan = newPlan);
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
  public void reset() {
    locked(() -> {
      emptyQueues();
      plan = configured;
    });
  }

  @Override
  public void clear() {
    locked(() -> {
      emptyQueues();
      plan = FaultPlan.none();
    });
  }

  private void emptyQueues() {
    queued.clear();
    slowQueued.clear();
    streamBreaksQueued = 0;
    dropsQueued = 0;
  }

  // ---- decisions -----------------------------------------------------------------------------

  /** An outage window open at {@code nowNanos}: a 503 for any API request; null when none. */
  public Fault outage(long nowNanos) {
    if (!active || plan.outages().isEmpty()) return null;
    lock.lock();
    try {
      return hitBy(plan.outages(), nowNanos) ? new Fault(503, 0, Fault.OUTAGE) : null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The error a Messages attempt is answered with before admission, or null: a queued failure, a
   * wave, the load, the overload probability, the error probabilities, in this order (an outage is
   * asked for apart, with {@link #outage(long)}, before the request is validated).
   *
   * @param inFlight Messages attempts being handled now, this one included
   */
  public Fault beforeAdmission(long nowNanos, int inFlight) {
    if (!active) return null;
    lock.lock();
    try {
      FaultPlan p = plan;
      Fault f = queued.pollFirst();
      if (f != null) {
        return f;
      }
      if (hitBy(p.overloadWaves(), nowNanos)) {
        return new Fault(529, 0, Fault.OVERLOAD_WAVE);
      }
      double shed = FaultPlan.loadSheddingProbability(inFlight, p.overloadCapacity());
      if (shed > 0 && random.nextDouble() < shed) {
        return new Fault(529, 0, Fault.OVERLOAD_LOAD);
      }
      if (p.overloadProbability() > 0 && random.nextDouble() < p.overloadProbability()) {
        return new Fault(529, 0, Fault.OVERLOAD_PROBABILITY);
      }
      for (Map.Entry<Integer, Double> e : p.errorProbabilities().entrySet()) {
        if (random.nextDouble() < e.getValue()) {
          return new Fault(e.getKey(), 0, Fault.ERROR_PROBABILITY);
        }
      }
      return null;
    } finally {
      refreshActive();
      lock.unlock();
    }
  }

  /** The acceleration limit in force, or null. */
  public AccelerationLimit accelerationLimit() {
    return active ? plan.accelerationLimit().orElse(null) : null;
  }

  /** How long an attempt waits before its status line: a queued delay, else the plan's by chance; 0 for none. */
  public long slowHeadersNanos() {
    if (!active) return 0;
    lock.lock();
    try {
      Long q = slowQueued.pollFirst();
      if (q != null) return q;
      SlowHeaders s = plan.slowHeaders().orElse(null);
      if (s != null && (s.probability() >= 1 || random.nextDouble() < s.probability())) {
        return s.delay().toNanos();
      }
      return 0;
    } finally {
      refreshActive();
      lock.unlock();
    }
  }

  /** What becomes of an admitted attempt's answer: a queued break first, else the plan's by chance. */
  Fault.Break afterAdmission(boolean stream) {
    if (!active) return Fault.Break.NONE;
    lock.lock();
    try {
      if (stream && streamBreaksQueued > 0) {
        streamBreaksQueued--;
        return Fault.Break.STREAM_ERROR;
      }
      if (dropsQueued > 0) {
        dropsQueued--;
        return Fault.Break.CONNECTION_DROP;
      }
      FaultPlan p = plan;
      if (stream && p.streamErrorProbability() > 0 && random.nextDouble() < p.streamErrorProbability()) {
        return Fault.Break.STREAM_ERROR;
      }
      if (p.dropConnectionProbability() > 0 && random.nextDouble() < p.dropConnectionProbability()) {
        return Fault.Break.CONNECTION_DROP;
      }
      return Fault.Break.NONE;
    } finally {
      refreshActive();
      lock.unlock();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private boolean hitBy(java.util.List<FaultWindow> windows, long nowNanos) {
    long since = nowNanos - startNanos;
    for (FaultWindow w : windows) {
      if (w.isOpenAtNanos(since) && (w.probability() >= 1 || random.nextDouble() < w.probability())) {
        return true;
      }
    }
    return false;
  }

  private Faults edit(java.util.function.Consumer<FaultPlan.Builder> change) {
    lock.lock();
    try {
      FaultPlan.Builder b = plan.toBuilder();
      change.accept(b);
      plan = b.build();
      refreshActive();
    } finally {
      lock.unlock();
    }
    return this;
  }

  private void locked(Runnable r) {
    lock.lock();
    try {
      r.run();
      refreshActive();
    } finally {
      lock.unlock();
    }
  }

  private void refreshActive() {
    active = !plan.isEmpty() || !queued.isEmpty() || !slowQueued.isEmpty()
        || streamBreaksQueued > 0 || dropsQueued > 0;
  }

  private static void nonNegative(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
  }
}
