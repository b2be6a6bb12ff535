package dev.pacer.anthropic;

import dev.pacer.Pacer;
import dev.pacer.PoolSnapshot;
import dev.pacer.Usage;
import dev.pacer.anthropic.internal.AttemptObserver;
import dev.pacer.limits.Bucket;
import dev.pacer.time.TimeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a paced client. Micrometer is an optional dependency: this is the only
 * class that uses it, and nothing loads it unless you do.
 *
 * <pre>{@code
 * PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(builder).build();
 * PacerMetrics.of(paced).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (tag {@code pool} is the rate-limit pool, e.g. {@code sonnet-4-5})</caption>
 *   <tr><td>{@code pacer.queue.depth} (gauge)</td><td>requests waiting for capacity</td></tr>
 *   <tr><td>{@code pacer.in.flight} (gauge)</td><td>attempts sent and not yet ended</td></tr>
 *   <tr><td>{@code pacer.concurrency.limit} (gauge)</td><td>the current cap on attempts in flight</td></tr>
 *   <tr><td>{@code pacer.wait} (timer)</td><td>how long each attempt waited for its permit</td></tr>
 *   <tr><td>{@code pacer.responses} (counter, tag {@code status})</td><td>answers by HTTP status
 *       ({@code 429}: rate limited, {@code 529}: overloaded), {@code none} for no answer</td></tr>
 *   <tr><td>{@code pacer.streams.failed} (counter)</td><td>streams that broke after their 200</td></tr>
 *   <tr><td>{@code pacer.usage} (gauge, tag {@code limit})</td><td>requests, input tokens (as the
 *       limit counts them) and output tokens used over the last window: per minute on the real API</td></tr>
 *   <tr><td>{@code pacer.limit} (gauge, tag {@code limit})</td><td>the limit per window the governor
 *       knows (NaN while unknown); {@code pacer.usage / pacer.limit} is the utilisation</td></tr>
 *   <tr><td>{@code pacer.cost} (function counter, tag {@code model}, USD)</td><td>cost so far</td></tr>
 *   <tr><td>{@code pacer.cost.reserved} (gauge, USD)</td><td>worst cases held for requests in flight</td></tr>
 *   <tr><td>{@code pacer.cost.remaining} (gauge, USD)</td><td>budget left, when there is a budget</td></tr>
 * </table>
 */
public final class PacerMetrics implements MeterBinder {

  private static final List<Bucket> LIMITS = List.of(Bucket.REQUESTS, Bucket.INPUT_TOKENS, Bucket.OUTPUT_TOKENS);

  private final Pacer pacer;
  private final CostTracker costs;
  private final TimeSource time;
  private final Duration window;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Map<String, PoolMeters> pools = new ConcurrentHashMap<>();
  private final Set<String> models = ConcurrentHashMap.newKeySet();

  private PacerMetrics(Pacer pacer, CostTracker costs, TimeSource time) {
    this.pacer = pacer;
    this.costs = costs;
    this.time = time;
    this.window = pacer.governor().config().window();
  }

  /** Meters for {@code paced}; they start counting now. */
  public static PacerMetrics of(PacedAnthropic paced) {
    Objects.requireNonNull(paced, "paced");
    PacerMetrics metrics = new PacerMetrics(paced.pacer(), paced.costs(), TimeSource.system());
    paced.addObserver(metrics.new Observer());
    return metrics;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    registries.add(registry);
    Gauge.builder("pacer.cost.reserved", costs, CostTracker::reservedUsd).baseUnit("usd")
        .description("worst-case costs held for requests in flight").register(registry);
    if (costs.hasBudget()) {
      Gauge.builder("pacer.cost.remaining", costs, c -> c.remainingUsd().orElse(Double.NaN)).baseUnit("usd")
          .description("budget left").register(registry);
    }
    pacer.governor().snapshots().forEach(snapshot -> pool(snapshot.pool()));
    pools.values().forEach(meters -> meters.register(registry));
    costs.byModel().keySet().forEach(this::model);
    models.forEach(model -> registerCost(registry, model));
  }

  private PoolMeters pool(String name) {
    return pools.computeIfAbsent(name, created -> {
      PoolMeters meters = new PoolMeters(created);
      registries.forEach(meters::register);
      return meters;
    });
  }

  private void model(String model) {
    if (models.add(model)) {
      registries.forEach(registry -> registerCost(registry, model));
    }
  }

  private void registerCost(MeterRegistry registry, String model) {
    FunctionCounter.builder("pacer.cost", costs, c -> c.model(model).map(ModelCost::usd).orElse(0.0))
        .baseUnit("usd").tag("model", model).description("cost of the responses so far").register(registry);
  }

  @Override
  public String toString() {
    return "PacerMetrics[" + pools.keySet() + "]";
  }

  /** One pool's meters and its counts over the last window. */
  private final class PoolMeters {
    final String pool;
    final Map<Bucket, WindowCounter> used = new ConcurrentHashMap<>();

    PoolMeters(String pool) {
      this.pool = pool;
      for (Bucket bucket : LIMITS) {
        used.put(bucket, new WindowCounter(window));
      }
    }

    void register(MeterRegistry registry) {
      gauge(registry, "pacer.queue.depth", "requests waiting for capacity", PoolSnapshot::waiting);
      gauge(registry, "pacer.in.flight", "attempts sent and not yet ended", PoolSnapshot::inFlight);
      gauge(registry, "pacer.concurrency.limit", "the cap on attempts in flight", PoolSnapshot::concurrencyLimit);
      for (Bucket bucket : LIMITS) {
        String limit = bucket.id();
        Gauge.builder("pacer.usage", this, meters -> meters.used.get(bucket).sum(time.nanoTime()))
            .tags("pool", pool, "limit", limit).description("used over the last window (per minute on the real API)")
            .register(registry);
        Gauge.builder("pacer.limit", this, meters -> limitOf(bucket))
            .tags("pool", pool, "limit", limit).description("the limit per window, as known").register(registry);
      }
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<PoolSnapshot> value) {
      Gauge.builder(name, this, meters -> pacer.governor().snapshot(pool).map(value::applyAsDouble).orElse(0.0))
          .tag("pool", pool).description(description).register(registry);
    }

    private double limitOf(Bucket bucket) {
      return pacer.governor().snapshot(pool).map(PoolSnapshot::limits)
          .filter(limits -> limits.isKnown(bucket)).map(limits -> (double) limits.get(bucket)).orElse(Double.NaN);
    }

    void wait(Duration waited) {
      registries.forEach(registry -> Timer.builder("pacer.wait").tag("pool", pool)
          .description("time each attempt waited for its permit").register(registry).record(waited));
    }

    void response(String status) {
      registries.forEach(registry -> Counter.builder("pacer.responses").tags("pool", pool, "status", status)
          .description("answers by HTTP status; none for no answer").register(registry).increment());
    }

    void streamFailed() {
      registries.forEach(registry -> Counter.builder("pacer.streams.failed").tag("pool", pool)
          .description("streams that broke after their 200").register(registry).increment());
    }
  }

  /** What the paced transport tells the meters. */
  private final class Observer implements AttemptObserver {
    @Override
    public void granted(String pool, Duration waited) {
      pool(pool).wait(waited);
    }

    @Override
    public void answered(String pool, int status) {
      PoolMeters meters = pool(pool);
      meters.response(Integer.toString(status));
      if (status != 429) {
        meters.used.get(Bucket.REQUESTS).add(1, time.nanoTime());
      }
    }

    @Override
    public void unanswered(String pool) {
      pool(pool).response("none");
    }

    @Override
    public void streamFailed(String pool) {
      pool(pool).streamFailed();
    }

    @Override
    public void used(String pool, String model, Usage usage) {
      PoolMeters meters = pool(pool);
      long now = time.nanoTime();
      boolean cacheReads = pacer.governor().countsCacheReads(pool);
      meters.used.get(Bucket.INPUT_TOKENS).add(usage.rateLimitedInputTokens(cacheReads), now);
      meters.used.get(Bucket.OUTPUT_TOKENS).add(usage.outputTokens(), now);
      model(model);
    }
  }
}
