package dev.pacer.jobs.internal;

import dev.pacer.jobs.OutputRule;
import dev.pacer.jobs.PacingConfig;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A small client-side mirror of the server's buckets (server-model.md), per pool, for the limits
 * that are configured: requests, input tokens and output tokens, refilled continuously, with the
 * configured burst as capacity (a full window when not given). Attempts wait in a queue, in
 * order, until every bucket can take them; a 429 pauses the pool for its retry-after.
 *
 * <p>This is the job runner's stand-in until pacer-core's governor paces the SDK client; it
 * learns nothing from headers and never shrinks its estimate of the burst.
 */
public final class InterimLimiter implements AttemptGate {

  private final PacingConfig pacing;
  private final Function<String, KnownLimits> limits;
  private final TimeSource time;
  private final Map<String, Pool> pools = new HashMap<>();

  public InterimLimiter(PacingConfig pacing, Function<String, KnownLimits> limits, TimeSource time) {
    this.pacing = pacing;
    this.limits = limits;
    this.time = time;
  }

  @Override
  public CompletableFuture<Permit> admit(String poolName, long inputTokens, long maxTokens) {
    Waiter waiter = new Waiter(inputTokens, maxTokens);
    Pool pool;
    synchronized (this) {
      pool = pools.computeIfAbsent(poolName, this::newPool);
      pool.queue.addLast(waiter);
    }
    drain(pool);
    return waiter.future;
  }

  private Pool newPool(String name) {
    return new Pool(limits.apply(name));
  }

  private void drain(Pool pool) {
    List<Waiter> admitted = new ArrayList<>();
    synchronized (this) {
      long now = time.nanoTime();
      pool.refill(now);
      while (!pool.queue.isEmpty()) {
        Waiter head = pool.queue.peekFirst();
        if (head.future.isDone()) {
          pool.queue.removeFirst();
          continue;
        }
        long waitNanos = pool.waitFor(head, now);
        if (waitNanos > 0) {
          long due = now + waitNanos;
          if (!pool.wakeScheduled || pool.wakeAtNanos - due > 0) {
            pool.wakeScheduled = true;
            pool.wakeAtNanos = due;
            time.schedule(() -> {
              synchronized (this) {
                pool.wakeScheduled = false;
              }
              drain(pool);
            }, waitNanos);
          }
          break;
        }
        pool.queue.removeFirst();
        pool.take(head);
        admitted.add(head);
      }
    }
    for (Waiter waiter : admitted) {
      if (!waiter.future.complete(new PoolPermit(pool, waiter))) {
        synchronized (this) {
          pool.give(waiter, 0, 0, true);
        }
      }
    }
  }

  private static final class Waiter {
    final long input;
    final long maxTokens;
    final CompletableFuture<Permit> future = new CompletableFuture<>();

    Waiter(long input, long maxTokens) {
      this.input = input;
      this.maxTokens = maxTokens;
    }
  }

  /** One bucket: limit per window, refilled continuously up to its capacity. */
  private static final class Bucket {
    final double ratePerNano;
    final double capacity;
    double level;

    Bucket(long limit, long windowNanos, double burstFraction) {
      this.ratePerNano = limit / (double) windowNanos;
      this.capacity = Math.max(1, limit * burstFraction);
      this.level = capacity;
    }

    void refill(long elapsedNanos) {
      level = Math.min(capacity, level + ratePerNano * elapsedNanos);
    }

    /** Nanos until the level reaches {@code need} (capped at the capacity); 0 if it has. */
    long nanosUntil(double need) {
      double target = Math.min(need, capacity);
      return level >= target ? 0 : (long) Math.ceil((target - level) / ratePerNano);
    }
  }

  private final class Pool {
    final Bucket requests;
    final Bucket input;
    final Bucket output;
    final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    long lastNanos;
    /**
     * Refill starts with the pool's first answer, not its first admission: until the server has
     * seen a request its bucket sits at capacity and refills nothing, so refill counted earlier
     * would be refill the server never grants.
     */
    boolean refilling;
    long pausedUntilNanos;
    boolean paused;
    boolean wakeScheduled;
    long wakeAtNanos;

    Pool(KnownLimits known) {
      long window = pacing.window().toNanos();
      double burst = pacing.burst().map(b -> b.toNanos() / (double) window).orElse(1.0);
      requests = bucket(known.requests(), window, burst);
      input = bucket(known.inputTokens(), window, burst);
      output = bucket(known.outputTokens(), window, burst);
      lastNanos = time.nanoTime();
    }

    private Bucket bucket(OptionalLong limit, long window, double burst) {
      return limit.isPresent() ? new Bucket(limit.getAsLong(), window, burst) : null;
    }

    void refill(long now) {
      if (!refilling) {
        lastNanos = now;
        return;
      }
      long elapsed = now - lastNanos;
      if (elapsed > 0) {
        for (Bucket b : new Bucket[] {requests, input, output}) {
          if (b != null) {
            b.refill(elapsed);
          }
        }
        lastNanos = now;
      }
    }

    long waitFor(Waiter w, long now) {
      long wait = paused && pausedUntilNanos - now > 0 ? pausedUntilNanos - now : 0;
      if (requests != null) {
        wait = Math.max(wait, requests.nanosUntil(1));
      }
      if (input != null) {
        wait = Math.max(wait, input.nanosUntil(w.input));
      }
      if (output != null) {
        double need = pacing.outputRule() == OutputRule.RESERVE ? w.maxTokens : 1;
        wait = Math.max(wait, output.nanosUntil(need));
      }
      return wait;
    }

    void take(Waiter w) {
      if (requests != null) {
        requests.level -= 1;
      }
      if (input != null) {
        input.level -= w.input;
      }
      if (output != null && pacing.outputRule() == OutputRule.RESERVE) {
        output.level -= w.maxTokens;
      }
    }

    /** Settles a reservation: {@code refundAll} for attempts the server charged nothing for. */
    void give(Waiter w, long actualInput, long actualOutput, boolean refundAll) {
      refill(time.nanoTime());
      refilling = true;
      if (refundAll) {
        if (requests != null) {
          requests.level = Math.min(requests.capacity, requests.level + 1);
        }
        if (input != null) {
          input.level = Math.min(input.capacity, input.level + w.input);
        }
        if (output != null && pacing.outputRule() == OutputRule.RESERVE) {
          output.level = Math.min(output.capacity, output.level + w.maxTokens);
        }
        return;
      }
      if (input != null) {
        input.level = Math.min(input.capacity, input.level + w.input - actualInput);
      }
      if (output != null) {
        long back = pacing.outputRule() == OutputRule.RESERVE ? w.maxTokens - actualOutput : -actualOutput;
        output.level = Math.min(output.capacity, output.level + back);
      }
    }
  }

  private final class PoolPermit implements Permit {
    private final Pool pool;
    private final Waiter waiter;
    private boolean settled;

    PoolPermit(Pool pool, Waiter waiter) {
      this.pool = pool;
      this.waiter = waiter;
    }

    private boolean once() {
      synchronized (InterimLimiter.this) {
        if (settled) {
          return false;
        }
        settled = true;
        return true;
      }
    }

    @Override
    public void settle(long actualInputTokens, long actualOutputTokens) {
      if (once()) {
        synchronized (InterimLimiter.this) {
          pool.give(waiter, actualInputTokens, actualOutputTokens, false);
        }
        drain(pool);
      }
    }

    @Override
    public void rateLimited(Duration retryAfter) {
      if (once()) {
        synchronized (InterimLimiter.this) {
          pool.give(waiter, 0, 0, true);
          long until = time.nanoTime() + retryAfter.toNanos();
          if (!pool.paused || until - pool.pausedUntilNanos > 0) {
            pool.paused = true;
            pool.pausedUntilNanos = until;
          }
        }
        drain(pool);
      }
    }

    @Override
    public void refused() {
      if (once()) {
        synchronized (InterimLimiter.this) {
          pool.give(waiter, 0, 0, true);
        }
        drain(pool);
      }
    }

    @Override
    public void settleUnknown() {
      once();
    }

    @Override
    public void cancel() {
      refused();
    }
  }

  /** For tests: how long the pool's head would wait now. */
  synchronized Duration headWait(String poolName) {
    Pool pool = pools.get(poolName);
    if (pool == null || pool.queue.isEmpty()) {
      return Duration.ZERO;
    }
    long now = time.nanoTime();
    pool.refill(now);
    return Duration.ofNanos(pool.waitFor(pool.queue.peekFirst(), now));
  }
}
