package dev.pacer;

/**
 * What one response used, as its {@code usage} object says.
 *
 * @param inputTokens {@code input_tokens} (uncached input)
 * @param cacheCreationInputTokens {@code cache_creation_input_tokens} (both cache durations)
 * @param cacheCreation1hInputTokens the part of the cache writes that went to the 1-hour cache
 *     ({@code cache_creation.ephemeral_1h_input_tokens}); the rest are 5-minute writes
 * @param cacheReadInputTokens {@code cache_read_input_tokens}
 * @param outputTokens {@code output_tokens}
 */
public record Usage(long inputTokens, long cacheCreationInputTokens, long cacheCreation1hInputTokens,
    long cacheReadInputTokens, long outputTokens) {

  public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

  public Usage {
    if (inputTokens < 0 || cacheCreationInputTokens < 0 || cacheCreation1hInputTokens < 0
        || cacheReadInputTokens < 0 || outputTokens < 0) {
      throw new IllegalArgumentException("token counts cannot be negative");
    }
    if (cacheCreation1hInputTokens > cacheCreationInputTokens) {
      cacheCreationInputTokens = cacheCreation1hInputTokens;
    }
  }

  public static Usage of(long inputTokens, long outputTokens) {
    return new Usage(inputTokens, 0, 0, 0, outputTokens);
  }

  /**
   * The input tokens the input-tokens-per-minute limit counts: uncached input plus cache writes;
   * cache reads only where the pool counts them (a few old models).
   */
  public long rateLimitedInputTokens(boolean countsCacheReads) {
    return inputTokens + cacheCreationInputTokens + (countsCacheReads ? cacheReadInputTokens : 0);
  }

  /** Cache writes to the 5-minute cache. */
  public long cacheCreation5mInputTokens() {
    return cacheCreationInputTokens - cacheCreation1hInputTokens;
  }

  public Usage plus(Usage other) {
    return new Usage(inputTokens + other.inputTokens, cacheCreationInputTokens + other.cacheCreationInputTokens,
        cacheCreation1hInputTokens + other.cacheCreation1hInputTokens, cacheReadInputTokens + other.cacheReadInputTokens,
        outputTokens + other.outputTokens);
  }
}
