package dev.pacer.simulator;

import java.time.Instant;

/**
 * One {@code POST /v1/messages} attempt as the simulator saw it.
 *
 * @param time when it arrived (the simulator's wall clock)
 * @param model the model asked for; null when the body could not be read
 * @param pool the model's rate-limit pool; null when the body could not be read
 * @param status the HTTP status answered
 * @param errorType the error envelope's type, null for a 200 (for a stream that ended with
 *     {@code event: error}, that error's type)
 * @param limitedBy for a rate-limit 429, the bucket named: {@code requests}, {@code input_tokens},
 *     {@code output_tokens}; {@code acceleration} for the acceleration limit; {@code injected} for a
 *     queued 429; else null
 * @param inputTokens {@code usage.input_tokens} (for a refusal, what it would have been)
 * @param cacheCreationInputTokens {@code usage.cache_creation_input_tokens}
 * @param cacheReadInputTokens {@code usage.cache_read_input_tokens}
 * @param outputTokens output tokens generated (for a stream cut short, those sent)
 * @param maxTokens the request's {@code max_tokens}
 * @param stream whether the request asked for a stream
 * @param promptHash a stable hash of the request's system and messages (16 hex digits; cache
 *     marks ignored), null when the body could not be read
 * @param fault the kind of injected fault that hit this attempt (see
 *     {@link SimulatorStats#faultsInjected()}), else null; an attempt may be both slowed and failed,
 *     then this names the failure
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
    String promptHash,
    String fault) {}
