package dev.pacer;

import dev.pacer.limits.Bucket;
import dev.pacer.store.BucketStore;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Decides when each attempt may go so that no pool's buckets are overdrawn. Three ways to wait:
 * {@link #acquire} blocks, {@link #tryAcquire} does not, {@link #acquireAsync} returns a future.
 * Every permit it grants must be ended ({@link Permit#settle} or {@link Permit#release}).
 *
 * <p>Most callers use {@link Pacer}, which adds retries around this; the governor alone suits
 * callers with their own retry loop.
 */
public final class Governor implements AutoCloseable {

  private final GovernorConfig config;
  private final TimeSource time;
  private final BucketStore store;
  private final ConcurrentHashMap<String, PoolState> pools = new ConcurrentHashMap<>();
  /** The pace after a refused ramp-up: the server's rule is the organization's, so every pool's. */
  private final RampLimiter ramp;

  /** A governor whose buckets live in this JVM. */
  public Governor(GovernorConfig config, TimeSource time) {
    this(config, time, BucketStore.inMemory(time));
  }

  /** A governor whose buckets live in {@code store} (shared with other processes, for one). */
  public Governor(GovernorConfig config, TimeSource time, BucketStore store) {
    this.config = config;
    this.time = time;
    this.store = store;
    this.ramp = new RampLimiter(config.window().toNanos());
  }

  public GovernorConfig config() {
    return config;
  }

  /**
   * Blocks until the buckets of the demand's pool can take it, then returns its permit.
   *
   * @throws DemandTooLargeException at once, if the demand exceeds a known limit
   * @throws PacerTimeoutException if the demand's timeout passes first
   * @throws InterruptedException if interrupted while waiting (the wait is withdrawn)
   */
  public Permit acquire(Demand demand) throws InterruptedException {
    CompletableFuture<Permit> future = acquireAsync(demand);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** A permit now if the demand can go at once and nobody waits ahead of it; else empty. */
  public Optional<Permit> tryAcquire(Demand demand) {
    PoolState pool = pool(demand);
    return pool.tryAcquire(demand, inputTokens(pool, demand));
  }

  /**
   * A future of the permit. It fails with {@link DemandTooLargeException} for a demand that can
   * never fit, {@link PacerTimeoutException} when the demand's timeout passes, and
   * {@link PacerClosedException} on close. Cancelling it withdraws the wait.
   */
  public CompletableFuture<Permit> acquireAsync(Demand demand) {
    return acquireAsync(demand, 1, false, timeoutNanos(demand));
  }

  /** As {@link #acquireAsync(Demand)}, for attempt {@code attempt}; a retry waits at the head of its queue. */
  CompletableFuture<Permit> acquireAsync(Demand demand, int attempt, boolean retry, long timeoutNanos) {
    try {
      PoolState pool = pool(demand);
      return pool.enqueue(demand, inputTokens(pool, demand), attempt, retry, timeoutNanos);
    } catch (PacerException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Pauses the pool of {@code demand} for {@code pause} (a 429's retry-after). */
  void pause(String pool, Duration pause, Bucket bucket, String message) {
    pools.get(pool).pause(pause, bucket, message);
  }

  /** What the governor believes of {@code pool} now, if it has seen it. */
  public Optional<PoolSnapshot> snapshot(String pool) {
    return Optional.ofNullable(pools.get(pool)).map(PoolState::snapshot);
  }

  /** Every pool seen so far. */
  public List<PoolSnapshot> snapshots() {
    Collection<PoolState> all = pools.values();
    return all.stream().map(PoolState::snapshot).toList();
  }

  /**
   * Whether the server counts cache reads against {@code pool}'s input limit: learned from its
   * readings once the pool has seen answers that read the cache, else the model data's word.
   */
  public boolean countsCacheReads(String pool) {
    PoolState state = pools.get(pool);
    return state != null ? state.countsCacheReads() : config.catalog().countsCacheReads(pool);
  }

  /** The pool a demand counts against. */
  public String poolOf(Demand demand) {
    return config.poolOf(demand);
  }

  /** Fails everything waiting with {@link PacerClosedException}; permits already granted stay valid. */
  @Override
  public void close() {
    pools.values().forEach(PoolState::close);
  }

  PoolState pool(Demand demand) {
    return pools.computeIfAbsent(config.poolOf(demand), name -> new PoolState(name, config, time, store, ramp));
  }

  private long inputTokens(PoolState pool, Demand demand) {
    return demand.needsEstimate() ? config.estimator().estimate(pool.name, demand.inputText()) : demand.inputTokens();
  }

  private static long timeoutNanos(Demand demand) {
    return demand.timeout() == null ? Long.MAX_VALUE : demand.timeout().toNanos();
  }

  static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new PacerException(String.valueOf(cause.getMessage()), cause);
  }
}
