package dev.pacer;

import dev.pacer.concurrency.ConcurrencyLimit;
import dev.pacer.events.PacerListener;
import dev.pacer.estimate.TokenEstimator;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Tier;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The governor's settings, frozen when a {@link Pacer} is built.
 *
 * @param window the period the limits are counted over (one minute on the real API)
 * @param outputRule how the server counts output tokens (at first, when not told)
 * @param outputRuleTold whether the user said so; if not, the reserve rule is assumed until the
 *     server's headers prove it counts output live (see concepts.md)
 * @param burst the buckets' capacity as a duration of refill, when known; null = unknown, learned
 *     from the server (never assumed to be a whole window before the server shows it)
 * @param assumedBurst the capacity assumed while the burst is unknown and not yet observed
 * @param limits limits for every pool that has no entry in {@code poolLimits}; may be
 *     {@link Limits#NONE} (learned from headers)
 * @param poolLimits limits per pool name
 * @param tier where set, limits for pools configured nowhere else come from this tier's table
 * @param catalog model data: pools, tier tables
 * @param estimator input-token estimator
 * @param concurrency the concurrency limit of each pool, made once per pool
 * @param starvationGuard a batch request that has waited this long goes before interactive ones
 * @param listener receives events
 * @param jitterAllowance refill kept in every bucket (at most half its capacity), so that requests
 *     that reach the server bunched by network jitter still fit
 */
public record GovernorConfig(Duration window, OutputRule outputRule, boolean outputRuleTold, Duration burst, Duration assumedBurst,
    Limits limits, Map<String, Limits> poolLimits, Tier tier, ModelCatalog catalog, TokenEstimator estimator,
    Function<String, ConcurrencyLimit> concurrency, Duration starvationGuard, PacerListener listener,
    Duration jitterAllowance) {

  public GovernorConfig {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(outputRule, "outputRule");
    Objects.requireNonNull(assumedBurst, "assumedBurst");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(estimator, "estimator");
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(starvationGuard, "starvationGuard");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(jitterAllowance, "jitterAllowance");
    if (jitterAllowance.isNegative()) {
      throw new IllegalArgumentException("jitterAllowance must not be negative, got " + jitterAllowance);
    }
    positive("window", window);
    positive("assumedBurst", assumedBurst);
    if (burst != null) {
      positive("burst", burst);
    }
    poolLimits = Map.copyOf(poolLimits);
  }

  /** A builder with the defaults: one-minute window, reserve rule, limits learned from headers. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GovernorConfig}; every setting has a default. */
  public static final class Builder {
    private Duration window = Duration.ofMinutes(1);
    private OutputRule outputRule = OutputRule.RESERVE;
    private boolean outputRuleTold;
    private Duration burst;
    private Duration assumedBurst = Duration.ofSeconds(1);
    private Limits limits = Limits.NONE;
    private final java.util.HashMap<String, Limits> poolLimits = new java.util.HashMap<>();
    private Tier tier;
    private ModelCatalog catalog = ModelCatalog.bundled();
    private TokenEstimator estimator = TokenEstimator.calibrating();
    private Function<String, ConcurrencyLimit> concurrency = pool -> new dev.pacer.concurrency.FixedConcurrencyLimit(DEFAULT_MAX_IN_FLIGHT);
    private Duration starvationGuard = Duration.ofSeconds(30);
    private PacerListener listener = PacerListener.NONE;
    private Duration jitterAllowance = Duration.ofMillis(100);

    private Builder() {}

    /**
     * Refill kept in every bucket (at most half its capacity), default 100 ms: requests admitted
     * at the pace may reach the server bunched by network jitter. Costs a sliver of burst, no rate.
     */
    public Builder jitterAllowance(Duration value) {
      jitterAllowance = value;
      return this;
    }

    /** The period limits are counted over: one minute on the real API; shorter to compress time. */
    public Builder window(Duration value) {
      window = value;
      return this;
    }

    /** How the server counts output; when not set, reserve is assumed until the headers show live. */
    public Builder outputRule(OutputRule value) {
      outputRule = value;
      outputRuleTold = true;
      return this;
    }

    /** The buckets' capacity as a duration of refill, when you know it; otherwise it is learned. */
    public Builder burst(Duration value) {
      burst = value;
      return this;
    }

    /** The capacity assumed while the burst is unknown and not yet observed (default 1 s of refill). */
    public Builder assumedBurst(Duration value) {
      assumedBurst = value;
      return this;
    }

    /** Limits for every pool not configured on its own. */
    public Builder limits(Limits value) {
      limits = value;
      return this;
    }

    /** Limits for one pool (see {@link ModelCatalog#poolOf} for pool names). */
    public Builder poolLimits(String pool, Limits value) {
      poolLimits.put(pool, value);
      return this;
    }

    /** Limits from a tier's table for pools configured nowhere else. */
    public Builder tier(Tier value) {
      tier = value;
      return this;
    }

    public Builder catalog(ModelCatalog value) {
      catalog = value;
      return this;
    }

    public Builder estimator(TokenEstimator value) {
      estimator = value;
      return this;
    }

    /** The concurrency limit of each pool, made once per pool name. */
    public Builder concurrency(Function<String, ConcurrencyLimit> value) {
      concurrency = value;
      return this;
    }

    public Builder starvationGuard(Duration value) {
      starvationGuard = value;
      return this;
    }

    public Builder listener(PacerListener value) {
      listener = value;
      return this;
    }

    public GovernorConfig build() {
      return new GovernorConfig(window, outputRule, outputRuleTold, burst, assumedBurst, limits, poolLimits, tier, catalog, estimator,
          concurrency, starvationGuard, listener, jitterAllowance);
    }
  }

  /** The default cap on requests in flight per pool, high enough not to be what limits speed. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

  private static void positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** The pool a demand counts against. */
  String poolOf(Demand demand) {
    return switch (demand.endpoint()) {
      case MESSAGES -> catalog.poolOf(demand.model());
      case COUNT_TOKENS -> "count_tokens";
      case BATCHES -> "batches";
    };
  }

  /** What is configured for {@code pool}: its own limits, else the common ones, else the tier's. */
  Limits configuredLimits(String pool) {
    Limits own = poolLimits.getOrDefault(pool, Limits.NONE);
    if (pool.equals("count_tokens") || pool.equals("batches")) {
      Limits fromTier = Limits.NONE;
      if (tier != null) {
        long rpm = pool.equals("count_tokens")
            ? catalog.countTokensRpm(tier).orElse(Limits.UNKNOWN)
            : catalog.value("batches." + tier.key()).map(text -> Long.parseLong(text.split("/")[0].trim()))
                .orElse(Limits.UNKNOWN);
        fromTier = new Limits(rpm, Limits.UNKNOWN, Limits.UNKNOWN);
      }
      return own.orElse(fromTier);
    }
    Limits configured = own.orElse(limits);
    return tier == null ? configured : configured.orElse(catalog.limits(tier, pool));
  }
}
