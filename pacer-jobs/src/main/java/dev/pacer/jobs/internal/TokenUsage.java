package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.jobs.ModelCatalog;

/**
 * A response's {@code usage}, split the way prices are: plain input, cache writes (5-minute and
 * 1-hour), cache reads, output.
 */
public record TokenUsage(long input, long cacheWrite5m, long cacheWrite1h, long cacheRead, long output) {

  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0);

  /** Reads {@code message.usage}; missing parts count as zero. */
  public static TokenUsage of(JsonNode message) {
    JsonNode usage = message.path("usage");
    long input = usage.path("input_tokens").asLong(0);
    long cacheCreation = usage.path("cache_creation_input_tokens").asLong(0);
    long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
    long output = usage.path("output_tokens").asLong(0);
    JsonNode split = usage.path("cache_creation");
    long oneHour = split.path("ephemeral_1h_input_tokens").asLong(0);
    long fiveMinutes = split.has("ephemeral_5m_input_tokens")
        ? split.path("ephemeral_5m_input_tokens").asLong(0)
        : Math.max(0, cacheCreation - oneHour);
    return new TokenUsage(input, fiveMinutes, oneHour, cacheRead, output);
  }

  /** Input tokens as ITPM counts them: input and cache writes, not cache reads. */
  public long inputForLimits() {
    return input + cacheWrite5m + cacheWrite1h;
  }

  /** All input tokens, cache reads included. */
  public long allInput() {
    return input + cacheWrite5m + cacheWrite1h + cacheRead;
  }

  /** The cost in USD at {@code price}. */
  public double cost(ModelCatalog.Price price) {
    return price.cost(input, cacheWrite5m, cacheWrite1h, cacheRead, output);
  }

  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(input + other.input, cacheWrite5m + other.cacheWrite5m, cacheWrite1h + other.cacheWrite1h,
        cacheRead + other.cacheRead, output + other.output);
  }
}
