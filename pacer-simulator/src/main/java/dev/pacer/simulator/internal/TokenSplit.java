package dev.pacer.simulator.internal;

import java.util.List;

/**
 * A prompt's input tokens split as the usage reports them: uncached input, cache writes (5-minute
 * and 1-hour), cache reads; and the prefixes to remember once the attempt is admitted.
 */
public record TokenSplit(
    long inputTokens, long cacheCreation5m, long cacheCreation1h, long cacheRead, List<Long> prefixesToWrite) {

  public long cacheCreation() {
    return cacheCreation5m + cacheCreation1h;
  }

  /** What ITPM charges: {@code input + cache_creation}, plus cache reads for pools that count them. */
  public long itpmCharge(boolean countsCacheReads) {
    return inputTokens + cacheCreation() + (countsCacheReads ? cacheRead : 0);
  }
}
