package dev.pacer.redis;

import dev.pacer.store.BucketStore;
import dev.pacer.store.PoolBuckets;
import dev.pacer.time.FakeTimeSource;
import dev.pacer.time.TimeSource;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Buckets shared by every process that uses the same Redis and prefix: one organization's limits
 * paced together. Each decision on a pool is one Lua script on Redis (one EVALSHA, one round
 * trip), atomic, on Redis's clock; the queue, the permits and what is learned from headers stay
 * in each process, as with the in-memory store. See docs/distributed.md for the model.
 *
 * <pre>{@code
 * try (RedisBucketStore store = RedisBucketStore.connect("redis://:secret@redis.internal:6379/0",
 *         RedisStoreConfig.builder().prefix("acme-prod").build());
 *      Pacer pacer = Pacer.builder().tier(Tier.BUILD).store(store).build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>While Redis cannot be reached (or answers slower than {@link RedisStoreConfig#commandTimeout()})
 * the store fails closed or degrades to a local share of the limits ({@link FaultMode}), tries
 * Redis again every {@link RedisStoreConfig#probeInterval()} and goes back to it on its own. It
 * never throws from a call that settles, corrects or pauses; only a take may fail, and only when
 * failing closed.
 *
 * <p>Close the store after the {@code Pacer} that uses it: the Pacer does not close it.
 */
public final class RedisBucketStore implements BucketStore {

  private static final System.Logger LOG = System.getLogger("dev.pacer.redis");
  /** Where virtual time is put on Redis's microsecond scale (an instant in 2020). */
  private static final double VIRTUAL_EPOCH_MICROS = 1.6e15;

  private final RedisAddress address;
  private final RedisStoreConfig config;
  private final String id;
  private final String processesKey;
  private final TimeSource localTime;
  private final Map<String, RedisPool> pools = new ConcurrentHashMap<>();
  private final Map<String, RedisPool> poolsByChannel = new ConcurrentHashMap<>();
  private final ReentrantLock health = new ReentrantLock();
  private final ScheduledExecutorService beats;
  private final ExecutorService notifier;
  private final RedisLink link;
  private volatile boolean up = true;
  private volatile long downSince;
  private volatile String lastFailure = "";
  private volatile int liveProcesses;
  /**
   * Until when ({@code System.nanoTime}) the limits count as shared whatever the last heartbeat
   * counted: three heartbeat intervals after one counted others, or after Redis came back from an
   * outage that began while others were counted (see {@link #shared()}).
   */
  private volatile long sharedUntil = System.nanoTime();
  private volatile boolean closed;
  private final long startedAt = System.nanoTime();

  private RedisBucketStore(RedisAddress address, RedisStoreConfig config) {
    this.address = address;
    this.config = config;
    this.id = ProcessHandle.current().pid() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    this.processesKey = "{" + config.prefix() + "}:processes";
    this.localTime = config.time() != null ? config.time() : TimeSource.system();
    this.link = new RedisLink(address, config, this::onMessage);
    this.beats = Executors.newSingleThreadScheduledExecutor(daemon("pacer-redis-heartbeat"));
    this.notifier = Executors.newSingleThreadExecutor(daemon("pacer-redis-notify"));
    try {
      beat();
    } catch (RedisException e) {
      close();
      throw new RedisUnavailableException("Redis at " + address + " does not answer: " + link.describe(e));
    }
    // A second heartbeat soon: processes started at the same moment see each other at once.
    beats.schedule(this::tick, Math.min(config.heartbeatInterval().toNanos(), 250_000_000L), TimeUnit.NANOSECONDS);
  }

  /** Connects with the defaults ({@link RedisStoreConfig#defaults()}). */
  public static RedisBucketStore connect(String url) {
    return connect(url, RedisStoreConfig.defaults());
  }

  /**
   * Connects to Redis at {@code url}: {@code redis://[[user]:password@]host[:port][/db]}, or
   * {@code rediss://…} for TLS.
   *
   * @throws IllegalArgumentException if the URL is not a Redis URL
   * @throws RedisUnavailableException if Redis cannot be reached now
   */
  public static RedisBucketStore connect(String url, RedisStoreConfig config) {
    return new RedisBucketStore(RedisAddress.parse(url), config);
  }

  /** A builder for a store at {@code url}, with every option of {@link RedisStoreConfig}. */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  @Override
  public PoolBuckets pool(String pool, long windowNanos) {
    if (closed) {
      throw new IllegalStateException("this RedisBucketStore is closed");
    }
    return pools.computeIfAbsent(pool, name -> {
      RedisPool created = new RedisPool(this, name, windowNanos);
      poolsByChannel.put(created.channel(), created);
      return created;
    });
  }

  /** The processes sharing this prefix that were alive at the last heartbeat (this one included). */
  public int liveProcesses() {
    return liveProcesses;
  }

  /** Whether the last call reached Redis (false while failing closed or degraded). */
  public boolean redisAvailable() {
    return up;
  }

  public RedisStoreConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    beats.shutdownNow();
    notifier.shutdownNow();
    if (up) {
      try {
        link.eval(ScriptOutputType.INTEGER, new String[] {processesKey}, header("leave"));
      } catch (RuntimeException ignored) {
        // its heartbeat expires on its own
      }
    }
    link.close();
  }

  /** The address without its password, the prefix and the fault mode. */
  @Override
  public String toString() {
    return "RedisBucketStore[" + address + ", prefix=" + config.prefix() + ", "
        + config.faultMode().name().toLowerCase(Locale.ROOT).replace('_', '-')
        + (up ? "" : ", redis unavailable") + "]";
  }

  // ---- for RedisPool ------------------------------------------------------------------------

  String id() {
    return id;
  }

  String prefix() {
    return config.prefix();
  }

  TimeSource localTime() {
    return localTime;
  }

  boolean isUp() {
    return up && !closed;
  }

  /** The script's common arguments, up to and with the caller's id (see pool.lua). */
  String[] header(String op) {
    return new String[] {op, now(), "0", "0", "-1", "0", "-1", "0", "-1", "0", id};
  }

  /** Now, in microseconds: empty for Redis's TIME, or the virtual clock mapped to a fixed epoch. */
  String now() {
    TimeSource time = config.time();
    if (time == null) {
      return "";
    }
    return Double.toString(VIRTUAL_EPOCH_MICROS + (time.nanoTime() - FakeTimeSource.DEFAULT_START_NANOS) / 1000.0);
  }

  <T> T eval(ScriptOutputType type, String[] keys, String[] args) {
    return link.eval(type, keys, args);
  }

  /** A call failed: Redis counts as unavailable until a probe reaches it. */
  void failed(RuntimeException e) {
    if (closed) {
      return;
    }
    health.lock();
    try {
      if (!up) {
        return;
      }
      up = false;
      downSince = localTime.nanoTime();
      lastFailure = link.describe(e);
    } finally {
      health.unlock();
    }
    LOG.log(System.Logger.Level.WARNING, "Redis at {0} is unavailable ({1}); {2} until it answers again",
        address, lastFailure, config.faultMode() == FaultMode.DEGRADE
            ? "pacing alone at a share of the limits" : "admitting nothing");
    beats.schedule(this::tick, config.probeInterval().toNanos(), TimeUnit.NANOSECONDS);
  }

  long downForNanos() {
    return localTime.nanoTime() - downSince;
  }

  RedisUnavailableException unavailable() {
    return new RedisUnavailableException("Redis at " + address + " has been unavailable for "
        + Duration.ofNanos(downForNanos()).toMillis() + " ms (fault mode fail-closed, waited up to "
        + config.failClosedAfter().toMillis() + " ms): " + lastFailure);
  }

  /**
   * How many processes share the limits while each goes on alone: the live count, once this
   * process has beaten long enough to have seen every other's heartbeat (three intervals);
   * before that at least {@link RedisStoreConfig#assumedProcesses()}.
   */
  int shareDivisor() {
    boolean settled = System.nanoTime() - startedAt >= 3 * config.heartbeatInterval().toNanos();
    return settled && liveProcesses > 0 ? liveProcesses : Math.max(liveProcesses, config.assumedProcesses());
  }

  /**
   * Whether other processes may share the limits: the last heartbeat counted others, or one did
   * less than three intervals ago, or Redis came back less than three intervals ago from an outage
   * that began while others were counted. A count can drop below the truth: Redis restarted empty
   * forgets every heartbeat, and the process whose probe reaches it first counts only itself
   * until the others' probes re-register them; another process's heartbeat is seen within three
   * intervals (its time to live).
   */
  boolean shared() {
    return liveProcesses > 1 || System.nanoTime() - sharedUntil < 0;
  }

  void subscribe(String channel) {
    try {
      link.subscribe(channel);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot subscribe to {0} yet: {1}", channel, link.describe(e));
    }
  }

  /** Runs a pool's change listeners off Lettuce's threads (they call Redis again). */
  void notifyLater(Runnable listeners) {
    if (!closed) {
      try {
        notifier.execute(listeners);
      } catch (RuntimeException rejected) {
        // closing
      }
    }
  }

  /** One heartbeat now: whether Redis answered (a seam for tests; the store probes on its own). */
  boolean probe() {
    try {
      beat();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  // ---- heartbeats and probes ----------------------------------------------------------------

  private void onMessage(String channel, String publisher) {
    if (id.equals(publisher)) {
      return; // our own pool state drains after its own changes
    }
    RedisPool pool = poolsByChannel.get(channel);
    if (pool != null) {
      pool.changed();
    }
  }

  private void beat() {
    long ttlMicros = config.heartbeatInterval().toNanos() * 3 / 1000;
    String[] args = header("beat");
    args[1] = ""; // heartbeats are real time: Redis's clock, even under virtual time
    String[] withTtl = java.util.Arrays.copyOf(args, args.length + 1);
    withTtl[args.length] = Long.toString(ttlMicros);
    Long count = link.eval(ScriptOutputType.INTEGER, new String[] {processesKey}, withTtl);
    liveProcesses = count == null ? 0 : count.intValue();
    if (liveProcesses > 1) {
      assumeSharedFor3Intervals();
    }
  }

  private void assumeSharedFor3Intervals() {
    sharedUntil = System.nanoTime() + 3 * config.heartbeatInterval().toNanos();
  }

  /** Heartbeat while up; while down, a probe, and once Redis answers, the way back. */
  private void tick() {
    if (closed) {
      return;
    }
    boolean wasUp = up;
    int countedBefore = liveProcesses; // while down, the count from before the outage
    try {
      beat();
      if (!wasUp) {
        if (countedBefore > 1) {
          assumeSharedFor3Intervals(); // the others come back as their own probes reach Redis
        }
        recover();
      }
    } catch (RuntimeException e) {
      if (wasUp) {
        failed(e); // schedules the probes
        return;
      }
      lastFailure = link.describe(e);
    }
    if (!closed) {
      beats.schedule(this::tick, (up ? config.heartbeatInterval() : config.probeInterval()).toNanos(),
          TimeUnit.NANOSECONDS);
    }
  }

  /** Redis answers again: every pool hands back what it did alone, then waiters try Redis. */
  private void recover() {
    for (RedisPool pool : pools.values()) {
      pool.resync(); // throws if Redis goes away again: still down, probed again
    }
    up = true;
    LOG.log(System.Logger.Level.INFO, "Redis at {0} answers again after {1} ms", address,
        Duration.ofNanos(downForNanos()).toMillis());
    for (RedisPool pool : pools.values()) {
      pool.changed();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Builds a {@link RedisBucketStore}: the URL and every option of {@link RedisStoreConfig}. */
  public static final class Builder {
    private final String url;
    private final RedisStoreConfig.Builder config = RedisStoreConfig.builder();

    private Builder(String url) {
      this.url = url;
    }

    /** The key prefix: an organization, or a workspace (default {@code pacer}). */
    public Builder prefix(String value) {
      config.prefix(value);
      return this;
    }

    public Builder faultMode(FaultMode value) {
      config.faultMode(value);
      return this;
    }

    public Builder commandTimeout(Duration value) {
      config.commandTimeout(value);
      return this;
    }

    public Builder connectTimeout(Duration value) {
      config.connectTimeout(value);
      return this;
    }

    public Builder failClosedAfter(Duration value) {
      config.failClosedAfter(value);
      return this;
    }

    public Builder heartbeatInterval(Duration value) {
      config.heartbeatInterval(value);
      return this;
    }

    public Builder probeInterval(Duration value) {
      config.probeInterval(value);
      return this;
    }

    public Builder ticketGrace(Duration value) {
      config.ticketGrace(value);
      return this;
    }

    public Builder assumedProcesses(int value) {
      config.assumedProcesses(value);
      return this;
    }

    /** Virtual time, for tests only: see {@link RedisStoreConfig#time()}. */
    public Builder time(TimeSource value) {
      config.time(value);
      return this;
    }

    /**
     * Connects.
     *
     * @throws RedisUnavailableException if Redis cannot be reached now
     */
    public RedisBucketStore build() {
      return connect(url, config.build());
    }

    @Override
    public String toString() {
      return "RedisBucketStore.Builder[" + RedisAddress.redactUrl(String.valueOf(url)) + "]";
    }
  }
}
