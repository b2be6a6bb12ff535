package dev.pacer.simulator;

import java.time.Instant;

/**
 * One {@code POST /v1/messages} attempt as the simulator saw it.
 *
 * @param time when it arrived (the simulator's wall clock)
 * @param model the model asked for; null when the body could not be read
 * @param pool the model's rate-limit pool; null when the body could not be read
 * @param status the HTTP status answered
 * @param errorType the error envelope's type, null for a 200
 * @param limitedBy for a rate-limit 429, the bucket named: {@code requests}, {@code input_tokens},
 *     {@code output_tokens}; {@code injected} for a fault; else null
 * @param inputTokens {@code usage.input_tokens} (for a refusal, what it would have been)
 * @param cacheCreationInputTokens {@code usage.cache_creation_input_tokens}
 * @param cacheReadInputTokens {@code usage.cache_read_input_tokens}
 * @param outputTokens output tokens generated (for a stream cut short, those sent)
 * @param maxTokens the request's {@code max_tokens}
 * @param stream whether the request asked for a stream
 * @param promptHash a stable hash of the request's system and messages (16 hex digits; cache
 *     marks ignored), null when the body could not be read
 */
public record RequestRecord(
    Instant time,
    String requestId,
    String model,
    String pool,
    int status,
    String errorType,
    String limitedBy,
    long inputTokens,
    long cacheCreationInputTokens,
    long cacheReadInputTokens,
    long outputTokens,
    long maxTokens,
    boolean stream,
    String promptHash) {}
