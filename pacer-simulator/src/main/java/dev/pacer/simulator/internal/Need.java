package dev.pacer.simulator.internal;

import dev.pacer.simulator.OutputRule;

/**
 * What an attempt needs from each bucket: the level it requires to be admitted, and what admission
 * takes. They differ only for output under the live rule (requires 1, takes 0).
 */
public record Need(long requests, long inputTokens, long outputRequired, long outputTaken) {

  /** A Messages attempt: {@code i} input tokens (cache reads excluded), {@code max_tokens} = {@code m}. */
  public static Need forMessages(OutputRule rule, long inputTokens, long maxTokens) {
    return switch (rule) {
      case RESERVE -> new Need(1, inputTokens, maxTokens, maxTokens);
      case LIVE -> new Need(1, inputTokens, 1, 0);
    };
  }

  /** One request and no tokens (count_tokens). */
  public static Need oneRequest() {
    return new Need(1, 0, 0, 0);
  }

  public long required(BucketKind kind) {
    return switch (kind) {
      case REQUESTS -> requests;
      case INPUT_TOKENS -> inputTokens;
      case OUTPUT_TOKENS -> outputRequired;
    };
  }

  public long taken(BucketKind kind) {
    return switch (kind) {
      case REQUESTS -> requests;
      case INPUT_TOKENS -> inputTokens;
      case OUTPUT_TOKENS -> outputTaken;
    };
  }
}
