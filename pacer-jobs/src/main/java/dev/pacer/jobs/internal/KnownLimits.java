package dev.pacer.jobs.internal;

import dev.pacer.jobs.ModelCatalog;
import dev.pacer.jobs.PacingConfig;
import dev.pacer.jobs.PoolLimits;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A pool's limits as far as configuration says (each may be unknown, to be learned from headers).
 * Precedence: {@code --rpm/--itpm/--otpm}, then {@code --limits FILE}, then {@code --tier}.
 */
public record KnownLimits(OptionalLong requests, OptionalLong inputTokens, OptionalLong outputTokens) {

  public static KnownLimits none() {
    return new KnownLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
  }

  public static KnownLimits of(PoolLimits limits) {
    return new KnownLimits(OptionalLong.of(limits.requests()), OptionalLong.of(limits.inputTokens()),
        OptionalLong.of(limits.outputTokens()));
  }

  /** What the configuration says of {@code pool}. */
  public static KnownLimits configured(PacingConfig pacing, ModelCatalog catalog, String pool) {
    Optional<PoolLimits> base = Optional.ofNullable(pacing.poolLimits().get(pool));
    if (base.isEmpty() && pacing.tier().isPresent()) {
      base = catalog.tierLimits(pacing.tier().get(), pool);
    }
    KnownLimits known = base.map(KnownLimits::of).orElse(none());
    return new KnownLimits(
        pacing.requestsPerWindow().isPresent() ? pacing.requestsPerWindow() : known.requests,
        pacing.inputTokensPerWindow().isPresent() ? pacing.inputTokensPerWindow() : known.inputTokens,
        pacing.outputTokensPerWindow().isPresent() ? pacing.outputTokensPerWindow() : known.outputTokens);
  }

  /** Fills what this leaves unknown from {@code other}. */
  public KnownLimits orElse(Optional<PoolLimits> other) {
    if (other.isEmpty()) {
      return this;
    }
    PoolLimits o = other.get();
    return new KnownLimits(requests.isPresent() ? requests : OptionalLong.of(o.requests()),
        inputTokens.isPresent() ? inputTokens : OptionalLong.of(o.inputTokens()),
        outputTokens.isPresent() ? outputTokens : OptionalLong.of(o.outputTokens()));
  }

  public boolean complete() {
    return requests.isPresent() && inputTokens.isPresent() && outputTokens.isPresent();
  }

  public boolean anyKnown() {
    return requests.isPresent() || inputTokens.isPresent() || outputTokens.isPresent();
  }
}
