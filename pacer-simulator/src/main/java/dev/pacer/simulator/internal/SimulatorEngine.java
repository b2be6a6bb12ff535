package dev.pacer.simulator.internal;

import dev.pacer.simulator.Limits;
import dev.pacer.simulator.SimulatorClock;
import dev.pacer.simulator.SimulatorConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** The simulator's state, shared by the endpoints: pools and their buckets, caches, stats, faults. */
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

  public SimulatorEngine(SimulatorConfig config) {
    this.config = config;
    this.clock = config.clock();
    this.catalog = ModelCatalog.load(config.dataFile());
    this.windowNanos = config.window().toNanos();
    this.burstNanos = config.burst().map(java.time.Duration::toNanos).orElse(0L);
    this.limits = new LimitsTable(config, catalog);
    this.countTokensBuckets =
        PoolBuckets.requestsOnly(limits.countTokensRpm(), windowNanos, burstNanos, clock.nanoTime());
    this.stats = new StatsRecorder(config.recordLimit());
    this.faults = new FaultInjector(config.seed());
    this.ids = new Ids(config.seed());
    this.answers = new AnswerGenerator(config.seed(), config.minOutputTokens(), config.maxOutputTokens());
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
    limitsLock.lock();
    try {
      return limits.limitsOf(pool);
    } finally {
      limitsLock.unlock();
    }
  }

  /** Every pool, now and later, gets {@code l}; levels are clipped to the new capacities. */
  public void setLimits(Limits l) {
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
}
