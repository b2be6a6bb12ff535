package dev.pacer.simulator.internal;

import dev.pacer.simulator.LimitChange;
import dev.pacer.simulator.Limits;
import dev.pacer.simulator.SimulatorClock;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.SimulatorStats;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The simulator's state, shared by the endpoints: pools and their buckets, caches, stats, faults,
 * scheduled limit changes, Message Batches.
 */
public final class SimulatorEngine {

  private final SimulatorConfig config;
  private final SimulatorClock clock;
  private final ModelCatalog catalog;
  private final long windowNanos;
  private final long burstNanos;
  private final ReentrantLock limitsLock = new ReentrantLock();
  private final LimitsTable limits;
  private final ConcurrentHashMap<String, PoolBuckets> pools = new ConcurrentHashMap<>();
  private final PoolBuckets countTokensBuckets;
  private final PromptCache promptCache = new PromptCache();
  private final StatsRecorder stats;
  private final FaultInjector faults;
  private final Ids ids;
  private final AnswerGenerator answers;
  private final long startNanos;
  private final AccelerationTracker acceleration;
  private final List<LimitChange> limitChanges;
  private int nextLimitChange;
  private volatile boolean limitChangesPending;
  private final PoolBuckets batchBuckets;
  private final BatchProcessor batches;

  public SimulatorEngine(SimulatorConfig config) {
    this.config = config;
    this.clock = config.clock();
    this.startNanos = clock.nanoTime();
    this.catalog = ModelCatalog.load(config.dataFile());
    this.windowNanos = config.window().toNanos();
    this.burstNanos = config.burst().map(java.time.Duration::toNanos).orElse(0L);
    this.limits = new LimitsTable(config, catalog);
    this.countTokensBuckets =
        PoolBuckets.requestsOnly(limits.countTokensRpm(), windowNanos, burstNanos, clock.nanoTime());
    this.stats = new StatsRecorder(config.recordLimit());
    this.faults = new FaultInjector(config.seed(), config.faults(), clock, startNanos);
    this.ids = new Ids(config.seed());
    this.answers = new AnswerGenerator(config.seed(), config.minOutputTokens(), config.maxOutputTokens());
    this.acceleration = new AccelerationTracker(windowNanos, startNanos);
    this.limitChanges = config.limitChanges();
    this.limitChangesPending = !limitChanges.isEmpty();
    long batchRpm = config.batchRpm().orElse(catalog.batchRpm(config.tier()));
    this.batchBuckets = PoolBuckets.requestsOnly(batchRpm, windowNanos, burstNanos, startNanos);
    long queueLimit = config.batchQueueLimit().orElse(catalog.batchQueueLimit(config.tier()));
    this.batches = new BatchProcessor(this, config.batchRate(), config.batchExpiry(), queueLimit);
  }

  /** The simulator's clock reading when it started: the origin of fault windows and limit changes. */
  public long startNanos() {
    return startNanos;
  }

  /**
   * Applies the scheduled limit changes due by {@code now}, each at its own time (buckets refill at
   * the old rate up to it). Cheap when none is due.
   */
  public void applyDueLimitChanges(long nowNanos) {
    if (!limitChangesPending) return;
    limitsLock.lock();
    try {
      while (nextLimitChange < limitChanges.size()) {
        LimitChange c = limitChanges.get(nextLimitChange);
        long at = startNanos + c.at().toNanos();
        if (nowNanos - at < 0) break;
        if (c.pool() == null) {
          limits.setForEveryPool(c.limits());
          pools.values().forEach(b -> b.changeLimits(c.limits(), at));
        } else {
          limits.setForPool(c.pool(), c.limits());
          PoolBuckets b = pools.get(c.pool());
          if (b != null) b.changeLimits(c.limits(), at);
        }
        nextLimitChange++;
      }
      limitChangesPending = nextLimitChange < limitChanges.size();
    } finally {
      limitsLock.unlock();
    }
  }

  /** The stats now (batches brought up to date first). */
  public SimulatorStats statsSnapshot() {
    long now = clock.nanoTime();
    batches.advanceTo(now);
    return stats.snapshot(batches.requestsWaiting());
  }

  /** The buckets of a pool, made full on first use. */
  public PoolBuckets bucketsOf(String pool) {
    PoolBuckets b = pools.get(pool);
    if (b != null) {
      return b;
    }
    limitsLock.lock();
    try {
      return pools.computeIfAbsent(pool, p ->
          PoolBuckets.forPool(limits.limitsOf(p), windowNanos, burstNanos, clock.nanoTime()));
    } finally {
      limitsLock.unlock();
    }
  }

  public Limits limitsOf(String pool) {
    applyDueLimitChanges(clock.nanoTime());
    limitsLock.lock();
    try {
      return limits.limitsOf(pool);
    } finally {
      limitsLock.unlock();
    }
  }

  /** Every pool, now and later, gets {@code l}; levels are clipped to the new capacities. */
  public void setLimits(Limits l) {
    applyDueLimitChanges(clock.nanoTime());
    limitsLock.lock();
    try {
      limits.setForEveryPool(l);
      long now = clock.nanoTime();
      pools.values().forEach(b -> b.changeLimits(l, now));
    } finally {
      limitsLock.unlock();
    }
  }

  public void setLimits(String pool, Limits l) {
    applyDueLimitChanges(clock.nanoTime());
    limitsLock.lock();
    try {
      limits.setForPool(pool, l);
      PoolBuckets b = pools.get(pool);
      if (b != null) {
        b.changeLimits(l, clock.nanoTime());
      }
    } finally {
      limitsLock.unlock();
    }
  }

  public void setCountTokensRpm(long rpm) {
    limitsLock.lock();
    try {
      limits.setCountTokensRpm(rpm);
      countTokensBuckets.changeRequestsLimit(rpm, clock.nanoTime());
    } finally {
      limitsLock.unlock();
    }
  }

  public long countTokensRpm() {
    limitsLock.lock();
    try {
      return limits.countTokensRpm();
    } finally {
      limitsLock.unlock();
    }
  }

  /** The limits of every pool used so far. */
  public Map<String, Limits> poolsInUse() {
    Map<String, Limits> out = new TreeMap<>();
    applyDueLimitChanges(clock.nanoTime());
    limitsLock.lock();
    try {
      pools.keySet().forEach(p -> out.put(p, limits.limitsOf(p)));
    } finally {
      limitsLock.unlock();
    }
    return out;
  }

  public SimulatorConfig config() { return config; }

  public SimulatorClock clock() { return clock; }

  public ModelCatalog catalog() { return catalog; }

  public PoolBuckets countTokensBuckets() { return countTokensBuckets; }

  public PromptCache promptCache() { return promptCache; }

  public StatsRecorder stats() { return stats; }

  public FaultInjector faults() { return faults; }

  public Ids ids() { return ids; }

  public AnswerGenerator answers() { return answers; }

  AccelerationTracker acceleration() { return acceleration; }

  PoolBuckets batchBuckets() { return batchBuckets; }

  BatchProcessor batches() { return batches; }
}
