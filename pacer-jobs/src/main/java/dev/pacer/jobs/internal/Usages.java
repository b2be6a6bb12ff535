package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.Usage;

/** Reads a message's {@code usage} into pacer-core's {@link Usage}. */
public final class Usages {

  private Usages() {}

  /**
   * {@code message.usage}, missing parts counting as zero. Cache writes are split into 1-hour and
   * 5-minute ones by {@code usage.cache_creation} where the server gives it, else all 5-minute.
   */
  public static Usage of(JsonNode message) {
    JsonNode usage = message.path("usage");
    long input = Math.max(0, usage.path("input_tokens").asLong(0));
    long cacheCreation = Math.max(0, usage.path("cache_creation_input_tokens").asLong(0));
    long cacheRead = Math.max(0, usage.path("cache_read_input_tokens").asLong(0));
    long output = Math.max(0, usage.path("output_tokens").asLong(0));
    JsonNode split = usage.path("cache_creation");
    long oneHour = Math.max(0, split.path("ephemeral_1h_input_tokens").asLong(0));
    long fiveMinutes = split.has("ephemeral_5m_input_tokens")
        ? Math.max(0, split.path("ephemeral_5m_input_tokens").asLong(0))
        : Math.max(0, cacheCreation - oneHour);
    return new Usage(input, fiveMinutes + oneHour, oneHour, cacheRead, output);
  }

  /** All input tokens: plain input, cache writes and cache reads. */
  public static long allInput(Usage usage) {
    return usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens();
  }
}
