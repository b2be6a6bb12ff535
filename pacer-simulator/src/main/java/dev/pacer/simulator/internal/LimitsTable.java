package dev.pacer.simulator.internal;

import dev.pacer.simulator.Limits;
import dev.pacer.simulator.SimulatorConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Which limits each pool has: runtime changes over the configuration over the data file. Not
 * thread-safe: {@link SimulatorEngine} guards it.
 */
final class LimitsTable {

  private final SimulatorConfig config;
  private final ModelCatalog catalog;
  private Limits forEveryPool;
  private final Map<String, Limits> forOnePool = new HashMap<>();
  private Long countTokensRpm;

  LimitsTable(SimulatorConfig config, ModelCatalog catalog) {
    this.config = config;
    this.catalog = catalog;
  }

  Limits limitsOf(String pool) {
    Limits l = forOnePool.get(pool);
    if (l != null) return l;
    if (forEveryPool != null) return forEveryPool;
    l = config.poolLimits().get(pool);
    if (l != null) return l;
    Limits tier = catalog.limits(config.tier(), pool);
    return new Limits(
        config.rpm().orElse(tier.rpm()),
        config.itpm().orElse(tier.itpm()),
        config.otpm().orElse(tier.otpm()));
  }

  /** Every pool gets {@code limits}; earlier per-pool settings are dropped. */
  void setForEveryPool(Limits limits) {
    forEveryPool = limits;
    forOnePool.clear();
  }

  void setForPool(String pool, Limits limits) {
    forOnePool.put(pool, limits);
  }

  long countTokensRpm() {
    if (countTokensRpm != null) return countTokensRpm;
    if (config.countTokensRpm().isPresent()) return config.countTokensRpm().getAsLong();
    if (config.rpm().isPresent()) return config.rpm().getAsLong();
    return catalog.countTokensRpm(config.tier());
  }

  void setCountTokensRpm(long rpm) {
    countTokensRpm = rpm;
  }
}
